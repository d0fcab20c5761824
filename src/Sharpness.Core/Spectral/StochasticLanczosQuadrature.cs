using System.Numerics.Tensors;
using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;

namespace Sharpness.Core.Spectral;

/// <summary>
/// Stochastic Lanczos quadrature (SLQ; Lin, Saad &amp; Yang 2016; Ghorbani, Krishnan &amp; Xiao 2019): the eigenvalue
/// density of a symmetric operator from m Lanczos steps on each of a few random start vectors. Each run gives a Gauss
/// quadrature rule (<see cref="QuadratureRule"/>) whose nodes and weights approximate the spectral measure seen from
/// its start vector; their average, smoothed with a Gaussian, estimates the density (<see cref="SpectralDensity"/>).
/// </summary>
/// <remarks>
/// <para>
/// The Lanczos process keeps its basis orthogonal by full re-orthogonalisation (classical Gram–Schmidt against the
/// whole basis, twice), as PyHessian's <c>density()</c> does. Without it, rounding makes copies of the extreme Ritz
/// values ("ghosts") whose weights are taken from the rest of the spectrum.
/// </para>
/// <para>
/// When the Krylov space of a start vector is invariant after d &lt; m steps (β below 10⁻¹² of the largest |Ritz value|,
/// for example for an operator of small rank), the run stops there: the d-node rule is then exact for every
/// polynomial. PyHessian continues from a random vector instead, which adds nodes with zero weight.
/// </para>
/// </remarks>
public static class StochasticLanczosQuadrature
{
    private const double BreakdownTolerance = 1e-12;

    /// <summary>Estimates the spectral density with seeded Rademacher start vectors.</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="options">Settings; null uses the defaults of <see cref="SlqOptions"/>.</param>
    /// <param name="onProbe">Called with the number of finished probes after each one (for progress), or null.</param>
    /// <returns>The rules of the finished probes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArithmeticException">The operator produced a NaN or infinite product.</exception>
    public static SpectralDensity Estimate(ILinearOperator op, SlqOptions? options = null, Action<int>? onProbe = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new SlqOptions();
        options.Validate();
        var rules = new List<QuadratureRule>();
        var start = new double[op.Size];
        int matvecs = 0;
        for (int r = 0; r < options.Probes; r++)
        {
            RandomProbes.Rademacher(options.Seed, r, start);
            var (rule, used, complete) = Run(op, start, options.Steps, options.CancellationToken);
            matvecs += used;
            if (!complete)
            {
                return new SpectralDensity { Rules = rules, Size = op.Size, Matvecs = matvecs, Complete = false };
            }

            rules.Add(rule!);
            onProbe?.Invoke(rules.Count);
        }

        return new SpectralDensity { Rules = rules, Size = op.Size, Matvecs = matvecs, Complete = true };
    }

    /// <summary>The density from given start vectors (normalised here), for comparisons with another implementation run on the same vectors.</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="starts">Nonzero start vectors of length <c>op.Size</c> (at least one).</param>
    /// <param name="steps">Lanczos steps m ≥ 1 per start vector (capped at the operator size).</param>
    /// <returns>The density.</returns>
    /// <exception cref="ArgumentException">No start vector, or one of the wrong length or zero.</exception>
    /// <exception cref="ArithmeticException">The operator produced a NaN or infinite product.</exception>
    public static SpectralDensity Estimate(ILinearOperator op, IEnumerable<double[]> starts, int steps)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var rules = new List<QuadratureRule>();
        int matvecs = 0;
        foreach (double[] start in starts)
        {
            var (rule, used, _) = Run(op, start, steps, CancellationToken.None);
            rules.Add(rule!);
            matvecs += used;
        }

        if (rules.Count == 0)
        {
            throw new ArgumentException("At least one start vector is needed.", nameof(starts));
        }

        return new SpectralDensity { Rules = rules, Size = op.Size, Matvecs = matvecs, Complete = true };
    }

    /// <summary>The Gauss quadrature rule of m Lanczos steps from <paramref name="start"/> (normalised here).</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="start">A nonzero start vector of length <c>op.Size</c>.</param>
    /// <param name="steps">Lanczos steps m ≥ 1 (capped at the operator size; fewer when the Krylov space is invariant).</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentException">The start vector has the wrong length, is zero or not finite.</exception>
    /// <exception cref="ArithmeticException">The operator produced a NaN or infinite product.</exception>
    public static QuadratureRule Rule(ILinearOperator op, ReadOnlySpan<double> start, int steps)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        return Run(op, start, steps, CancellationToken.None).Rule!;
    }

    private static (QuadratureRule? Rule, int Matvecs, bool Complete) Run(ILinearOperator op, ReadOnlySpan<double> start, int steps, CancellationToken token)
    {
        int n = op.Size;
        if (start.Length != n)
        {
            throw new ArgumentException($"The start vector has length {start.Length} but the operator size is {n}.", nameof(start));
        }

        double startNorm = TensorPrimitives.Norm(start);
        if (!(startNorm > 0) || !double.IsFinite(startNorm))
        {
            throw new ArgumentException("The start vector must be nonzero and finite.", nameof(start));
        }

        int m = Math.Min(steps, n);
        var basis = new double[m][];
        basis[0] = new double[n];
        TensorPrimitives.Divide(start, startNorm, basis[0]);
        var alpha = new double[m];
        var beta = new double[m];
        var w = new double[n];
        var coefficients = new double[m];
        var correction = new double[m];
        double normEstimate = 0;
        int d = 0;
        int matvecs = 0;
        while (d < m)
        {
            if (token.IsCancellationRequested)
            {
                return (null, matvecs, false);
            }

            op.Apply(basis[d], w);
            matvecs++;
            double wNorm = TensorPrimitives.Norm<double>(w);
            if (!double.IsFinite(wNorm))
            {
                throw new ArithmeticException($"The operator returned a NaN or infinite product at Lanczos step {d + 1}.");
            }

            normEstimate = Math.Max(normEstimate, wNorm);
            VectorOps.ProjectOut(basis, d + 1, w, coefficients);
            VectorOps.ProjectOut(basis, d + 1, w, correction);
            alpha[d] = coefficients[d] + correction[d];
            d++;
            double b = TensorPrimitives.Norm<double>(w);
            if (d == m || b <= BreakdownTolerance * normEstimate)
            {
                break;
            }

            beta[d - 1] = b;
            basis[d] = new double[n];
            TensorPrimitives.Divide<double>(w, b, basis[d]);
        }

        var tridiagonal = new double[d, d];
        for (int i = 0; i < d; i++)
        {
            tridiagonal[i, i] = alpha[i];
            if (i + 1 < d)
            {
                tridiagonal[i, i + 1] = beta[i];
                tridiagonal[i + 1, i] = beta[i];
            }
        }

        var (values, vectors) = SymmetricEigenDecomposition.Decompose(tridiagonal);
        var weights = new double[d];
        for (int j = 0; j < d; j++)
        {
            weights[j] = vectors[0, j] * vectors[0, j];
        }

        return (new QuadratureRule(values, weights), matvecs, true);
    }
}
