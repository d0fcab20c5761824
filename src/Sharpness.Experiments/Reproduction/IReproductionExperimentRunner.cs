using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Sweeps;

namespace Sharpness.Experiments.Reproduction;

/// <summary>
/// Runs the experiments of a reproduction for <see cref="ReproductionRunner"/>, each into its own run folder. The
/// command line implements it by running each experiment's command line in-process (every experiment of
/// <see cref="ExperimentList"/> is a command line); code that runs a reproduction can implement it directly.
/// </summary>
public interface IReproductionExperimentRunner
{
    /// <summary>
    /// Runs an experiment into its folder (<see cref="PlannedRun.Folder"/>, which holds no complete run), or one part of it
    /// when <see cref="PlannedRun.Shard"/> is set (its command line then ends with <c>--shard i/N</c>, see
    /// <see cref="PlannedRun.ArgumentsWithOut"/>): the part writes its share into the folder beside the other parts and
    /// leaves it incomplete, and the experiment itself, run after its last part, completes it.
    /// </summary>
    /// <param name="run">The experiment (or part), its folder and its arguments.</param>
    /// <param name="progress">The progress of the experiment's own tasks, or null.</param>
    /// <param name="cancellationToken">Stops the run at a step boundary with <see cref="OperationCanceledException"/>, leaving the folder incomplete.</param>
    /// <returns>Null when the folder now holds a complete run (for a part: when the part is done); otherwise why it does not.</returns>
    ReproductionExperimentFailure? Run(PlannedRun run, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// What an experiment's run needs (its memory bounds how many run side by side). The default: one thread,
    /// memory not estimated (then only the cores bound the jobs).
    /// </summary>
    /// <param name="run">The experiment.</param>
    SweepPointCost Cost(PlannedRun run) => SweepPointCost.Unknown;
}

/// <summary>Why an experiment of a reproduction did not complete.</summary>
/// <param name="Code">The runner's code for the failure (the command line's: the experiment's exit code).</param>
/// <param name="Reason">What went wrong, in one line.</param>
public sealed record ReproductionExperimentFailure(int Code, string Reason);
