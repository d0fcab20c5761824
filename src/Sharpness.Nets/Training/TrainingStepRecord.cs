namespace Sharpness.Nets.Training;

/// <summary>
/// What a training run records at step t: the loss and accuracy at the parameters θ_t (before the
/// step's update; step 0 is the initialisation), the learning rate of the step and, on measurement
/// steps, the sharpness columns. On other steps the sharpness columns are NaN (null for the count and
/// the flag).
/// </summary>
/// <remarks>
/// For full-batch gradient descent, <see cref="Loss"/> and <see cref="Accuracy"/> are exact over the
/// whole training set (a by-product of the gradient). For SGD they are those of the step's mini-batch;
/// the whole-set values are in <see cref="Measurement"/> on measurement steps.
/// </remarks>
public sealed record TrainingStepRecord
{
    /// <summary>Step index t (0 = initialisation).</summary>
    public required int Step { get; init; }

    /// <summary>Mean loss at θ_t over <see cref="Examples"/> examples, in the run's loss convention.</summary>
    public required double Loss { get; init; }

    /// <summary>Accuracy at θ_t over the same examples (fraction in [0, 1]); NaN for a single output.</summary>
    public required double Accuracy { get; init; }

    /// <summary>Number of examples <see cref="Loss"/> and <see cref="Accuracy"/> average over (N for gradient descent, the mini-batch size for SGD).</summary>
    public required int Examples { get; init; }

    /// <summary>
    /// The learning rate η_t of step t (warm-up applied): the update θ_t → θ_{t+1} uses it. The last
    /// record of a run reports the rate of the update that was not taken.
    /// </summary>
    public required double LearningRate { get; init; }

    /// <summary>
    /// The run's peak learning rate η (<see cref="TrainingResult.LearningRate"/>: the given η, or c/λ_H(0)),
    /// known from step 0 on, so a record streamed while the run trains can be scaled as the finished run is.
    /// NaN when the record was not made by <see cref="Trainer"/>.
    /// </summary>
    public double PeakLearningRate { get; init; } = double.NaN;

    /// <summary>The sharpness measurement at θ_t, or null on steps without one.</summary>
    public SharpnessMeasurement? Measurement { get; init; }

    /// <summary>Top Hessian eigenvalue λ_H at θ_t; NaN when not measured.</summary>
    public double Sharpness => Measurement?.Sharpness ?? double.NaN;

    /// <summary>Stability threshold (2 + 2β)/η_t; NaN when not measured.</summary>
    public double Threshold => Measurement?.Threshold ?? double.NaN;

    /// <summary>Residual ‖Hv − λ_H v‖ of the sharpness; NaN when not measured.</summary>
    public double Residual => Measurement?.Residual ?? double.NaN;

    /// <summary>Hessian-vector products of the measurement; null (NaN in tables) when not measured.</summary>
    public int? Matvecs => Measurement?.Matvecs;

    /// <summary>Whether the measurement converged; null (NaN in tables) when not measured.</summary>
    public bool? Converged => Measurement?.Converged;
}
