using Sharpness.Runs.Sweeps;

namespace Sharpness.Experiments.Sweeps;

/// <summary>The points of one shard of a sweep, each with its run folder, checked against the command before any runs.</summary>
/// <param name="Spec">The specification.</param>
/// <param name="Results">The absolute results folder.</param>
/// <param name="Shard">This shard's index.</param>
/// <param name="Shards">The number of shards.</param>
/// <param name="AllPoints">Points of the whole sweep.</param>
/// <param name="Points">This shard's points, in index order.</param>
/// <param name="Jobs">The <c>--jobs</c> asked for (null: the default).</param>
/// <param name="Costs">What each point's run needs, in the order of <paramref name="Points"/>.</param>
public sealed record SweepRunPlan(SweepSpec Spec, string Results, int Shard, int Shards, int AllPoints, IReadOnlyList<SweepPlannedPoint> Points, int? Jobs, IReadOnlyList<SweepPointCost> Costs)
{
    /// <summary>The record of the sweep's execution in the results folder: sweep-run.json, or sweep-run.shard-I-of-N.json for a shard.</summary>
    public string RecordFile => Path.Combine(Results, SweepRunner.RecordName(Shard, Shards));
}

/// <summary>A point of a sweep and its run folder.</summary>
/// <param name="Point">The point: index, settings, varied settings, folder name.</param>
/// <param name="Folder">The absolute run folder.</param>
public sealed record SweepPlannedPoint(SweepPoint Point, string Folder);

/// <summary>What happened to a point.</summary>
public enum SweepPointStatus
{
    /// <summary>It ran and its folder holds a complete run.</summary>
    Done,

    /// <summary>Its folder already held a complete run.</summary>
    Skipped,

    /// <summary>It ran and failed; its folder is incomplete and is redone by a rerun.</summary>
    Failed,

    /// <summary>It was stopped by cancellation; its folder is incomplete and is redone by a rerun.</summary>
    Interrupted,
}

/// <summary>The outcome of one point.</summary>
/// <param name="Point">The point.</param>
/// <param name="Status">What happened.</param>
/// <param name="Reason">For a failure, the first line of its error; for a point redone after its earlier incomplete attempt was moved aside, where it was moved; otherwise null.</param>
public sealed record SweepPointOutcome(SweepPlannedPoint Point, SweepPointStatus Status, string? Reason);

/// <summary>A point has finished (or been skipped): the data of a progress line.</summary>
/// <param name="Number">1-based position in the shard.</param>
/// <param name="Count">Points in the shard.</param>
/// <param name="Outcome">The outcome.</param>
/// <param name="Remaining">Estimated time for the points left (elapsed time per point run so far times the points left to run, divided by the jobs); null before any point ran or after the last.</param>
public sealed record SweepPointFinished(int Number, int Count, SweepPointOutcome Outcome, TimeSpan? Remaining);

/// <summary>The outcome of a sweep run by <see cref="SweepRunner"/>: one outcome per point reached.</summary>
/// <param name="Plan">The plan that ran.</param>
/// <param name="Outcomes">The points reached, in order; after an interruption the rest are missing.</param>
/// <param name="Interrupted">Whether cancellation stopped the sweep before its last point.</param>
/// <param name="Jobs">How many points ran side by side, and why.</param>
public sealed record SweepRunResult(SweepRunPlan Plan, IReadOnlyList<SweepPointOutcome> Outcomes, bool Interrupted, Jobs.JobPlan Jobs)
{
    /// <summary>Points that ran to a complete run.</summary>
    public int Done => Outcomes.Count(o => o.Status == SweepPointStatus.Done);

    /// <summary>Points whose complete run was already there.</summary>
    public int Skipped => Outcomes.Count(o => o.Status == SweepPointStatus.Skipped);

    /// <summary>Points that failed.</summary>
    public IReadOnlyList<SweepPointOutcome> Failures => [.. Outcomes.Where(o => o.Status == SweepPointStatus.Failed)];
}
