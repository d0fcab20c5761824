using System.Numerics.Tensors;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;

namespace Sharpness.Core.Eigen;

/// <summary>
/// One run of (block) power iteration with Rayleigh–Ritz. For the algebraic targets the iteration runs on the
/// shifted operator B = ±A + σI with σ from a spectral-radius estimate, so that B's dominant eigenvalues are the
/// wanted end of A's spectrum; the shift is raised automatically if B turns out to be indefinite.
/// </summary>
internal sealed class PowerSolver
{
    private const int MaxEstimationSteps = 10;
    private const double EstimationSettled = 0.01;
    private const double NegativeRitzTolerance = 1e-10;
    private const int MaxBlockRows = 1024;

    private readonly SolverSetup _setup;
    private readonly ILinearOperator _op;
    private readonly int _n;
    private readonly int _k;
    private readonly EigenTarget _target;
    private readonly double _sign;        // B = sign·A + shift·I
    private readonly bool _shifted;
    private double _shift;

    private double[][] _q;                 // current orthonormal block
    private double[][] _w;                 // B times the block
    private readonly double[][] _x;        // last Ritz vectors (ordered)
    private readonly double[] _temp;
    private readonly double[] _scratch;
    private readonly double[] _block;      // row-block workspace for the in-place basis rotation
    private readonly int _blockRows;

    private double[] _values = [];         // last eigenvalue estimates of A (ordered)
    private double[] _residuals = [];
    private double[]? _previousValues;
    private int _matvecs;
    private int _iterations;
    private DeterministicRandom? _refillRandom;

    public PowerSolver(SolverSetup setup)
    {
        _setup = setup;
        _op = setup.Operator;
        _n = setup.Size;
        _k = setup.Count;
        _target = setup.Target;
        _shifted = _target != EigenTarget.LargestMagnitude;
        _sign = _target == EigenTarget.SmallestAlgebraic ? -1.0 : 1.0;

        _q = new double[_k][];
        _w = new double[_k][];
        _x = new double[_k][];
        for (int i = 0; i < _k; i++)
        {
            _q[i] = new double[_n];
            _w[i] = new double[_n];
            _x[i] = new double[_n];
        }

        _temp = new double[_n];
        _scratch = new double[Math.Max(_k, 1)];
        _blockRows = Math.Min(MaxBlockRows, _n);
        _block = new double[_k * _blockRows];
    }

    public EigenResult Run()
    {
        // With Count = Size the first Rayleigh–Ritz step is exact, so no shift is needed.
        if (_shifted && _k < _n)
        {
            StopReason estimation = EstimateSpectralRadius();
            if (estimation != StopReason.None)
            {
                return Finish(estimation);
            }
        }

        InitialiseBlock();

        while (true)
        {
            for (int i = 0; i < _k; i++)
            {
                if (_setup.Token.IsCancellationRequested)
                {
                    return Finish(StopReason.Cancelled);
                }

                ApplyShifted(_q[i], _w[i]);
                if (!TensorPrimitives.IsFiniteAll<double>(_w[i]))
                {
                    return Finish(StopReason.Diverged);
                }

                if (i < _k - 1)
                {
                    StopReason intermediate = CheckCriterion(_values, _residuals, double.PositiveInfinity);
                    if (intermediate != StopReason.None && intermediate != StopReason.Converged)
                    {
                        return Finish(intermediate);
                    }
                }
            }

            _iterations++;
            if (!RayleighRitz())
            {
                return Finish(StopReason.Diverged);
            }

            if (_k == _n)
            {
                return Finish(StopReason.InvariantSubspace);
            }

            double change = RelativeChange();
            StopReason verdict = CheckCriterion(_values, _residuals, change);
            _previousValues = _values;
            if (verdict != StopReason.None)
            {
                return Finish(verdict);
            }

            // Next block: orthonormalised B·X (already in _w); the old block buffers receive the next products.
            (_q, _w) = (_w, _q);
            for (int i = 0; i < _k; i++)
            {
                OrthonormaliseColumn(i);
            }
        }
    }

    /// <summary>A few plain power steps on A from the start vector; σ is the largest ‖A v‖ seen (a lower bound on ρ(A)).</summary>
    private StopReason EstimateSpectralRadius()
    {
        double[] v = _temp;
        double[] av = _w[0];
        _setup.Start.CopyTo(v, 0);
        double rho = 0;
        double previous = 0;
        for (int step = 0; step < MaxEstimationSteps; step++)
        {
            if (_setup.Token.IsCancellationRequested)
            {
                return StopReason.Cancelled;
            }

            _op.Apply(v, av);
            _matvecs++;
            _iterations++;
            double norm = TensorPrimitives.Norm<double>(av);
            if (!double.IsFinite(norm))
            {
                return StopReason.Diverged;
            }

            rho = Math.Max(rho, norm);
            StopReason verdict = CheckCriterion([], [], double.PositiveInfinity);
            if (verdict != StopReason.None && verdict != StopReason.Converged)
            {
                return verdict;
            }

            if (norm == 0 || (step > 0 && Math.Abs(norm - previous) <= EstimationSettled * norm))
            {
                break;
            }

            previous = norm;
            TensorPrimitives.Divide<double>(av, norm, v);
        }

        _shift = rho;
        return StopReason.None;
    }

    private void InitialiseBlock()
    {
        _setup.Start.CopyTo(_q[0], 0);
        for (int i = 1; i < _k; i++)
        {
            FillRandomOrthonormal(i);
        }
    }

    private void FillRandomOrthonormal(int column)
    {
        _refillRandom ??= DeterministicRandom.ForStream(_setup.Options.Seed, SolverSetup.RefillStream);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            SolverSetup.FillRandomUnit(_refillRandom, _q[column]);
            if (VectorOps.OrthonormalizeAgainst(_q, column, _q[column], _scratch))
            {
                return;
            }
        }

        // Only reachable when column ≥ Size, which the Count ≤ Size validation excludes.
        throw new InvalidOperationException("Could not complete an orthonormal block.");
    }

    private void OrthonormaliseColumn(int column)
    {
        if (VectorOps.OrthonormalizeAgainst(_q, column, _q[column], _scratch))
        {
            return;
        }

        // B·x_i vanished or fell into the span of the previous columns (B is singular on the block): keep the
        // Ritz vector itself, which is then (close to) a null vector of B, or else take a fresh direction.
        _x[column].CopyTo(_q[column], 0);
        if (!VectorOps.OrthonormalizeAgainst(_q, column, _q[column], _scratch))
        {
            FillRandomOrthonormal(column);
        }
    }

    private void ApplyShifted(double[] input, double[] output)
    {
        _op.Apply(input, output);
        _matvecs++;
        if (_sign != 1.0)
        {
            TensorPrimitives.Negate<double>(output, output);
        }

        if (_shift != 0.0)
        {
            TensorPrimitives.MultiplyAdd<double>(input, _shift, output, output);
        }
    }

    /// <summary>Rayleigh–Ritz on span(Q): fills _x, _w (= B·X), _values and _residuals. False on non-finite numbers.</summary>
    private bool RayleighRitz()
    {
        int k = _k;
        var g = new double[k * k];
        for (int a = 0; a < k; a++)
        {
            for (int b = 0; b < k; b++)
            {
                g[a * k + b] = TensorPrimitives.Dot<double>(_q[a], _w[b]);
            }
        }

        if (!TensorPrimitives.IsFiniteAll<double>(g))
        {
            return false;
        }

        var theta = new double[k];
        var s = new double[k * k];
        SymmetricEigenDecomposition.DecomposeCore(g, k, theta, s);

        if (_shifted && _k < _n && theta[0] < -NegativeRitzTolerance * Math.Max(_shift + Math.Abs(theta[k - 1]), ResidualCriterion.TinyScale))
        {
            // B is indefinite and its negative end competes with the wanted one: raise the shift.
            // B_new·Q = B·Q + Δ·Q, so no extra products are needed.
            double delta = -2.0 * theta[0];
            _shift += delta;
            for (int i = 0; i < k; i++)
            {
                TensorPrimitives.MultiplyAdd<double>(_q[i], delta, _w[i], _w[i]);
                theta[i] += delta;
            }
        }

        // For the shifted operator the wanted end is B's largest eigenvalues; otherwise largest magnitude.
        int[] order = EigenOrdering.Order(theta, _shifted ? EigenTarget.LargestAlgebraic : EigenTarget.LargestMagnitude);

        for (int i = 0; i < k; i++)
        {
            VectorOps.Combine(_q, k, s, k, order[i], _x[i]);
        }

        VectorOps.TransformInPlace(_w, k, s, k, order, _block, _blockRows);

        var values = new double[k];
        var residuals = new double[k];
        for (int i = 0; i < k; i++)
        {
            double t = theta[order[i]];
            TensorPrimitives.MultiplyAdd<double>(_x[i], -t, _w[i], _temp);
            residuals[i] = TensorPrimitives.Norm<double>(_temp);
            values[i] = _target switch
            {
                EigenTarget.LargestAlgebraic => t - _shift,
                EigenTarget.SmallestAlgebraic => _shift - t,
                _ => t,
            };
        }

        if (!TensorPrimitives.IsFiniteAll<double>(values) || !TensorPrimitives.IsFiniteAll<double>(residuals))
        {
            // The Ritz vectors were already overwritten, so no consistent estimates remain.
            _values = [];
            _residuals = [];
            return false;
        }

        _values = values;
        _residuals = residuals;
        return true;
    }

    private double RelativeChange()
    {
        if (_previousValues is not { } previous || previous.Length != _values.Length)
        {
            return double.PositiveInfinity;
        }

        double scale = ResidualCriterion.TinyScale;
        foreach (double v in _values)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        double change = 0;
        for (int i = 0; i < _values.Length; i++)
        {
            change = Math.Max(change, Math.Abs(_values[i] - previous[i]) / scale);
        }

        return change;
    }

    private StopReason CheckCriterion(double[] values, double[] residuals, double change)
    {
        var state = new EigenIterationState(_iterations, _matvecs, (double[])values.Clone(), (double[])residuals.Clone(), change);
        return _setup.Criterion.Check(in state);
    }

    private EigenResult Finish(StopReason reason)
    {
        int count = _values.Length;
        var vectors = new double[count][];
        for (int i = 0; i < count; i++)
        {
            vectors[i] = (double[])_x[i].Clone();
        }

        return new EigenResult
        {
            Eigenvalues = (double[])_values.Clone(),
            Eigenvectors = vectors,
            Residuals = (double[])_residuals.Clone(),
            Iterations = _iterations,
            Matvecs = _matvecs,
            Converged = reason is StopReason.Converged or StopReason.InvariantSubspace,
            StopReason = reason,
        };
    }
}
