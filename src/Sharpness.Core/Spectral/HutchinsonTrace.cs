using System.Numerics.Tensors;
using Sharpness.Core.LinearAlgebra;

namespace Sharpness.Core.Spectral;

/// <summary>
/// Hutchinson's stochastic trace estimator: tr(A) = E[vᵀ A v] for random v with independent entries of mean 0 and
/// variance 1. With Rademacher (±1) probes the variance of one sample is 2 Σ_{i≠j} A_ij², the smallest of all such
/// distributions; the estimate is the mean of n samples and its standard error the sample standard deviation over √n.
/// </summary>
/// <remarks>
/// This is the estimator of PyHessian's <c>trace()</c> with a different stop rule: PyHessian stops when the running
/// mean changes by less than a relative tolerance between two probes, which can happen by chance long before the mean
/// is accurate; here the run stops when the standard error is below the relative tolerance of |mean|, after a minimum
/// number of probes.
/// </remarks>
public static class HutchinsonTrace
{
    /// <summary>Estimates tr(A) with seeded Rademacher probes until the relative standard error is small enough.</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="options">Settings; null uses the defaults of <see cref="HutchinsonOptions"/>.</param>
    /// <param name="onProbe">Called after every probe with the estimate so far (for progress), or null.</param>
    /// <returns>The estimate; never throws for numerical reasons (a non-finite product ends the run unconverged).</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static TraceEstimate Estimate(ILinearOperator op, HutchinsonOptions? options = null, Action<TraceEstimate>? onProbe = null)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new HutchinsonOptions();
        options.Validate();
        var probe = new double[op.Size];
        var forms = new List<double>();
        TraceEstimate estimate = Summarise(forms, converged: false);
        for (int i = 0; i < options.MaxProbes; i++)
        {
            if (options.CancellationToken.IsCancellationRequested)
            {
                return estimate;
            }

            RandomProbes.Rademacher(options.Seed, i, probe);
            double form = QuadraticForm(op, probe);
            forms.Add(form);
            if (!double.IsFinite(form))
            {
                estimate = Summarise(forms, converged: false);
                onProbe?.Invoke(estimate);
                return estimate;
            }

            bool converged = forms.Count >= options.MinProbes
                && options.RelativeTolerance > 0
                && IsConverged(Summarise(forms, converged: false), options.RelativeTolerance);
            estimate = Summarise(forms, converged);
            onProbe?.Invoke(estimate);
            if (converged)
            {
                return estimate;
            }
        }

        return estimate with { Converged = options.RelativeTolerance == 0 };
    }

    /// <summary>
    /// The Hutchinson estimate from given probe vectors (all of them, no stop rule): the mean of vᵢᵀ A vᵢ and its
    /// standard error. For comparisons with another implementation run on the same probes.
    /// </summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="probes">Probe vectors of length <c>op.Size</c> (at least one), with entries of mean 0 and variance 1.</param>
    /// <returns>The estimate, <see cref="TraceEstimate.Converged"/> true.</returns>
    /// <exception cref="ArgumentException">No probes, or a probe of the wrong length.</exception>
    public static TraceEstimate Estimate(ILinearOperator op, IEnumerable<double[]> probes)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(probes);
        var forms = new List<double>();
        foreach (double[] probe in probes)
        {
            if (probe.Length != op.Size)
            {
                throw new ArgumentException($"A probe has length {probe.Length} but the operator size is {op.Size}.", nameof(probes));
            }

            forms.Add(QuadraticForm(op, probe));
        }

        if (forms.Count == 0)
        {
            throw new ArgumentException("At least one probe is needed.", nameof(probes));
        }

        return Summarise(forms, converged: true);
    }

    private static bool IsConverged(TraceEstimate estimate, double tolerance) =>
        double.IsFinite(estimate.StandardError) && estimate.StandardError <= tolerance * Math.Abs(estimate.Estimate);

    private static double QuadraticForm(ILinearOperator op, double[] v)
    {
        var product = new double[v.Length];
        op.Apply(v, product);
        return TensorPrimitives.Dot<double>(v, product);
    }

    private static TraceEstimate Summarise(List<double> forms, bool converged)
    {
        int n = forms.Count;
        double mean = n == 0 ? double.NaN : forms.Average();
        double standardError = double.NaN;
        if (n >= 2)
        {
            double squares = 0;
            foreach (double f in forms)
            {
                squares += (f - mean) * (f - mean);
            }

            standardError = Math.Sqrt(squares / (n - 1) / n);
        }

        return new TraceEstimate { Estimate = mean, StandardError = standardError, QuadraticForms = forms.ToArray(), Converged = converged };
    }
}
