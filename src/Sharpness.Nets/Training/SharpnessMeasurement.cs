using Sharpness.Core.Eigen;
using Sharpness.Nets.Hessian;

namespace Sharpness.Nets.Training;

/// <summary>
/// One sharpness measurement at the parameters θ_t of step t: the top Hessian eigenvalues of the mean
/// training loss on the measurement set with their Lanczos diagnostics, the stability threshold, and
/// the output, loss and accuracy statistics at the same point.
/// </summary>
/// <remarks>
/// Eigenvalues are those of the Hessian of L = (1/M) Σ_i ℓ_i over the M measurement examples in the
/// trainer's loss convention (state it next to every number: the two MSE conventions differ by the
/// class count). Losses are mean losses in that convention; accuracies are fractions in [0, 1].
/// </remarks>
public sealed record SharpnessMeasurement
{
    /// <summary>Step index t (0 = initialisation); the measurement is taken before step t's update.</summary>
    public required int Step { get; init; }

    /// <summary>Top Hessian eigenvalues, largest first (fewer than requested, possibly none, if Lanczos stopped early).</summary>
    public required IReadOnlyList<double> Eigenvalues { get; init; }

    /// <summary>Absolute residuals ‖H v_i − λ_i v_i‖ of <see cref="Eigenvalues"/>, same order.</summary>
    public required IReadOnlyList<double> Residuals { get; init; }

    /// <summary>Hessian-vector products this measurement used.</summary>
    public required int Matvecs { get; init; }

    /// <summary>Whether Lanczos met its residual tolerance for every wanted eigenvalue.</summary>
    public required bool Converged { get; init; }

    /// <summary>Why Lanczos stopped.</summary>
    public required StopReason StopReason { get; init; }

    /// <summary>Whether Lanczos started from the previous measurement's eigenvectors (false: deterministic cold start).</summary>
    public required bool WarmStarted { get; init; }

    /// <summary>Learning rate η_t of step t (after warm-up scaling); NaN when not known.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Heavy-ball momentum β of the run (0 for plain gradient descent).</summary>
    public required double Momentum { get; init; }

    /// <summary>Number of examples M in the measurement set.</summary>
    public required int MeasurementExamples { get; init; }

    /// <summary>‖f‖: the Frobenius norm of the network outputs [M, k] on the measurement set.</summary>
    public required double OutputNorm { get; init; }

    /// <summary>
    /// ⟨f, y⟩: the Frobenius inner product of the outputs with the targets on the measurement set
    /// (one-hot targets for cross-entropy).
    /// </summary>
    public required double OutputTargetInnerProduct { get; init; }

    /// <summary>‖y‖: the Frobenius norm of the targets on the measurement set (one-hot for cross-entropy).</summary>
    public required double TargetNorm { get; init; }

    /// <summary>Mean loss on the measurement set (the L whose Hessian is measured).</summary>
    public required double MeasurementLoss { get; init; }

    /// <summary>Mean loss on the whole training set.</summary>
    public required double TrainLoss { get; init; }

    /// <summary>Accuracy on the whole training set; NaN for a single output (k = 1).</summary>
    public required double TrainAccuracy { get; init; }

    /// <summary>Mean loss on the test set; NaN without a test set.</summary>
    public required double TestLoss { get; init; }

    /// <summary>Accuracy on the test set; NaN without a test set or for a single output.</summary>
    public required double TestAccuracy { get; init; }

    /// <summary>
    /// The measurement set's outputs, targets and NTK projected on the function-space direction of the
    /// top eigenvector, when <see cref="SharpnessTrackerOptions.ProjectOnTopEigenvector"/> asked for it
    /// (null otherwise, or when Lanczos returned no eigenvector).
    /// </summary>
    public FunctionSpaceProjection? Projection { get; init; }

    /// <summary>The sharpness λ_H: the top eigenvalue, or NaN if Lanczos produced none.</summary>
    public double Sharpness => Eigenvalues.Count > 0 ? Eigenvalues[0] : double.NaN;

    /// <summary>Residual of <see cref="Sharpness"/>, or NaN.</summary>
    public double Residual => Residuals.Count > 0 ? Residuals[0] : double.NaN;

    /// <summary>The stability threshold (2 + 2β)/η_t (2/η_t without momentum); NaN when η_t is unknown.</summary>
    public double Threshold => StabilityThreshold(LearningRate, Momentum);

    /// <summary>
    /// The largest sharpness at which heavy-ball gradient descent with rate η and momentum β is stable
    /// on a quadratic: (2 + 2β)/η, i.e. 2/η for plain gradient descent.
    /// </summary>
    /// <param name="learningRate">η &gt; 0 (NaN gives NaN).</param>
    /// <param name="momentum">β in [0, 1).</param>
    public static double StabilityThreshold(double learningRate, double momentum) => (2 + (2 * momentum)) / learningRate;
}
