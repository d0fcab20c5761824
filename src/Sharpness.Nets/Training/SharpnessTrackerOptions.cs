using Sharpness.Core.Eigen;
using Sharpness.Nets.Hessian;
using static TorchSharp.torch;

namespace Sharpness.Nets.Training;

/// <summary>
/// How <see cref="SharpnessTracker"/> measures: how often, on how many examples, in which precision,
/// and the Lanczos settings. Every property has a default; <see cref="Validate"/> checks them.
/// </summary>
public sealed record SharpnessTrackerOptions
{
    /// <summary>Default <see cref="MeasurementExamples"/>: the first 5,000 training examples (Cohen et al.).</summary>
    public const int DefaultMeasurementExamples = 5000;

    /// <summary>Measure at every step t with t mod k = 0 (steps 0, k, 2k, …); k ≥ 1, default 1 (every step).</summary>
    public int Interval { get; init; } = 1;

    /// <summary>Number of top Hessian eigenvalues computed per measurement, ≥ 1. Default 1.</summary>
    public int Count { get; init; } = 1;

    /// <summary>
    /// Size M ≥ 1 of the measurement set: the first M training examples in order, or all of them when
    /// the training set is smaller. Default <see cref="DefaultMeasurementExamples"/>.
    /// </summary>
    public int MeasurementExamples { get; init; } = DefaultMeasurementExamples;

    /// <summary>
    /// Type of the Hessian-vector products and of the measurement-set statistics: Float64 (default) or
    /// Float32. The model is copied into this type, so training may run in float32.
    /// </summary>
    public ScalarType Precision { get; init; } = ScalarType.Float64;

    /// <summary>Examples per batch of a Hessian-vector product, ≥ 1 (memory only; see <see cref="AutogradHessianOperator"/>). Default 1000.</summary>
    public int HvpBatchSize { get; init; } = AutogradHessianOperator.DefaultBatchSize;

    /// <summary>
    /// Keep every batch's gradient graph between the Hessian-vector products of a measurement when their estimated
    /// memory is within <see cref="AutogradHessianOperator.RetainedGraphBudgetBytes"/> (fully connected networks;
    /// see <see cref="AutogradHessianOperator.EstimatedRetainedGraphBytes"/>): about 40% fewer operations per product,
    /// bit-identical results. Default true; false rebuilds the graphs at every product (memory of one batch's graph).
    /// </summary>
    public bool RetainGraphs { get; init; } = true;

    /// <summary>Budget of Hessian-vector products per measurement, ≥ 1. Default 500.</summary>
    public int MaxMatvecs { get; init; } = 500;

    /// <summary>
    /// Lanczos stops when every wanted residual ‖Hv − λv‖ is at most this times the largest wanted |λ|
    /// (<see cref="StopCriteria.Residual(double)"/>); positive and finite. The eigenvalue error is of
    /// the order of the squared residual over the spectral gap, about tol² λ/gap relative: the default
    /// 1e-5 gives 1e-8 relative at a gap of 1% of λ. Tighter tolerances cost more products and shrink
    /// the saving of warm starts.
    /// </summary>
    public double ResidualTolerance { get; init; } = 1e-5;

    /// <summary>
    /// Lanczos basis size before a thick restart (0, the default, lets <see cref="Lanczos"/> choose);
    /// see <see cref="EigenSolverOptions.MaxBasisSize"/>.
    /// </summary>
    public int MaxBasisSize { get; init; }

    /// <summary>
    /// Start each measurement from the previous measurement's eigenvectors (their sum when
    /// <see cref="Count"/> &gt; 1) instead of a random vector. Default true. The first measurement, and
    /// any after one that produced no usable vectors, start cold.
    /// </summary>
    public bool WarmStart { get; init; } = true;

    /// <summary>
    /// Also project the outputs, targets and NTK of the measurement set on the function-space
    /// direction of the top eigenvector (<see cref="FunctionSpaceProjection"/>, into
    /// <see cref="SharpnessMeasurement.Projection"/>): two more passes over the measurement set, about
    /// the cost of one Hessian-vector product. Squared-error losses only. Default false.
    /// </summary>
    public bool ProjectOnTopEigenvector { get; init; }

    /// <summary>Seed of the deterministic cold start vector (and of any fresh directions Lanczos draws). Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Whether step <paramref name="step"/> is a measurement step (t mod <see cref="Interval"/> = 0).</summary>
    /// <param name="step">Step index t ≥ 0.</param>
    public bool IsDue(int step) => step >= 0 && step % Interval == 0;

    /// <summary>Checks every setting and throws on the first problem, naming the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ThrowIfBelow(Interval, 1, nameof(Interval));
        ThrowIfBelow(Count, 1, nameof(Count));
        ThrowIfBelow(MeasurementExamples, 1, nameof(MeasurementExamples));
        ThrowIfBelow(HvpBatchSize, 1, nameof(HvpBatchSize));
        ThrowIfBelow(MaxMatvecs, 1, nameof(MaxMatvecs));
        ThrowIfBelow(MaxBasisSize, 0, nameof(MaxBasisSize));
        if (Precision is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "Measurements run in Float32 or Float64.");
        }

        if (!(ResidualTolerance > 0) || !double.IsFinite(ResidualTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(ResidualTolerance), ResidualTolerance, "The residual tolerance must be positive and finite.");
        }
    }

    private static void ThrowIfBelow(int value, int minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {minimum}.");
        }
    }
}
