using System.Numerics.Tensors;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;

namespace Sharpness.Core.Eigen;

/// <summary>Validated, normalised solver inputs shared by the solvers.</summary>
internal sealed class SolverSetup
{
    internal const string CountParameter = "options.Count";
    internal const string StartVectorParameter = "options.StartVector";
    internal const string MaxBasisSizeParameter = "options.MaxBasisSize";
    internal const string TargetParameter = "options.Target";

    /// <summary>Random stream used for the start vector.</summary>
    internal const ulong StartStream = 0;

    /// <summary>Random stream used for fresh directions after a breakdown or a rank-deficient block.</summary>
    internal const ulong RefillStream = 1;

    private SolverSetup(
        ILinearOperator op,
        EigenSolverOptions options,
        IEigenStopCriterion criterion,
        double[] start,
        bool startIsRandom)
    {
        Operator = op;
        Options = options;
        Criterion = criterion;
        Start = start;
        StartIsRandom = startIsRandom;
    }

    public ILinearOperator Operator { get; }

    public EigenSolverOptions Options { get; }

    public int Size => Operator.Size;

    public int Count => Options.Count;

    public EigenTarget Target => Options.Target;

    public IEigenStopCriterion Criterion { get; }

    public CancellationToken Token => Options.CancellationToken;

    /// <summary>Unit-norm start vector (a private copy).</summary>
    public double[] Start { get; }

    /// <summary>True when <see cref="Start"/> was drawn at random rather than supplied.</summary>
    public bool StartIsRandom { get; }

    public static SolverSetup Create(ILinearOperator op, EigenSolverOptions? options)
    {
        ArgumentNullException.ThrowIfNull(op);
        options ??= new EigenSolverOptions();
        int n = op.Size;
        if (n < 1)
        {
            throw new ArgumentException($"The operator size must be at least 1, got {n}.", nameof(op));
        }

        if (options.Count < 1 || options.Count > n)
        {
            throw new ArgumentOutOfRangeException(
                CountParameter,
                options.Count,
                $"Count must be between 1 and the operator size {n}.");
        }

        if (!Enum.IsDefined(options.Target))
        {
            throw new ArgumentOutOfRangeException(TargetParameter, options.Target, "Unknown eigen target.");
        }

        if (options.MaxBasisSize < 0)
        {
            throw new ArgumentOutOfRangeException(
                MaxBasisSizeParameter,
                options.MaxBasisSize,
                "MaxBasisSize must be 0 (automatic) or positive.");
        }

        double[] start;
        bool startIsRandom;
        if (options.StartVector is { } given)
        {
            if (given.Length != n)
            {
                throw new ArgumentException(
                    $"The start vector has length {given.Length} but the operator size is {n}.",
                    StartVectorParameter);
            }

            if (!TensorPrimitives.IsFiniteAll<double>(given))
            {
                throw new ArgumentException("The start vector contains NaN or infinite entries.", StartVectorParameter);
            }

            start = (double[])given.Clone();
            double norm = TensorPrimitives.Norm<double>(start);
            if (norm == 0)
            {
                throw new ArgumentException("The start vector is zero.", StartVectorParameter);
            }

            if (!double.IsFinite(norm))
            {
                // Entries are finite but the sum of squares overflowed: rescale first.
                TensorPrimitives.Divide(start, TensorPrimitives.MaxMagnitude<double>(start), start);
                norm = TensorPrimitives.Norm<double>(start);
            }

            TensorPrimitives.Divide(start, norm, start);
            startIsRandom = false;
        }
        else
        {
            start = new double[n];
            FillRandomUnit(DeterministicRandom.ForStream(options.Seed, StartStream), start);
            startIsRandom = true;
        }

        IEigenStopCriterion criterion = options.StopCriterion ?? StopCriteria.Default();
        return new SolverSetup(op, options, criterion, start, startIsRandom);
    }

    /// <summary>Fills <paramref name="destination"/> with a Gaussian vector scaled to unit norm.</summary>
    public static void FillRandomUnit(DeterministicRandom random, Span<double> destination)
    {
        double norm;
        do
        {
            random.FillGaussian(destination);
            norm = TensorPrimitives.Norm<double>(destination);
        }
        while (norm == 0);

        TensorPrimitives.Divide(destination, norm, destination);
    }
}
