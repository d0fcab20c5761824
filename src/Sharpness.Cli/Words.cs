using System.Globalization;

namespace Sharpness.Cli;

/// <summary>Counted nouns and other small pieces of the sentences the commands print.</summary>
internal static class Words
{
    /// <summary>"1 file", "2 files": the count and the noun in the right number.</summary>
    /// <param name="count">How many.</param>
    /// <param name="singular">The noun for one.</param>
    /// <param name="plural">The noun for several (default: the singular plus "s").</param>
    public static string Count(long count, string singular, string? plural = null) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? singular : plural ?? singular + "s");

    /// <summary>Why a training run stopped, as a reader would say it.</summary>
    /// <param name="reason">The trainer's stop reason.</param>
    public static string StopReason(Sharpness.Nets.Training.TrainingStopReason reason) => reason switch
    {
        Sharpness.Nets.Training.TrainingStopReason.StepBudget => "the step budget (--steps) was used up",
        Sharpness.Nets.Training.TrainingStopReason.AccuracyGoal => "the training accuracy reached --accuracy-goal",
        Sharpness.Nets.Training.TrainingStopReason.LossGoal => "the training loss reached --loss-goal",
        Sharpness.Nets.Training.TrainingStopReason.Diverged => "the loss diverged",
        Sharpness.Nets.Training.TrainingStopReason.Cancelled => "interrupted",
        _ => reason.ToString(),
    };
}
