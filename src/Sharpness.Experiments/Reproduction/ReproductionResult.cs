using Sharpness.Experiments.Jobs;

namespace Sharpness.Experiments.Reproduction;

/// <summary>What became of one experiment of a reproduction.</summary>
public enum ReproductionRunStatus
{
    /// <summary>Its folder held a complete run from an earlier, interrupted attempt, which is kept.</summary>
    Kept,

    /// <summary>It ran to a complete run.</summary>
    Done,

    /// <summary>It ran and failed; its folder is incomplete and is redone by a rerun.</summary>
    Failed,

    /// <summary>Cancellation stopped it at a step boundary; its folder is incomplete and is redone by a rerun.</summary>
    Interrupted,

    /// <summary>It never started (cancellation or another experiment's failure came first).</summary>
    NotStarted,
}

/// <summary>The outcome of one experiment of a reproduction.</summary>
/// <param name="Run">The experiment as planned.</param>
/// <param name="Status">What became of it.</param>
/// <param name="Seconds">Its wall time: this attempt's, or for a kept run the time its manifest records; 0 when it did not start.</param>
/// <param name="Failure">Why it failed, or null.</param>
public sealed record ReproductionRunOutcome(PlannedRun Run, ReproductionRunStatus Status, double Seconds, ReproductionExperimentFailure? Failure = null);

/// <summary>
/// The outcome of a reproduction run by <see cref="ReproductionRunner"/>: the plan, every experiment's outcome in the
/// list's order and, when every experiment completed, the claims measured from their outputs.
/// </summary>
/// <param name="Plan">The plan that ran.</param>
/// <param name="Resumed">Whether the folder held an interrupted reproduction with the same plan, resumed.</param>
/// <param name="Runs">The experiments' outcomes, in the list's order.</param>
/// <param name="Jobs">How many experiments ran side by side, and why.</param>
/// <param name="Interrupted">Whether cancellation stopped the reproduction before its last experiment ended.</param>
/// <param name="Claims">The measured claims in table order; empty unless <see cref="Complete"/>.</param>
/// <param name="StartedUtc">When the reproduction started.</param>
/// <param name="Elapsed">Its wall time, up to the claims' measurement.</param>
public sealed record ReproductionResult(
    ReproductionPlan Plan,
    bool Resumed,
    IReadOnlyList<ReproductionRunOutcome> Runs,
    JobPlan Jobs,
    bool Interrupted,
    IReadOnlyList<ClaimRecord> Claims,
    DateTimeOffset StartedUtc,
    TimeSpan Elapsed)
{
    /// <summary>The first failed experiment of the list, or null; the others that were running were stopped and are redone on a rerun.</summary>
    public ReproductionRunOutcome? Failure => Runs.FirstOrDefault(r => r.Status == ReproductionRunStatus.Failed);

    /// <summary>Whether every experiment completed and the claims were measured (then the writers can write the reports).</summary>
    public bool Complete => !Interrupted && Failure is null;
}

/// <summary>What a reproduction's notice is about.</summary>
public enum ReproductionNoticeKind
{
    /// <summary>The folder holds an interrupted reproduction with the same plan, which is resumed.</summary>
    Resuming,

    /// <summary>An experiment's complete run from the earlier attempt is kept.</summary>
    Kept,

    /// <summary>An experiment's incomplete earlier attempt was moved aside (never deleted) before it is redone.</summary>
    SetAside,

    /// <summary>The experiments to run start, on the decided jobs.</summary>
    Starting,

    /// <summary>An experiment ran to a complete run.</summary>
    Done,

    /// <summary>An experiment was stopped by cancellation.</summary>
    Interrupted,

    /// <summary>A part of an experiment that runs in parts (<see cref="ReproductionExperiment.Shards"/>) finished; the experiment itself runs after its last part.</summary>
    PartDone,
}

/// <summary>A status line of a reproduction (<see cref="ReproductionRunner.Notice"/>): what happened, and the line the command line prints for it.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Index">The experiment's index in <see cref="ReproductionPlan.Runs"/>, or null for the reproduction as a whole.</param>
/// <param name="Message">The status line.</param>
public sealed record ReproductionNotice(ReproductionNoticeKind Kind, int? Index, string Message);
