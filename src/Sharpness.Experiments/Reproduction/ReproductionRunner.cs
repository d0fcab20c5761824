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

        // The longest experiments start first (the real networks, by their measured times), and the UV runs fill the other jobs around them.
        int[] order = [.. plan.StartOrder(toRun)];
        double memory = order.Length == 0 ? 0 : order.Max(i => _experiments.Cost(plan.Runs[i]).MemoryBytes);
        var jobs = JobPlan.Decide(options.Jobs, order.Length, memory);
        Raise(ReproductionNoticeKind.Starting, null, $"{order.Length} of {count} experiments to run, {jobs.Used} at a time ({jobs.Reason})");
        var interrupted = RunExperiments(plan, order, jobs, outcomes, progress, clock, cancellationToken);
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

    // Runs the experiments in their start order on the jobs; returns whether cancellation stopped them.
    private bool RunExperiments(ReproductionPlan plan, int[] order, JobPlan jobs, ReproductionRunOutcome[] outcomes, IProgress<ExperimentProgress>? progress, Stopwatch clock, CancellationToken cancellationToken)
    {
        int count = plan.Runs.Count, ended = 0;
        void Overall() => progress?.Report(new ExperimentProgress { Task = Task, Completed = ended, Total = order.Length, Unit = "experiments", Elapsed = clock.Elapsed });
        Overall();
        IReadOnlyList<JobRunState> states;
        try
        {
            states = new JobScheduler(jobs).Run(
                order.Length,
                (k, slot, token) => RunOne(plan.Runs[order[k]], order[k], outcomes, slot.Progress(progress, Task), token),
                cancellationToken,
                finished: (k, state) =>
                {
                    int i = order[k];
                    if (state != JobRunState.Faulted)
                    {
                        bool done = state == JobRunState.Completed;
                        Raise(done ? ReproductionNoticeKind.Done : ReproductionNoticeKind.Interrupted, i, $"[{i + 1}/{count}] {plan.Runs[i].Experiment.Name}: {(done ? $"done in {outcomes[i].Seconds:F1} s" : "interrupted")}");
                    }

                    ended += state == JobRunState.Completed ? 1 : 0;
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

    // Runs one experiment and records its outcome. Its progress: a task NAME while it runs (so that an experiment that
    // reports nothing itself still shows as running in its job), the experiment's own tasks under it.
    private void RunOne(PlannedRun run, int index, ReproductionRunOutcome[] outcomes, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        string name = run.Experiment.Name;
        var clock = Stopwatch.StartNew();
        progress?.Report(new ExperimentProgress { Task = name, Total = null, Unit = "experiment", Message = "running" });
        ReproductionExperimentFailure? failure;
        try
        {
            failure = _experiments.Run(run, NestedProgress.Under(progress, name), cancellationToken);
        }
        finally
        {
            progress?.Report(new ExperimentProgress { Task = name, Completed = 1, Total = 1, Unit = "experiment", Elapsed = clock.Elapsed });
            outcomes[index] = new ReproductionRunOutcome(run, ReproductionRunStatus.Interrupted, clock.Elapsed.TotalSeconds);
        }

        outcomes[index] = new ReproductionRunOutcome(run, failure is null ? ReproductionRunStatus.Done : ReproductionRunStatus.Failed, clock.Elapsed.TotalSeconds, failure);
        if (failure is not null)
        {
            throw new ExperimentFailedException();
        }
    }

    private void Raise(ReproductionNoticeKind kind, int? index, string message) => Notice?.Invoke(this, new ReproductionNotice(kind, index, message));

    /// <summary>Stops the other experiments of the reproduction when one fails.</summary>
    private sealed class ExperimentFailedException() : Exception("An experiment of the reproduction failed.");
}
