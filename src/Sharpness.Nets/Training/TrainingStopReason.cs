namespace Sharpness.Nets.Training;

/// <summary>Why a training run ended.</summary>
public enum TrainingStopReason
{
    /// <summary>The step budget <see cref="TrainerConfig.MaxSteps"/> was used up.</summary>
    StepBudget,

    /// <summary>The training accuracy reached <see cref="TrainerConfig.TrainAccuracyGoal"/>.</summary>
    AccuracyGoal,

    /// <summary>The training loss fell to <see cref="TrainerConfig.LossGoal"/> or below.</summary>
    LossGoal,

    /// <summary>
    /// The loss was not finite or exceeded <see cref="TrainerConfig.DivergenceThreshold"/>; the
    /// records up to and including that step are kept.
    /// </summary>
    Diverged,

    /// <summary>Cancellation was requested; the run stopped after the current step's record.</summary>
    Cancelled,
}
