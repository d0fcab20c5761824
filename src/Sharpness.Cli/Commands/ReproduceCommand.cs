using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Reproduction;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness reproduce</c>: runs the experiments of <see cref="ExperimentList"/> (each in its own
/// run folder, through the command line in-process), measures the claims of
/// <see cref="ClaimCatalog"/> from their outputs and writes claims.json, report.md and a
/// self-contained index.html.
/// </summary>
public sealed class ReproduceCommand
{
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Folder for the experiments' run folders, plan.json, claims.json, report.md, index.html and manifest.json: new or empty, or an interrupted reproduction with the same options, which is resumed (complete runs kept, incomplete ones redone).", Required = true };
    private readonly Option<bool> _quick = new("--quick") { Description = "Smaller networks, grids and runs: every claim decided in a few minutes on two cores; the report says which claims these sizes decide less reliably." };
    private readonly Option<bool> _noNet = new("--no-net") { Description = "Skip the real-network part even when the dataset is installed." };
    private readonly Option<DirectoryInfo?> _dataDir = new("--data-dir") { Description = $"Fashion-MNIST folder of the real-network part. Default: {ReproductionOptions.DefaultDataDir}; the part is skipped when it does not exist." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new ReproduceCommand();
        var command = new Command("reproduce", "Runs the fixed list of experiments, measures the paper's claims from their outputs and writes claims.json, report.md and index.html. Rerun on an interrupted reproduction's folder with the same options to resume it.");
        foreach (Option option in new Option[] { definition._out, definition._quick, definition._noNet, definition._dataDir })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
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
        var runs = new JsonArray();
        for (int i = 0; i < plan.Runs.Count; i++)
        {
            var run = plan.Runs[i];
            string name = run.Experiment.Name;
            var entry = new JsonObject { ["name"] = name, ["title"] = run.Experiment.Title, ["command"] = run.Command(folder) };
            if (resuming && RunDirectory.HoldsCompleteRun(run.Folder))
            {
                entry["seconds"] = RecordedSeconds(run.Folder);
                entry["kept_from_earlier_attempt"] = true;
                runs.Add(entry);
                context.Error.WriteLine($"[{i + 1}/{plan.Runs.Count}] {name}: complete from the earlier attempt, kept");
                continue;
            }

            // Only incomplete folders named after an experiment of the plan reach here: the toolkit's
            // own partial run is redone in place, anything else is moved aside, never deleted.
            if (RunDirectory.PrepareRedo(run.Folder) is { } kept)
            {
                context.Error.WriteLine($"[{i + 1}/{plan.Runs.Count}] {name}: the incomplete earlier attempt is kept as {Path.GetFileName(kept)}");
            }

            var runClock = Stopwatch.StartNew();
            var subError = new StringWriter(CultureInfo.InvariantCulture);
            // The experiment's progress (each of its runs, step by step) is shown under reproduce/NAME.
            int code = CommandProgress.Run(context, quiet: false, display =>
                Program.Run(run.ArgumentsWithOut, new StringWriter(CultureInfo.InvariantCulture), subError, NestedProgress.Under(display.Progress, $"reproduce/{name}"), display.Cancellation));
            double seconds = runClock.Elapsed.TotalSeconds;
            context.Error.WriteLine($"[{i + 1}/{plan.Runs.Count}] {name}: {(code == 0 ? "done" : $"failed (exit {code})")} in {seconds:F1} s");
            if (code != 0)
            {
                string reason = subError.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal))?["error: ".Length..] ?? $"exit code {code}";
                context.Error.WriteLine($"error: experiment {name} failed: {reason} ({run.Command(folder)})");
                return code == ExitCodes.InvalidInput ? ExitCodes.InternalError : code;
            }

            entry["seconds"] = seconds;
            entry["kept_from_earlier_attempt"] = false;
            runs.Add(entry);
        }

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

        output.Complete(new RunRecord("reproduce", context.Arguments, configuration, 0, started, results), ownFiles);

        context.Output.WriteLine($"claims of the {(options.Quick ? "quick" : "full")} reproduction (experiment list version {ExperimentList.Version}), {total:F1} s in all:");
        foreach (var c in claims)
        {
            context.Output.WriteLine($"  [{c.StatusText}] {c.Statement}: {c.MeasuredText} ({c.Criterion})");
        }

        context.Output.WriteLine($"wrote {ClaimsDocument.FileName}, {ReproductionReport.MarkdownFile}, {ReproductionReport.HtmlFile} and {RunDirectory.ManifestFileName} in {folder}");
        return ExitCodes.Success;
    }

    private static double RecordedSeconds(string runFolder)
    {
        var manifest = JsonNode.Parse(BoundedFile.ReadAllText(Path.Combine(runFolder, RunDirectory.ManifestFileName), FileKindLimit.Manifest))!;
        var started = DateTimeOffset.Parse(manifest["started_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var finished = DateTimeOffset.Parse(manifest["finished_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        return (finished - started).TotalSeconds;
    }
}
