using System.Diagnostics;
using Sharpness.Experiments.Jobs;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;
using Sharpness.Runs;

namespace Sharpness.Experiments.Reproduction;

/// <summary>
/// <c>reproduce</c> as a library call: runs the experiments of <see cref="ExperimentList"/> (each in its own run
/// folder, through the caller's <see cref="IReproductionExperimentRunner"/>, <see cref="ReproductionOptions.Jobs"/> of
/// them side by side), measures the claims of <see cref="ClaimCatalog"/> from their outputs and writes claims.json,
/// report.md, index.html and the manifest (<see cref="ReproductionWriter"/>). An interrupted reproduction's folder
/// resumes: complete runs are kept, incomplete ones redone.
/// </summary>
/// <remarks>
/// With several jobs each experiment runs single-threaded in a job of its own (<see cref="JobScheduler"/>), the
/// longest first (<see cref="ReproductionPlan.StartOrder"/>: the real networks, by their measured times; the short UV
/// runs fill the other jobs around them); every file is the one a single job writes, and the manifest lists the runs in
/// the list's order whatever order they finished in.
/// </remarks>
/// <param name="experiments">Runs the experiments (the command line's, or one written for them).</param>
public sealed class ReproductionRunner(IReproductionExperimentRunner experiments)
{
    /// <summary>The task path of the progress snapshots.</summary>
    public const string Task = "reproduce";

    private readonly IReproductionExperimentRunner _experiments = experiments ?? throw new ArgumentNullException(nameof(experiments));

    /// <summary>The command-line arguments the manifest records (none for a reproduction run from code).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Raised for every status line (resuming, kept, set aside, starting, done, interrupted), on the calling thread.</summary>
    public event EventHandler<ReproductionNotice>? Notice;

    /// <summary>
    /// Plans the reproduction, claims its folder (writing plan.json and the initialisation files first), runs the
    /// experiments not complete yet, and, when all are complete, measures the claims and writes the reports
    /// (<see cref="ReproductionWriter.Write"/>).
    /// </summary>
    /// <param name="options">The reproduction.</param>
    /// <param name="progress">Receives "experiments" snapshots under <c>reproduce</c> and, nested under <c>reproduce/NAME</c> and stamped with their job, those of the running experiments; null for none.</param>
    /// <param name="cancellationToken">Stops the running experiments at a step boundary and starts no more; the result says so (<see cref="ReproductionResult.Interrupted"/>) and the folder resumes.</param>
    /// <returns>The outcome; when an experiment failed or the run was cancelled, no claims and no reports.</returns>
    /// <exception cref="InvalidOptionException">The jobs are out of range (<c>--jobs</c>), the data folder is not a folder or its files are not Fashion-MNIST's (<c>--data-dir</c>), or the folder cannot take the reproduction (<c>--out</c>); nothing is written.</exception>
    public ReproductionResult Run(ReproductionOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = DateTimeOffset.UtcNow;
        JobPlan.Check(options.Jobs);
        var plan = ReproductionPlan.Create(options with { Folder = Path.GetFullPath(options.Folder) });
        if (plan.NetSkipReason is null)
        {
            // The dataset's headers are checked before the first experiment, not when the networks' turn comes.
            NetworkSettings.CheckDataFiles("fashion-mnist", plan.Options.DataDir);
        }

        bool resuming;
        try
        {
            resuming = plan.CheckResumable();
        }
        catch (ReproductionFolderException e)
        {
            throw new InvalidOptionException("--out", e.Message);
        }

        using var output = ReproductionWriter.Prepare(plan, resuming);
        string folder = plan.Options.Folder;
        int count = plan.Runs.Count;
        if (resuming)
        {
            int complete = plan.Runs.Count(r => RunDirectory.HoldsCompleteRun(r.Folder));
            Raise(ReproductionNoticeKind.Resuming, null, $"resuming the interrupted reproduction in {folder}: {complete} of {count} runs complete, kept");
        }

        var clock = Stopwatch.StartNew();
        var outcomes = new ReproductionRunOutcome[count];
        var toRun = new List<int>();
        for (int i = 0; i < count; i++)
        {
            var run = plan.Runs[i];
            if (resuming && RunDirectory.HoldsCompleteRun(run.Folder))
            {
                outcomes[i] = new ReproductionRunOutcome(run, ReproductionRunStatus.Kept, ReproductionWriter.RecordedSeconds(run.Folder));
                Raise(ReproductionNoticeKind.Kept, i, $"[{i + 1}/{count}] {run.Experiment.Name}: complete from the earlier attempt, kept");
                continue;
            }

            // Only incomplete folders named after an experiment of the plan reach here: the toolkit's
            // own partial run is redone in place, anything else is moved aside, never deleted.
            if (RunDirectory.PrepareRedo(run.Folder) is { } kept)
            {
                Raise(ReproductionNoticeKind.SetAside, i, $"[{i + 1}/{count}] {run.Experiment.Name}: the incomplete earlier attempt is kept as {Path.GetFileName(kept)}");
            }

            outcomes[i] = new ReproductionRunOutcome(run, ReproductionRunStatus.NotStarted, 0);
            toRun.Add(i);
        }

        // The units of work: each experiment, or for one that splits into parts (net eos: a part per learning rate) each part,
        // the experiment itself then running after its last part, in the same job. The longest start first (the real
        // networks, by their measured times), and the UV runs fill the other jobs around them.
        var units = Units(plan, toRun);
        double memory = units.Length == 0 ? 0 : units.Max(u => _experiments.Cost(plan.Runs[u.Run]).MemoryBytes);
        var jobs = JobPlan.Decide(options.Jobs, units.Length, memory);
        string parts = units.Length == toRun.Count ? string.Empty : $" (as {units.Length} units: {string.Join(", ", toRun.Where(i => plan.Runs[i].Experiment.Shards(options.Quick) > 1).Select(i => $"{plan.Runs[i].Experiment.Name} in {plan.Runs[i].Experiment.Shards(options.Quick)} parts"))})";
        Raise(ReproductionNoticeKind.Starting, null, $"{toRun.Count} of {count} experiments to run{parts}, {jobs.Used} at a time ({jobs.Reason})");
        var interrupted = RunExperiments(plan, units, toRun.Count, jobs, outcomes, progress, clock, cancellationToken);
        var result = new ReproductionResult(plan, resuming, outcomes, jobs, interrupted, [], started, clock.Elapsed);
        if (!result.Complete)
        {
            return result;
        }

        var claims = ClaimCatalog.Evaluate(new ReproductionRuns(folder, plan.Skipped)).Select(ClaimRecord.From).ToArray();
        result = result with { Claims = claims, Elapsed = clock.Elapsed };
        ReproductionWriter.Write(output, result, Arguments);
        return result;
    }

    // The units of the experiments to run, in their start order: the longest expected first (an experiment's parts each
    // carry their share of its time), ties in the list's order (ReproductionPlan.StartOrder).
    private static Unit[] Units(ReproductionPlan plan, IReadOnlyList<int> toRun)
    {
        bool quick = plan.Options.Quick;
        var units = new List<Unit>();
        foreach (int i in plan.StartOrder(toRun))
        {
            var run = plan.Runs[i];
            var shards = run.Parts(quick);
            double seconds = run.Experiment.ExpectedSeconds(quick);
            units.AddRange(shards.Count == 0 ? [new Unit(i, run, seconds)] : shards.Select(part => new Unit(i, part, seconds / shards.Count)));
        }

        // A stable sort: equal times keep the list's order, and an experiment's parts their own.
        return [.. units.OrderByDescending(u => u.Seconds)];
    }

    // Runs the units on the jobs; returns whether cancellation stopped them.
    private bool RunExperiments(ReproductionPlan plan, Unit[] units, int experiments, JobPlan jobs, ReproductionRunOutcome[] outcomes, IProgress<ExperimentProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        int count = plan.Runs.Count, ended = 0;
        // For each experiment split into parts: the parts still to finish, and the seconds its finished parts took.
        var partsLeft = new Dictionary<int, int>();
        var partSeconds = new Dictionary<int, double>();
        foreach (var group in units.Where(u => u.Planned.Shard is not null).GroupBy(u => u.Run))
        {
            partsLeft[group.Key] = group.Count();
            partSeconds[group.Key] = 0;
        }

        var completesExperiment = new bool[units.Length];
        var unitSeconds = new double[units.Length];
        void Overall() => progress?.Report(new ExperimentProgress { Task = Task, Completed = ended, Total = experiments, Unit = "experiments", Elapsed = clock.Elapsed });
        Overall();
        IReadOnlyList<JobRunState> states;
        try
        {
            states = new JobScheduler(jobs).Run(
                units.Length,
                (k, slot, token) =>
                {
                    var unit = units[k];
                    var jobProgress = slot.Progress(progress, Task);
                    if (unit.Planned.Shard is null)
                    {
                        RunOne(plan.Runs[unit.Run], unit.Run, 0, outcomes, jobProgress, token);
                        completesExperiment[k] = true;
                        return;
                    }

                    double seconds = unitSeconds[k] = RunPart(unit, outcomes, jobProgress, token);
                    bool last;
                    lock (partsLeft)
                    {
                        partSeconds[unit.Run] += seconds;
                        last = --partsLeft[unit.Run] == 0;
                    }

                    if (last)
                    {
                        // Every part is done: the experiment itself reuses them and writes its summary, in this job.
                        RunOne(plan.Runs[unit.Run], unit.Run, partSeconds[unit.Run], outcomes, jobProgress, token);
                        completesExperiment[k] = true;
                    }
                },
                cancellationToken,
                finished: (k, state) =>
                {
                    var unit = units[k];
                    int i = unit.Run;
                    string name = plan.Runs[i].Experiment.Name;
                    if (state != JobRunState.Faulted)
                    {
                        bool done = state == JobRunState.Completed;
                        if (unit.Planned.Shard is { } part && !(done && completesExperiment[k]))
                        {
                            Raise(done ? ReproductionNoticeKind.PartDone : ReproductionNoticeKind.Interrupted, i, $"[{i + 1}/{count}] {name}, part {part.Index + 1} of {part.Count}: {(done ? $"done in {unitSeconds[k]:F1} s" : "interrupted")}");
                        }
                        else
                        {
                            Raise(done ? ReproductionNoticeKind.Done : ReproductionNoticeKind.Interrupted, i, $"[{i + 1}/{count}] {name}: {(done ? $"done in {outcomes[i].Seconds:F1} s" : "interrupted")}");
                        }
                    }

                    ended += state == JobRunState.Completed && completesExperiment[k] ? 1 : 0;
                    Overall();
                });
        }
        catch (ExperimentFailedException)
        {
            // The others that were running were stopped; they and the failed one are redone on a rerun.
            return false;
        }

        return states.Any(s => s != JobRunState.Completed);
    }

    // Runs one part of an experiment into the experiment's folder; returns its seconds. Its progress: NAME (part i of N).
    private double RunPart(Unit unit, ReproductionRunOutcome[] outcomes, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var part = unit.Planned.Shard!.Value;
        var experiment = unit.Planned with { Shard = null };
        var (failure, seconds) = Execute(unit.Planned, $"{experiment.Experiment.Name} (part {part.Index + 1} of {part.Count})", experiment, unit.Run, 0, outcomes, progress, cancellationToken);
        if (failure is not null)
        {
            Record(outcomes, unit.Run, new ReproductionRunOutcome(experiment, ReproductionRunStatus.Failed, seconds, failure));
            throw new ExperimentFailedException();
        }

        return seconds;
    }

    // Runs one experiment and records its outcome (its seconds: its own, plus those of its parts when it has parts).
    private void RunOne(PlannedRun run, int index, double partsSeconds, ReproductionRunOutcome[] outcomes, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var (failure, seconds) = Execute(run, run.Experiment.Name, run, index, partsSeconds, outcomes, progress, cancellationToken);
        Record(outcomes, index, new ReproductionRunOutcome(run, failure is null ? ReproductionRunStatus.Done : ReproductionRunStatus.Failed, seconds, failure));
        if (failure is not null)
        {
            throw new ExperimentFailedException();
        }
    }

    // Runs an experiment or a part through the runner: a progress task NAME while it runs (so that one that reports nothing
    // itself still shows as running in its job), its own tasks under it; until it returns, the experiment's outcome is
    // "interrupted" with the seconds so far (those given plus this run's). Returns the failure and those seconds.
    private (ReproductionExperimentFailure? Failure, double Seconds) Execute(
        PlannedRun run, string task, PlannedRun experiment, int index, double secondsBefore, ReproductionRunOutcome[] outcomes, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        progress?.Report(new ExperimentProgress { Task = task, Total = null, Unit = "experiment", Message = "running" });
        try
        {
            return (_experiments.Run(run, NestedProgress.Under(progress, task), cancellationToken), secondsBefore + clock.Elapsed.TotalSeconds);
        }
        finally
        {
            progress?.Report(new ExperimentProgress { Task = task, Completed = 1, Total = 1, Unit = "experiment", Elapsed = clock.Elapsed });
            Record(outcomes, index, new ReproductionRunOutcome(experiment, ReproductionRunStatus.Interrupted, secondsBefore + clock.Elapsed.TotalSeconds));
        }
    }

    // Jobs record their experiments' outcomes side by side.
    private static void Record(ReproductionRunOutcome[] outcomes, int index, ReproductionRunOutcome outcome)
    {
        lock (outcomes)
        {
            outcomes[index] = outcome;
        }
    }

    // A unit of work: an experiment (Planned.Shard null) or one of its parts, with its expected seconds.
    private sealed record Unit(int Run, PlannedRun Planned, double Seconds);

    private void Raise(ReproductionNoticeKind kind, int? index, string message) => Notice?.Invoke(this, new ReproductionNotice(kind, index, message));

    /// <summary>Stops the other experiments of the reproduction when one fails.</summary>
    private sealed class ExperimentFailedException() : Exception("An experiment of the reproduction failed.");
}
