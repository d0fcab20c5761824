using System.Numerics.Tensors;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;

namespace Sharpness.Core.Eigen;

/// <summary>
/// One run of thick-restart Lanczos with full re-orthogonalisation. The projected matrix H = Vᵀ A V is kept as a
/// small dense symmetric matrix filled from the Gram–Schmidt coefficients; between steps
/// A V_d = V_d H_d + v_d bᵀ holds, with v_d the next unit basis vector and b the coupling vector.
/// </summary>
/// <remarks>
/// <para>
/// A <em>segment</em> is the stretch of iteration since the last start vector (the initial one, or a random vector
/// injected after a breakdown). When a segment starts after a breakdown, the basis so far spans an invariant
/// subspace P; the leading <c>_p</c> basis vectors span P and H is kept exactly block diagonal (P, segment), since
/// the couplings between the two blocks vanish up to rounding.
/// </para>
/// <para>
/// A segment started from a random vector that breaks down has found every distinct eigenvalue of A on the
/// complement of P (with probability one), though not their multiplicities. The wanted pairs are then final unless
/// one of those eigenvalues is strictly more wanted than the k-th wanted Ritz value (more copies of it could exist);
/// otherwise another random segment probes for the missing copies. Once a random segment has broken down, the
/// operator is known to be degenerate and only such conclusive breakdowns (or spanning the whole space) end the run
/// as converged, because residuals cannot reveal missing multiplicities.
/// </para>
/// </remarks>
internal sealed class LanczosSolver
{
    /// <summary>β below this fraction of the operator-norm estimate counts as an invariant subspace (breakdown).</summary>
    private const double BreakdownTolerance = 1e-12;

    /// <summary>Relative tolerance when comparing eigenvalues for equality after a breakdown.</summary>
    private const double EqualityTolerance = 1e-10;

    /// <summary>
    /// Steps a segment injected after a breakdown of a supplied start vector's Krylov space must take before a
    /// convergence verdict is trusted, so that the complement is explored before the wanted pairs are declared final.
    /// </summary>
    private const int RefillGuardSteps = 8;

    private const int RestartBlockRows = 1024;

    private readonly SolverSetup _setup;
    private readonly ILinearOperator _op;
    private readonly int _n;
    private readonly int _k;
    private readonly int _m;
    private readonly EigenTarget _target;
    private readonly double[][] _basis;
    private readonly double[] _w;
    private readonly double[] _h;          // m×m row-major, leading d×d block in use
    private readonly double[] _coupling;   // b, length m
    private readonly double[] _coefficients;
    private readonly double[] _scratch;
    private readonly double[] _projected;  // d×d copy handed to the dense solver
    private readonly double[] _ritzValues;
    private readonly double[] _ritzVectors; // d×d row-major, columns are eigenvectors of H_d
    private double[]? _restartBlock;
    private DeterministicRandom? _refillRandom;

    private int _d;                  // number of basis vectors whose images are in H
    private int _p;                  // leading basis vectors spanning the invariant subspace found before this segment
    private int _ritzDimension = -1; // dimension the cached Ritz decomposition belongs to
    private int[] _order = [];
    private double _normEstimate;
    private int _matvecs;
    private int _iterations;
    private int _segmentLength;
    private bool _segmentStartIsRandom;
    private bool _segmentIsRefill;
    private bool _degenerate;        // a random segment has broken down: only conclusive breakdowns converge
    private double[]? _previousConfirmed;

    public LanczosSolver(SolverSetup setup)
    {
        _setup = setup;
        _op = setup.Operator;
        _n = setup.Size;
        _k = setup.Count;
        _target = setup.Target;
        _m = ResolveBasisSize(setup);

        _basis = new double[_m][];
        _w = new double[_n];
        _h = new double[_m * _m];
        _coupling = new double[_m];
        _coefficients = new double[_m];
        _scratch = new double[_m];
        _projected = new double[_m * _m];
        _ritzValues = new double[_m];
        _ritzVectors = new double[_m * _m];
    }

    public static int ResolveBasisSize(SolverSetup setup)
    {
        int n = setup.Size;
        int k = setup.Count;
        int requested = setup.Options.MaxBasisSize;
        if (requested == 0)
        {
            return Math.Min(n, Math.Max(2 * k + 20, 40));
        }

        int m = Math.Min(requested, n);
        if (m < n && m < k + 2)
        {
            throw new ArgumentOutOfRangeException(
                SolverSetup.MaxBasisSizeParameter,
                requested,
                $"MaxBasisSize must be at least Count + 2 = {k + 2} (or at least the operator size {n}).");
        }

        return m;
    }

    public EigenResult Run()
    {
        _basis[0] = _setup.Start;
        _segmentStartIsRandom = _setup.StartIsRandom;

        while (true)
        {
            if (_setup.Token.IsCancellationRequested)
            {
                return Finish(StopReason.Cancelled);
            }

            int j = _d;
            _op.Apply(_basis[j], _w);
            _matvecs++;
            _iterations++;
            _segmentLength++;

            double wNorm = TensorPrimitives.Norm<double>(_w);
            if (!double.IsFinite(wNorm))
            {
                return Finish(StopReason.Diverged);
            }

            _normEstimate = Math.Max(_normEstimate, wNorm);
            double beta = Orthogonalise(j + 1);
            if (!double.IsFinite(beta) || !TensorPrimitives.IsFiniteAll<double>(_coefficients.AsSpan(0, j + 1)))
            {
                return Finish(StopReason.Diverged);
            }

            // Column j of H. Couplings to the invariant part P are rounding noise and are dropped, which keeps H
            // exactly block diagonal.
            for (int i = 0; i < j; i++)
            {
                double h = i < _p ? 0.0 : _coefficients[i];
                _h[i * _m + j] = h;
                _h[j * _m + i] = h;
            }

            _h[j * _m + j] = _coefficients[j];
            _d = j + 1;
            Array.Clear(_coupling);
            _coupling[j] = beta;

            ComputeRitz();
            for (int i = 0; i < _d; i++)
            {
                _normEstimate = Math.Max(_normEstimate, Math.Abs(_ritzValues[i]));
            }

            if (_d == _n)
            {
                // The basis spans the whole space: the Ritz pairs are the exact eigenpairs.
                return Finish(StopReason.InvariantSubspace);
            }

            bool breakdown = beta <= BreakdownTolerance * _normEstimate;
            bool conclusive = breakdown && IsConclusiveBreakdown();
            bool trustedStart = breakdown && _segmentLength == 1 && !_segmentIsRefill && !_segmentStartIsRandom;
            bool confirmed = conclusive || (_d >= _k
                && !_degenerate
                && (!breakdown || trustedStart)
                && (!_segmentIsRefill || _segmentLength >= RefillGuardSteps));

            StopReason verdict = CheckCriterion(confirmed);
            if (conclusive)
            {
                // Nothing outside the basis can change the wanted pairs: they are exact.
                return Finish(StopReason.Converged);
            }

            if (verdict == StopReason.Converged && confirmed)
            {
                return Finish(StopReason.Converged);
            }

            if (verdict != StopReason.None && verdict != StopReason.Converged)
            {
                return Finish(verdict);
            }

            if (breakdown && _segmentStartIsRandom)
            {
                _degenerate = true;
            }

            if (_d == _m)
            {
                Restart(beta);
            }

            if (breakdown)
            {
                if (!Refill())
                {
                    return Finish(StopReason.InvariantSubspace);
                }
            }
            else
            {
                double[] next = _basis[_d] ??= new double[_n];
                TensorPrimitives.Divide<double>(_w, beta, next);
            }
        }
    }

    /// <summary>
    /// Full re-orthogonalisation of _w against the first <paramref name="count"/> basis vectors: classical
    /// Gram–Schmidt twice, a third time if the second pass still removed much. Coefficients accumulate in
    /// _coefficients; returns the norm of what is left.
    /// </summary>
    private double Orthogonalise(int count)
    {
        VectorOps.ProjectOut(_basis, count, _w, _coefficients);
        double afterFirst = TensorPrimitives.Norm<double>(_w);
        VectorOps.ProjectOut(_basis, count, _w, _scratch);
        AddScratchToCoefficients(count);
        double beta = TensorPrimitives.Norm<double>(_w);
        if (beta < 0.5 * afterFirst && beta > BreakdownTolerance * _normEstimate)
        {
            VectorOps.ProjectOut(_basis, count, _w, _scratch);
            AddScratchToCoefficients(count);
            beta = TensorPrimitives.Norm<double>(_w);
        }

        return beta;
    }

    private void AddScratchToCoefficients(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _coefficients[i] += _scratch[i];
        }
    }

    /// <summary>Eigen-decomposes H_d and orders the Ritz values by preference.</summary>
    private void ComputeRitz()
    {
        int d = _d;
        for (int i = 0; i < d; i++)
        {
            _h.AsSpan(i * _m, d).CopyTo(_projected.AsSpan(i * d, d));
        }

        SymmetricEigenDecomposition.DecomposeCore(_projected.AsSpan(0, d * d), d, _ritzValues.AsSpan(0, d), _ritzVectors.AsSpan(0, d * d));
        _order = EigenOrdering.Order(_ritzValues.AsSpan(0, d), _target);
        _ritzDimension = d;
    }

    /// <summary>Residual ‖A x − θ x‖ = |bᵀ s| of the Ritz pair in column <paramref name="column"/> of H_d's eigenvectors.</summary>
    private double RitzResidual(int column)
    {
        int d = _d;
        double sum = 0;
        for (int l = 0; l < d; l++)
        {
            if (_coupling[l] != 0)
            {
                sum += _coupling[l] * _ritzVectors[l * d + column];
            }
        }

        return Math.Abs(sum);
    }

    /// <summary>True when the Ritz vector in <paramref name="column"/> lives (mostly) on the current segment's rows.</summary>
    private bool BelongsToSegment(int column)
    {
        int d = _d;
        double segmentWeight = 0;
        for (int l = _p; l < d; l++)
        {
            double s = _ritzVectors[l * d + column];
            segmentWeight += s * s;
        }

        return segmentWeight > 0.5;
    }

    /// <summary>
    /// At a breakdown: true when the segment started from a random vector and none of the eigenvalues it found is
    /// strictly more wanted than the k-th wanted Ritz value, so extra copies in the unexplored complement could not
    /// change the answer.
    /// </summary>
    private bool IsConclusiveBreakdown()
    {
        if (!_segmentStartIsRandom || _d < _k)
        {
            return false;
        }

        double kth = EigenOrdering.Preference(_ritzValues[_order[_k - 1]], _target);
        double tolerance = EqualityTolerance * Math.Max(_normEstimate, ResidualCriterion.TinyScale);
        for (int column = 0; column < _d; column++)
        {
            if (EigenOrdering.Preference(_ritzValues[column], _target) > kth + tolerance && BelongsToSegment(column))
            {
                return false;
            }
        }

        return true;
    }

    private StopReason CheckCriterion(bool confirmed)
    {
        int count = Math.Min(_k, _d);
        var values = new double[count];
        var residuals = new double[count];
        double scale = ResidualCriterion.TinyScale;
        for (int i = 0; i < count; i++)
        {
            int column = _order[i];
            values[i] = _ritzValues[column];
            residuals[i] = confirmed ? RitzResidual(column) : double.MaxValue;
            scale = Math.Max(scale, Math.Abs(values[i]));
        }

        double change = double.PositiveInfinity;
        if (confirmed)
        {
            if (_previousConfirmed is { } previous && previous.Length == count)
            {
                change = 0;
                for (int i = 0; i < count; i++)
                {
                    change = Math.Max(change, Math.Abs(values[i] - previous[i]) / scale);
                }
            }

            _previousConfirmed = values;
        }

        var state = new EigenIterationState(_iterations, _matvecs, values, residuals, change);
        return _setup.Criterion.Check(in state);
    }

    /// <summary>
    /// Thick restart: keep the most wanted Ritz vectors (those of the invariant part first, so it stays a leading
    /// block); H becomes diagonal, with the couplings to the next vector in b.
    /// </summary>
    private void Restart(double beta)
    {
        int d = _d;
        int keep = Math.Clamp(_k + (_m - _k) / 2, _k, _m - 2);

        // The k most wanted Ritz vectors are always kept. Beyond them only vectors of the current segment are kept:
        // the invariant part's other eigenvectors are less wanted than the k-th value and would only crowd out the
        // room the segment needs.
        var selected = new List<int>(keep);
        for (int i = 0; i < _order.Length && selected.Count < keep; i++)
        {
            if (i < _k || BelongsToSegment(_order[i]))
            {
                selected.Add(_order[i]);
            }
        }

        keep = selected.Count;
        var columns = new int[keep];
        int invariantKept = 0;
        foreach (int column in selected)
        {
            if (!BelongsToSegment(column))
            {
                columns[invariantKept++] = column;
            }
        }

        int next = invariantKept;
        foreach (int column in selected)
        {
            if (BelongsToSegment(column))
            {
                columns[next++] = column;
            }
        }

        int blockRows = Math.Min(RestartBlockRows, _n);
        _restartBlock ??= new double[_m * blockRows];
        VectorOps.TransformInPlace(_basis, d, _ritzVectors.AsSpan(0, d * d), d, columns, _restartBlock, blockRows);

        Array.Clear(_h);
        Array.Clear(_coupling);
        for (int i = 0; i < keep; i++)
        {
            _h[i * _m + i] = _ritzValues[columns[i]];
            _coupling[i] = i < invariantKept ? 0.0 : beta * _ritzVectors[(d - 1) * d + columns[i]];
        }

        _d = keep;
        _p = invariantKept;
        _ritzDimension = -1;
    }

    /// <summary>After a breakdown, starts a new segment from a random direction orthogonal to the (invariant) basis.</summary>
    private bool Refill()
    {
        _refillRandom ??= DeterministicRandom.ForStream(_setup.Options.Seed, SolverSetup.RefillStream);
        double[] next = _basis[_d] ??= new double[_n];
        for (int attempt = 0; attempt < 8; attempt++)
        {
            SolverSetup.FillRandomUnit(_refillRandom, next);
            if (VectorOps.OrthonormalizeAgainst(_basis, _d, next, _scratch))
            {
                Array.Clear(_coupling);
                _p = _d;
                _segmentLength = 0;
                _segmentStartIsRandom = true;
                _segmentIsRefill = true;
                return true;
            }
        }

        return false;
    }

    private EigenResult Finish(StopReason reason)
    {
        int d = _d;
        if (d > 0 && _ritzDimension != d)
        {
            ComputeRitz();
        }

        int count = Math.Min(_k, d);
        var values = new double[count];
        var vectors = new double[count][];
        var residuals = new double[count];
        for (int i = 0; i < count; i++)
        {
            int column = _order[i];
            values[i] = _ritzValues[column];
            residuals[i] = RitzResidual(column);
            var x = new double[_n];
            VectorOps.Combine(_basis, d, _ritzVectors.AsSpan(0, d * d), d, column, x);
            double norm = TensorPrimitives.Norm<double>(x);
            if (norm > 0 && double.IsFinite(norm))
            {
                TensorPrimitives.Divide<double>(x, norm, x);
            }

            vectors[i] = x;
        }

        return new EigenResult
        {
            Eigenvalues = values,
            Eigenvectors = vectors,
            Residuals = residuals,
            Iterations = _iterations,
            Matvecs = _matvecs,
            Converged = reason is StopReason.Converged or StopReason.InvariantSubspace,
            StopReason = reason,
        };
    }
}
