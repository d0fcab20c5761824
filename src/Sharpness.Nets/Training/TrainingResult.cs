using Sharpness.Nets.Hessian;

namespace Sharpness.Nets.Training;

/// <summary>The outcome of <see cref="Trainer.Run"/>.</summary>
public sealed class TrainingResult
{
    /// <summary>
    /// One record per step, steps 0..<see cref="StepsCompleted"/> in order. A diverged run keeps every
    /// step up to and including the one at which divergence was detected.
    /// </summary>
    public required IReadOnlyList<TrainingStepRecord> Records { get; init; }

    /// <summary>The sharpness measurements in step order (the non-null <see cref="TrainingStepRecord.Measurement"/>s).</summary>
    public required IReadOnlyList<SharpnessMeasurement> Measurements { get; init; }

    /// <summary>The resolved peak learning rate η (after c/λ_H(0) when relative; before warm-up scaling).</summary>
    public required double LearningRate { get; init; }

    /// <summary>
    /// λ_H(0), the sharpness at initialisation on the measurement set: measured when the learning rate is
    /// relative or tracking is on; NaN otherwise.
    /// </summary>
    public required double InitialSharpness { get; init; }

    /// <summary>Whether the run diverged (a loss that was not finite or exceeded the divergence threshold).</summary>
    public required bool Diverged { get; init; }

    /// <summary>The step whose loss showed the divergence (its record is the last one), or null.</summary>
    public int? DivergedAtStep { get; init; }

    /// <summary>Why the run ended.</summary>
    public required TrainingStopReason StopReason { get; init; }

    /// <summary>The loss the run used; state its <see cref="LossFunction.Convention"/> with every number.</summary>
    public required LossFunction Loss { get; init; }

    /// <summary>The settings of the run.</summary>
    public required TrainerConfig Config { get; init; }

    /// <summary>Index of the last record, which equals the number of updates applied.</summary>
    public int StepsCompleted => Records.Count - 1;
}
