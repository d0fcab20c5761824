using Sharpness.Experiments.Progress;
using Sharpness.Runs;
using Sharpness.Runs.Safety;
using Sharpness.Runs.Sweeps;

namespace Sharpness.Experiments.Sweeps;

/// <summary>
/// <c>sweep run</c> as a library call: every point of a sweep (or of one shard) in its own run
/// folder named from its settings, complete runs skipped and incomplete ones redone, so a rerun
/// after an interruption gives the result of an uninterrupted sweep.
/// </summary>
/// <param name="runner">Runs the points (the command line's, or one written for an experiment).</param>
public sealed class SweepRunner(ISweepPointRunner runner)
{
    /// <summary>The task path of the progress snapshots.</summary>
    public const string Task = "sweep";

    private readonly ISweepPointRunner _runner = runner ?? throw new ArgumentNullException(nameof(runner));

    /// <summary>Raised after every point (done, skipped, failed or interrupted), on the sweep's thread.</summary>
    public event EventHandler<SweepPointFinished>? PointFinished;

    /// <summary>Loads the specification, expands it, takes this shard's points and checks each against the command; nothing is written.</summary>
    /// <param name="options">The sweep.</param>
    /// <param name="cancellationToken">Stops the checks between points with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="InvalidOptionException">The specification is unreadable or malformed, a point does not fit the command (<c>spec</c>), no results folder is given or it is a file (<c>--out</c>), or the shard is out of range (<c>--shard</c>).</exception>
    public SweepRunPlan Plan(SweepRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        SweepSpec spec;
        long count;
        try
        {
            spec = SweepSpec.Load(Path.GetFullPath(options.Spec));
            count = SweepPlan.Count(spec);
        }
        catch (SweepSpecException e)
        {
            throw new InvalidOptionException("spec", e.Message);
        }

        string results = options.Out is { } given ? Path.GetFullPath(given)
            : spec.Out is { } specOut ? Path.GetFullPath(specOut)
            : throw new InvalidOptionException("--out", "give the results folder with --out or the spec's \"out\".");
        if (File.Exists(results))
        {
            throw new InvalidOptionException("--out", $"'{results}' is a file, not a folder.");
        }

        if (options.Shards < 1 || options.Shard < 0 || options.Shard >= options.Shards)
        {
            throw new InvalidOptionException("--shard", $"expected i/N with 0 <= i < N, got '{options.Shard}/{options.Shards}'.");
        }

        _runner.CheckCommand(spec.Command);
        // Only this shard's points are computed (one at a time from their index), never the whole grid.
        var planned = SweepPlan.ShardOf(spec, options.Shard, options.Shards).Select(p => new SweepPlannedPoint(p, Path.Combine(results, p.Directory))).ToArray();
        foreach (var point in planned)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _runner.CheckPoint(spec.Command, point);
        }

        return new SweepRunPlan(spec, results, options.Shard, options.Shards, (int)count, planned);
    }

    /// <summary>Plans the sweep (<see cref="Plan"/>) and runs it.</summary>
    /// <param name="options">The sweep.</param>
    /// <param name="progress">Receives "runs" snapshots of the sweep and, nested under <c>sweep/&lt;folder&gt;</c>, those of the current run; null for none.</param>
    /// <param name="cancellationToken">Stops the current run at a step boundary and the sweep after it; the result says so (<see cref="SweepRunResult.Interrupted"/>).</param>
    /// <exception cref="InvalidOptionException">The sweep cannot be planned.</exception>
    public SweepRunResult Run(SweepRunOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(Plan(options, cancellationToken), progress, cancellationToken);

    /// <summary>Runs a planned sweep: skips points whose folder holds a complete run, runs the others in order.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="progress">Receives "runs" snapshots of the sweep and, nested under <c>sweep/&lt;folder&gt;</c>, those of the current run; null for none.</param>
    /// <param name="cancellationToken">Stops the current run at a step boundary and the sweep after it; the result says so (<see cref="SweepRunResult.Interrupted"/>).</param>
    public SweepRunResult Run(SweepRunPlan plan, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);

        // One unsharded sweep per results folder; the shards of a sweep share it (shared lock), and
        // each point's command locks its own run folder.
        FolderLock held;
        try
        {
            held = RunDirectory.CreateAndLock(plan.Results, shared: plan.Shards > 1).Lock;
        }
        catch (FolderInUseException e)
        {
            throw new InvalidOptionException("--out", e.Message + (plan.Shards > 1 ? string.Empty : " (shards of one sweep share a folder: give each --shard i/N)"));
        }

        using var sweepLock = held;
        var tracker = new ProgressTracker(progress, Task, plan.Points.Count, "runs");
        var outcomes = new List<SweepPointOutcome>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int ran = 0;
        bool interrupted = false;
        for (int k = 0; k < plan.Points.Count && !interrupted; k++)
        {
            var point = plan.Points[k];
            SweepPointOutcome outcome;
            if (RunDirectory.HoldsCompleteRun(point.Folder))
            {
                outcome = new SweepPointOutcome(point, SweepPointStatus.Skipped, null);
            }
            else if (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }
            else
            {
                ran++;
                try
                {
                    // A folder the command would refuse (an unfinished manifest, files it did not write) is moved aside, never deleted.
                    string? setAside = RunDirectory.PrepareRedo(point.Folder);
                    string kept = setAside is null ? string.Empty : $" (the earlier incomplete attempt is kept as {Path.GetFileName(setAside)})";
                    string? failure;

                    // Every folder the point claims is released when it ends, however it ends.
                    using (ClaimScope.Begin())
                    {
                        failure = _runner.Run(plan.Spec.Command, point, NestedProgress.Under(progress, $"{Task}/{point.Point.Directory}"), cancellationToken);
                    }

                    outcome = new SweepPointOutcome(point, failure is null ? SweepPointStatus.Done : SweepPointStatus.Failed, failure is null ? (setAside is null ? null : kept.Trim()) : failure + kept);
                }
                catch (FolderInUseException e)
                {
                    outcome = new SweepPointOutcome(point, SweepPointStatus.Failed, e.Message);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    outcome = new SweepPointOutcome(point, SweepPointStatus.Interrupted, null);
                    interrupted = true;
                }
            }

            outcomes.Add(outcome);
            int left = plan.Points.Count - k - 1;
            TimeSpan? remaining = ran > 0 && left > 0 ? TimeSpan.FromSeconds(Math.Ceiling(clock.Elapsed.TotalSeconds / ran * left)) : null;
            tracker.Report(k + 1, message: $"{point.Point.Directory}: {outcome.Status.ToString().ToLowerInvariant()}");
            PointFinished?.Invoke(this, new SweepPointFinished(k + 1, plan.Points.Count, outcome, remaining));
            interrupted |= cancellationToken.IsCancellationRequested;
        }

        if (!interrupted)
        {
            tracker.Complete();
        }

        return new SweepRunResult(plan, outcomes, interrupted);
    }
}
