using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Jobs;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Reproduction;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness reproduce</c>: runs the experiments of <see cref="ExperimentList"/> (each in its own
/// run folder, through the command line in-process, <c>--jobs</c> of them side by side), measures the
/// claims of <see cref="ClaimCatalog"/> from their outputs and writes claims.json, report.md and a
/// self-contained index.html.
/// </summary>
/// <remarks>
/// With several jobs each experiment runs single-threaded in a job of its own (<see cref="JobScheduler"/>), the
/// longest first (<see cref="ReproductionPlan.StartOrder"/>: the real networks, by their measured times; the short
/// UV runs fill the other jobs around them); every file is the one <c>--jobs 1</c> writes, and the manifest lists the runs in the
/// list's order whatever order they finished in.
/// </remarks>
public sealed class ReproduceCommand
{
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Folder for the experiments' run folders, plan.json, claims.json, report.md, index.html and manifest.json: new or empty, or an interrupted reproduction with the same options, which is resumed (complete runs kept, incomplete ones redone).", Required = true };
    private readonly Option<bool> _quick = new("--quick") { Description = "Smaller networks, grids and runs: every claim decided in a few minutes on two cores; the report says which claims these sizes decide less reliably." };
    private readonly Option<bool> _noNet = new("--no-net") { Description = "Skip the real-network part even when the dataset is installed." };
    private readonly Option<DirectoryInfo?> _dataDir = new("--data-dir") { Description = $"Fashion-MNIST folder of the real-network part. Default: {ReproductionOptions.DefaultDataDir}; the part is skipped when it does not exist." };
    private readonly Option<int?> _jobs = AnalysisOptions.Jobs("Experiments");

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new ReproduceCommand();
        var command = new Command("reproduce", "Runs the fixed list of experiments, measures the paper's claims from their outputs and writes claims.json, report.md and index.html. Rerun on an interrupted reproduction's folder with the same options to resume it.");
        foreach (Option option in new Option[] { definition._out, definition._quick, definition._noNet, definition._dataDir, definition._jobs })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        int? jobsRequested = JobPlan.Check(parse.GetValue(_jobs));
        var outDir = parse.GetValue(_out)!;
        var options = new ReproductionOptions
        {
            Folder = outDir.FullName,
            Quick = parse.GetValue(_quick),
            NoNet = parse.GetValue(_noNet),
            DataDir = parse.GetValue(_dataDir)?.FullName ?? ReproductionOptions.DefaultDataDir,
        };
        string folder = options.Folder;
        var plan = ReproductionPlan.Create(options);
        if (plan.NetSkipReason is null)
        {
            // The dataset's headers are checked before the first experiment, not when the networks' turn comes.
            NetworkSettings.CheckDataFiles("fashion-mnist", options.DataDir);
        }

        bool resuming;
        try
        {
            resuming = plan.CheckResumable();
        }
        catch (ReproductionFolderException e)
        {
            throw new UsageException("--out", e.Message);
        }

        string[] ownFiles = [ReproductionPlan.PlanFile, ExperimentList.Tv3InitFile, ExperimentList.LargeOutputInitFile, ClaimsDocument.FileName, ReproductionReport.MarkdownFile, ReproductionReport.HtmlFile];
        var output = RunFolder.Prepare(outDir.FullName, [.. ownFiles, .. plan.Runs.Select(r => r.Experiment.Name)]);
        if (!resuming)
        {
            foreach (var run in plan.Runs)
            {
                if (RunDirectory.CheckUsable(run.Folder, []) is { } problem)
                {
                    throw new UsageException("--out", $"run folder {run.Experiment.Name}: {problem}");
                }
            }
        }

        output.WriteText(ReproductionPlan.PlanFile, plan.ToJson().ToJsonString(JsonOutput.Options) + "\n");
        output.WriteText(ExperimentList.Tv3InitFile, ExperimentList.Tv3Init);
        output.WriteText(ExperimentList.LargeOutputInitFile, ExperimentList.LargeOutputInit);
        if (resuming)
        {
            int kept = plan.Runs.Count(r => RunDirectory.HoldsCompleteRun(r.Folder));
            context.Error.WriteLine($"resuming the interrupted reproduction in {folder}: {kept} of {plan.Runs.Count} runs complete, kept");
        }

        var clock = Stopwatch.StartNew();
        int count = plan.Runs.Count;
        var entries = new JsonObject[count];
        var toRun = new List<int>();
        for (int i = 0; i < count; i++)
        {
            var run = plan.Runs[i];
            if (resuming && RunDirectory.HoldsCompleteRun(run.Folder))
            {
                entries[i] = Entry(run, folder, RecordedSeconds(run.Folder), keptFromEarlierAttempt: true);
                context.Error.WriteLine($"[{i + 1}/{count}] {run.Experiment.Name}: complete from the earlier attempt, kept");
                continue;
            }

            // Only incomplete folders named after an experiment of the plan reach here: the toolkit's
            // own partial run is redone in place, anything else is moved aside, never deleted.
            if (RunDirectory.PrepareRedo(run.Folder) is { } kept)
            {
                context.Error.WriteLine($"[{i + 1}/{count}] {run.Experiment.Name}: the incomplete earlier attempt is kept as {Path.GetFileName(kept)}");
            }

            toRun.Add(i);
        }

        // The longest experiments start first (the real networks, by their measured times), and the UV runs fill the other jobs around them.
        int[] order = [.. plan.StartOrder(toRun)];
        var jobs = Jobs(plan, order, jobsRequested);
        context.Error.WriteLine($"{order.Length} of {count} experiments to run, {jobs.Used} at a time ({jobs.Reason})");
        var seconds = new double[count];
        var failures = new Failure?[count];
        var states = CommandProgress.Run(context with { Error = TextWriter.Synchronized(context.Error) }, quiet: false, progress =>
        {
            int ended = 0;
            void Overall() => progress.Progress?.Report(new ExperimentProgress { Task = "reproduce", Completed = ended, Total = order.Length, Unit = "experiments", Elapsed = clock.Elapsed });
            Overall();
            try
            {
                return new JobScheduler(jobs).Run(
                    order.Length,
                    (k, slot, token) => RunExperiment(plan.Runs[order[k]], slot.Progress(progress.Progress, "reproduce"), token, order[k], seconds, failures),
                    progress.Cancellation,
                    finished: (k, state) =>
                    {
                        int i = order[k];
                        if (state != JobRunState.Faulted)
                        {
                            progress.WriteErrorLine($"[{i + 1}/{count}] {plan.Runs[i].Experiment.Name}: {(state == JobRunState.Completed ? $"done in {seconds[i]:F1} s" : "interrupted")}");
                        }

                        ended += state == JobRunState.Completed ? 1 : 0;
                        Overall();
                    });
            }
            catch (ExperimentFailedException)
            {
                return null;
            }
        });

        if (Array.FindIndex(failures, f => f is not null) is int failed and >= 0)
        {
            // The first failed experiment of the list; the others that were running were stopped and are redone on a rerun.
            var failure = failures[failed]!;
            context.Error.WriteLine($"[{failed + 1}/{count}] {plan.Runs[failed].Experiment.Name}: failed (exit {failure.Code}) in {seconds[failed]:F1} s");
            string reason = failure.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal))?["error: ".Length..] ?? $"exit code {failure.Code}";
            context.Error.WriteLine($"error: experiment {plan.Runs[failed].Experiment.Name} failed: {reason} ({plan.Runs[failed].Command(folder)})");
            return failure.Code == ExitCodes.InvalidInput ? ExitCodes.InternalError : failure.Code;
        }

        if (states is null || states.Any(s => s != JobRunState.Completed))
        {
            context.Error.WriteLine("interrupted: the running experiments stopped at a step boundary; finished ones are kept (rerun the same command to resume)");
            return ExitCodes.Interrupted;
        }

        foreach (int i in order)
        {
            entries[i] = Entry(plan.Runs[i], folder, seconds[i], keptFromEarlierAttempt: false);
        }

        var runs = new JsonArray([.. entries]);
        var claims = ClaimCatalog.Evaluate(new ReproductionRuns(folder, plan.Skipped)).Select(ClaimRecord.From).ToArray();
        output.WriteText(ClaimsDocument.FileName, ClaimsDocument.Text(claims, options.Quick));
        double total = clock.Elapsed.TotalSeconds;
        var results = new JsonObject
        {
            ["experiment_list_version"] = ExperimentList.Version,
            ["runs"] = runs,
            ["claims"] = ClaimsDocument.ToJson(claims, options.Quick)["claims"]!.DeepClone(),
            ["claim_counts"] = ClaimsDocument.Counts(claims),
            ["net"] = plan.NetSkipReason is null ? "run" : "skipped: " + plan.NetSkipReason,
            ["resumed"] = resuming,
            ["seconds"] = total,
        };
        var configuration = new JsonObject { ["quick"] = options.Quick, ["no_net"] = options.NoNet, ["data_dir"] = options.DataDir };
        foreach (var report in ReproduceReport.Reports(SavedRun.Writing(folder, "reproduce", configuration, results), path => BoundedFile.ReadAllBytes(Path.Combine(folder, path), FileKindLimit.Figure)))
        {
            output.WriteBytes(report.Path, report.Content);
        }

        output.Complete(new RunRecord("reproduce", context.Arguments, configuration, 0, started, results, jobs.ToJson()), ownFiles);

        context.Output.WriteLine($"claims of the {(options.Quick ? "quick" : "full")} reproduction (experiment list version {ExperimentList.Version}), {total:F1} s in all:");
        foreach (var c in claims)
        {
            context.Output.WriteLine($"  [{c.StatusText}] {c.Statement}: {c.MeasuredText} ({c.Criterion})");
        }

        context.Output.WriteLine($"wrote {ClaimsDocument.FileName}, {ReproductionReport.MarkdownFile}, {ReproductionReport.HtmlFile} and {RunDirectory.ManifestFileName} in {folder}");
        return ExitCodes.Success;
    }

    // Runs one experiment through the command line in-process. Its progress: a task NAME while it runs (so that a
    // command that reports nothing itself still shows as running in its job), the command's own tasks under it.
    private static void RunExperiment(PlannedRun run, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, int index, double[] seconds, Failure?[] failures)
    {
        string name = run.Experiment.Name;
        var clock = Stopwatch.StartNew();
        var error = new StringWriter(CultureInfo.InvariantCulture);
        progress?.Report(new ExperimentProgress { Task = name, Total = null, Unit = "experiment", Message = "running" });
        int code;
        try
        {
            code = Program.Run(run.ArgumentsWithOut, new StringWriter(CultureInfo.InvariantCulture), error, NestedProgress.Under(progress, name), cancellationToken);
        }
        finally
        {
            progress?.Report(new ExperimentProgress { Task = name, Completed = 1, Total = 1, Unit = "experiment", Elapsed = clock.Elapsed });
        }

        seconds[index] = clock.Elapsed.TotalSeconds;
        if (code == ExitCodes.Interrupted && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        if (code != ExitCodes.Success)
        {
            failures[index] = new Failure(code, error.ToString());
            throw new ExperimentFailedException();
        }
    }

    // The jobs: --jobs (default the cores) lowered to the experiments to run and to the memory of the largest.
    private static JobPlan Jobs(ReproductionPlan plan, IReadOnlyList<int> toRun, int? requested)
    {
        var root = Program.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, []));
        double memory = toRun.Count == 0 ? 0 : toRun.Max(i =>
            CommandSweepPoints.Cost(root.Parse(plan.Runs[i].ArgumentsWithOut), string.Join(' ', plan.Runs[i].Arguments.Take(2))).MemoryBytes);
        return JobPlan.Decide(requested, toRun.Count, memory);
    }

    private static JsonObject Entry(PlannedRun run, string folder, double seconds, bool keptFromEarlierAttempt) => new()
    {
        ["name"] = run.Experiment.Name,
        ["title"] = run.Experiment.Title,
        ["command"] = run.Command(folder),
        ["seconds"] = seconds,
        ["kept_from_earlier_attempt"] = keptFromEarlierAttempt,
    };

    private static double RecordedSeconds(string runFolder)
    {
        var manifest = JsonNode.Parse(BoundedFile.ReadAllText(Path.Combine(runFolder, RunDirectory.ManifestFileName), FileKindLimit.Manifest))!;
        var started = DateTimeOffset.Parse(manifest["started_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var finished = DateTimeOffset.Parse(manifest["finished_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        return (finished - started).TotalSeconds;
    }
}

/// <summary>An experiment of the reproduction that exited with an error: its exit code and standard error.</summary>
internal sealed record Failure(int Code, string Error);

/// <summary>Stops the other experiments of the reproduction when one fails.</summary>
internal sealed class ExperimentFailedException() : Exception("An experiment of the reproduction failed.");
