using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Jobs;
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

        int? jobs = JobPlan.Check(options.Jobs);
        string recordFile = Path.Combine(results, RecordName(options.Shard, options.Shards));
        if (RecordProblem(recordFile) is { } foreign)
        {
            throw new InvalidOptionException("--out", foreign);
        }

        _runner.CheckCommand(spec.Command);
        // Only this shard's points are computed (one at a time from their index), never the whole grid.
        var planned = SweepPlan.ShardOf(spec, options.Shard, options.Shards).Select(p => new SweepPlannedPoint(p, Path.Combine(results, p.Directory))).ToArray();
        foreach (var point in planned)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _runner.CheckPoint(spec.Command, point);
        }

        var costs = planned.Select(p => _runner.Cost(spec.Command, p)).ToArray();
        if (jobs > 1 && Array.FindIndex(costs, c => c.Threads > 1) is int threaded and >= 0)
        {
            throw new InvalidOptionException("--jobs", string.Create(CultureInfo.InvariantCulture,
                $"points run side by side are single-threaded (LibTorch's thread count is process-wide), but point {planned[threaded].Point.Index} ({planned[threaded].Point.Directory}) sets threads = {costs[threaded].Threads}; use --jobs 1, or threads = 1."));
        }

        return new SweepRunPlan(spec, results, options.Shard, options.Shards, (int)count, planned, jobs, costs);
    }

    /// <summary>Plans the sweep (<see cref="Plan"/>) and runs it.</summary>
    /// <param name="options">The sweep.</param>
    /// <param name="progress">Receives "runs" snapshots of the sweep and, nested under <c>sweep/&lt;folder&gt;</c>, those of the current run; null for none.</param>
    /// <param name="cancellationToken">Stops the current run at a step boundary and the sweep after it; the result says so (<see cref="SweepRunResult.Interrupted"/>).</param>
    /// <exception cref="InvalidOptionException">The sweep cannot be planned.</exception>
    public SweepRunResult Run(SweepRunOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(Plan(options, cancellationToken), progress, cancellationToken);

    /// <summary>
    /// Runs a planned sweep: skips points whose folder holds a complete run and runs the others on
    /// <see cref="SweepRunOptions.Jobs"/> jobs (<see cref="JobScheduler"/>), starting them in index order. Outcomes,
    /// <see cref="PointFinished"/> and the "runs" snapshots come in point order whatever order the runs finish in.
    /// Writes the sweep's record (<see cref="SweepRunPlan.RecordFile"/>: the shard, the jobs and why, the counts)
    /// when it starts and when it ends.
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="progress">Receives "runs" snapshots of the sweep and, nested under <c>sweep/&lt;folder&gt;</c> and stamped with their job, those of the running points; null for none.</param>
    /// <param name="cancellationToken">Stops the running points at a step boundary and starts no more; the result says so (<see cref="SweepRunResult.Interrupted"/>).</param>
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

        // Checked again under the lock: the record replaces only a record of a sweep.
        if (RecordProblem(plan.RecordFile) is { } foreign)
        {
            throw new InvalidOptionException("--out", foreign);
        }

        var started = DateTimeOffset.UtcNow;
        int count = plan.Points.Count;
        var outcomes = new SweepPointOutcome?[count];
        var toRun = new List<int>();
        for (int k = 0; k < count; k++)
        {
            if (RunDirectory.HoldsCompleteRun(plan.Points[k].Folder))
            {
                outcomes[k] = new SweepPointOutcome(plan.Points[k], SweepPointStatus.Skipped, null);
            }
            else
            {
                toRun.Add(k);
            }
        }

        var jobs = Jobs(plan, toRun);
        WriteRecord(plan, jobs, started, null);
        var tracker = new ProgressTracker(progress, Task, count, "runs");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var failures = new string?[toRun.Count];
        var notes = new string?[toRun.Count];
        int released = 0, ran = 0;
        void Release()
        {
            for (; released < count && outcomes[released] is { } outcome; released++)
            {
                int left = toRun.Count - ran;
                TimeSpan? remaining = ran > 0 && left > 0 ? TimeSpan.FromSeconds(Math.Ceiling(clock.Elapsed.TotalSeconds / ran * left / jobs.Used)) : null;
                tracker.Report(released + 1, message: $"{outcome.Point.Point.Directory}: {outcome.Status.ToString().ToLowerInvariant()}");
                PointFinished?.Invoke(this, new SweepPointFinished(released + 1, count, outcome, remaining));
            }
        }

        Release();
        var states = new JobScheduler(jobs).Run(
            toRun.Count,
            (i, slot, token) =>
            {
                var point = plan.Points[toRun[i]];
                try
                {
                    // A folder the command would refuse (an unfinished manifest, files it did not write) is moved aside, never deleted.
                    string? setAside = RunDirectory.PrepareRedo(point.Folder);
                    string kept = setAside is null ? string.Empty : $" (the earlier incomplete attempt is kept as {Path.GetFileName(setAside)})";
                    string? failure;

                    // Every folder the point claims is released when it ends, however it ends.
                    using (ClaimScope.Begin())
                    {
                        failure = _runner.Run(plan.Spec.Command, point, slot.Progress(progress, $"{Task}/{point.Point.Directory}"), token);
                    }

                    failures[i] = failure is null ? null : failure + kept;
                    notes[i] = failure is null && setAside is not null ? kept.Trim() : null;
                }
                catch (FolderInUseException e)
                {
                    failures[i] = e.Message;
                }
            },
            cancellationToken,
            finished: (_, _) => ran++,
            finishedInOrder: (i, state) =>
            {
                var point = plan.Points[toRun[i]];
                outcomes[toRun[i]] = state == JobRunState.Completed
                    ? new SweepPointOutcome(point, failures[i] is null ? SweepPointStatus.Done : SweepPointStatus.Failed, failures[i] ?? notes[i])
                    : new SweepPointOutcome(point, SweepPointStatus.Interrupted, null);
                Release();
            });
        bool interrupted = cancellationToken.IsCancellationRequested || states.Any(s => s != JobRunState.Completed);
        if (!interrupted)
        {
            tracker.Complete();
        }

        var result = new SweepRunResult(plan, [.. outcomes.Take(released).OfType<SweepPointOutcome>()], interrupted, jobs);
        WriteRecord(plan, jobs, started, result);
        return result;
    }

    // The default is the cores available, or one at a time when a point asks for several threads.
    private static JobPlan Jobs(SweepRunPlan plan, List<int> toRun)
    {
        double memory = toRun.Count == 0 ? 0 : toRun.Max(k => plan.Costs[k].MemoryBytes);
        int threads = toRun.Count == 0 ? 1 : toRun.Max(k => plan.Costs[k].Threads);
        if (plan.Jobs is null && threads > 1)
        {
            var serial = JobPlan.Decide(1, toRun.Count, memory);
            return serial with { Requested = null, Reason = string.Create(CultureInfo.InvariantCulture, $"default: one at a time, because a point asks for {threads} threads") };
        }

        return JobPlan.Decide(plan.Jobs, toRun.Count, memory);
    }

    /// <summary>The record file of an unsharded sweep, in its results folder.</summary>
    public const string RecordFileName = "sweep-run.json";

    /// <summary>The <c>schema</c> of the record file.</summary>
    public const string RecordSchema = "sharpness.sweep-run/1";

    private static void WriteRecord(SweepRunPlan plan, JobPlan jobs, DateTimeOffset started, SweepRunResult? result)
    {
        var record = new JsonObject
        {
            ["schema"] = RecordSchema,
            ["command"] = plan.Spec.Command,
            ["results"] = plan.Results,
            ["shard"] = plan.Shard,
            ["shards"] = plan.Shards,
            ["points"] = plan.Points.Count,
            ["all_points"] = plan.AllPoints,
            ["toolkit"] = new JsonObject { ["version"] = ToolkitInfo.Version, ["commit"] = ToolkitInfo.Commit, ["runtime"] = ToolkitInfo.Runtime, ["platform"] = ToolkitInfo.Platform },
            ["execution"] = jobs.ToJson(),
            ["started_utc"] = started.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["finished_utc"] = result is null ? null : DateTimeOffset.UtcNow.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["summary"] = result is null ? null : new JsonObject
            {
                ["done"] = result.Done,
                ["skipped"] = result.Skipped,
                ["failed"] = result.Failures.Count,
                ["interrupted"] = result.Interrupted,
            },
        };
        // Written under the sweep's own lock of the results folder (exclusive, or shared by the shards,
        // each of which writes its own record), atomically and never through a link.
        SafeFile.WriteAtomic(plan.Results, Path.GetFileName(plan.RecordFile), stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(record.ToJsonString(JsonOutput.Options) + "\n");
        });
    }

    /// <summary>The record's file name of shard <paramref name="shard"/> of <paramref name="shards"/>.</summary>
    internal static string RecordName(int shard, int shards) => shards == 1
        ? RecordFileName
        : string.Create(CultureInfo.InvariantCulture, $"sweep-run.shard-{shard}-of-{shards}.json");

    // The record file may be missing or a sweep's record (a rerun's): anything else there was not
    // written by the toolkit and is not replaced.
    private static string? RecordProblem(string recordFile)
    {
        switch (FileEntry.KindOf(recordFile))
        {
            case FileKind.Missing:
                return null;
            case FileKind.Regular or FileKind.Unknown when File.Exists(recordFile):
                try
                {
                    using var json = System.Text.Json.JsonDocument.Parse(BoundedFile.ReadAllBytes(recordFile, FileKindLimit.Manifest));
                    if (json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                        && json.RootElement.TryGetProperty("schema", out var schema)
                        && schema.ValueKind == System.Text.Json.JsonValueKind.String
                        && schema.GetString() == RecordSchema)
                    {
                        return null;
                    }
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or InputFileException)
                {
                    // Not a record: refused below.
                }

                break;
        }

        return $"'{recordFile}' exists and is not the record of a sweep, so the toolkit did not write it; it is not overwritten: move it away or choose another folder.";
    }
}
