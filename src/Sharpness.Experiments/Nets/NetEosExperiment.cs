using System.Text.Json.Nodes;
using Sharpness.Experiments.Jobs;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Runs;
using Sharpness.Nets.Data;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using Sharpness.Runs.Safety;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// <c>net eos</c> as a library call: the edge-of-stability experiment of Cohen et al. — full-batch GD at
/// several learning rates with the sharpness tracked, and for each η when λ_H reaches 2/η, how it hovers
/// there, whether the loss keeps falling, and the early regime. <see cref="NetEosWriter"/> writes it as a
/// run folder (one net train sub-folder per η, eos.csv, summary.md, eos.png/.svg, manifest.json).
/// </summary>
public static class NetEosExperiment
{
    /// <summary>The command, as manifests name it.</summary>
    public const string Command = "net eos";

    /// <summary>Trains every learning rate in memory (nothing is written) and analyses each run.</summary>
    /// <param name="options">What to train.</param>
    /// <param name="progress">
    /// Receives "runs" snapshots of task <c>net eos</c> and, for each η, the per-step snapshots of its training
    /// (task <c>net eos/eta = η (i/n)</c>); null for none.
    /// </param>
    /// <param name="cancellationToken">Stops at a step boundary.</param>
    /// <returns>The summaries.</returns>
    /// <exception cref="InvalidOptionException">An option is invalid.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static NetEosResult Run(NetEosOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Execute(options, null, progress, cancellationToken, []).Result;

    /// <summary>The shared path of <see cref="Run"/> and <see cref="NetEosWriter.Run"/>: with a folder, each η's run is written (or reused) in its sub-folder, then the summary files and the manifest.</summary>
    internal static (NetEosResult Result, IReadOnlyList<string> Files) Execute(
        NetEosOptions options, RunFolder? folder, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, IReadOnlyList<string> arguments, Func<double, INetTrainObserver, INetTrainObserver>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var started = DateTimeOffset.UtcNow;
        var settings = options.Network;
        var rates = options.LearningRates;
        var criteria = options.Criteria;
        using var scope = NewDisposeScope();
        using var splits = settings.LoadData();
        // A shard (--shard i/N) trains only its learning rates; the whole experiment trains all of them.
        var indices = options.ShardIndices;
        var outer = new ProgressTracker(progress, Command, indices.Count, "runs");
        // The learning rates run side by side (--jobs), each a complete run of its own; a sub-folder an earlier attempt
        // (or a shard) finished is reused, so only the others count as runs to do.
        int toDo = folder is null ? indices.Count : indices.Count(i => !RunDirectory.HoldsCompleteRun(Path.Combine(folder.Path, NetEosOptions.RunFolderName(rates[i]))));
        var plan = NetJobs.Plan(options.Jobs, [settings], toDo);
        var done = new NetEosRun[rates.Count];
        var states = new JobScheduler(plan).Run(
            indices.Count,
            (k, slot, token) =>
            {
                token.ThrowIfCancellationRequested();
                int i = indices[k];
                double rate = rates[i];
                string sub = NetEosOptions.RunFolderName(rate);
                var runSettings = settings with { Trainer = settings.Trainer with { LearningRate = LearningRateSpec.Absolute(rate) }, LrConstant = null };
                string task = $"eta = {NetEosOptions.Text(rate)} ({i + 1}/{rates.Count})";
                var runProgress = slot.Progress(progress, Command);
                if (folder is null)
                {
                    var run = NetTrainExperiment.Train(runSettings, splits, runProgress, token, null, task, keepCancelledRun: false);
                    var records = run.Training.Records;
                    var report = Analyse([.. records.Select(r => r.Step)], [.. records.Select(r => r.Loss)], [.. records.Select(r => r.Sharpness)], rate, settings.Trainer.Momentum, criteria);
                    done[i] = new NetEosRun(rate, sub, report, run.Results, false);
                }
                else
                {
                    done[i] = RunInFolder(options, runSettings, splits, rate, Path.Combine(folder.Path, sub), sub, task, outer, runProgress, token, arguments, observe);
                }
            },
            cancellationToken,
            finishedInOrder: (_, state) =>
            {
                if (state == JobRunState.Completed)
                {
                    outer.Advance();
                }
            });
        if (states.Any(s => s != JobRunState.Completed))
        {
            throw new OperationCanceledException(cancellationToken);
        }

        var runs = indices.Select(i => done[i]).ToList();
        var markdown = NetEosOptions.SummaryTable([.. runs.Select(r => (r.LearningRate, r.Report, r.Results))], criteria, settings);
        var overall = settings.Configuration(splits, null);
        overall["lrs"] = new JsonArray(rates.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray());
        overall["reach_fraction"] = criteria.ReachFraction;
        overall["band_low"] = criteria.BandLow;
        overall["band_high"] = criteria.BandHigh;
        var perRate = new JsonArray();
        foreach (var run in runs)
        {
            perRate.Add(NetEosOptions.ReportJson(run.LearningRate, run.Folder, run.Report, run.Results, run.Reused));
        }

        var result = new NetEosResult(runs, overall, new JsonObject { ["runs"] = perRate }, markdown) { Jobs = plan };
        // A shard leaves the summary to the whole experiment, run once every shard has finished.
        IReadOnlyList<string> files = folder is null || options.IsShard ? [] : NetEosWriter.WriteSummary(folder, result, settings.Seed, started, arguments);
        outer.Complete();
        return (result, files);
    }

    private static NetEosRun RunInFolder(
        NetEosOptions options,
        NetworkSettings runSettings,
        DatasetSplits splits,
        double rate,
        string path,
        string sub,
        string task,
        ProgressTracker outer,
        IProgress<ExperimentProgress>? progress,
        CancellationToken cancellationToken,
        IReadOnlyList<string> arguments,
        Func<double, INetTrainObserver, INetTrainObserver>? observe)
    {
        var configuration = runSettings.Configuration(splits, rate);
        double momentum = runSettings.Trainer.Momentum;
        if (RunDirectory.HoldsCompleteRun(path))
        {
            var manifest = JsonNode.Parse(BoundedFile.ReadAllText(Path.Combine(path, RunDirectory.ManifestFileName), FileKindLimit.Manifest))!;
            if (!JsonNode.DeepEquals(manifest["configuration"], configuration))
            {
                throw new InvalidOptionException("--out", $"'{path}' holds a finished run with other settings; choose another --out or delete it.");
            }

            var saved = NumericCsv.Read(Path.Combine(path, NetTrainWriter.MetricsFile));
            outer.Announce($"eta = {NetEosOptions.Text(rate)}: reusing the finished run in {path}");
            return new NetEosRun(rate, sub, Analyse(saved, rate, momentum, options.Criteria), manifest["results"]!.AsObject(), true);
        }

        var runStarted = DateTimeOffset.UtcNow;
        var mine = options.ShardIndices;
        int runsToCome = mine.Count - mine.TakeWhile(i => options.LearningRates[i] != rate).Count();
        using var writer = new NetTrainWriter(NetTrainWriter.Prepare(path, runSettings, options.Checkpoints), options.Checkpoints) { RunsToCome = runsToCome };
        var run = NetTrainExperiment.Train(runSettings, splits, progress, cancellationToken, observe?.Invoke(rate, writer) ?? writer, task, keepCancelledRun: false);
        // Each sub-folder is a net train run in all but name (sharpness plot redraws it as one).
        writer.Complete(run, runStarted, arguments, checkpointsFirst: true);
        var table = NumericCsv.Read(Path.Combine(path, NetTrainWriter.MetricsFile));
        return new NetEosRun(rate, sub, Analyse(table, rate, momentum, options.Criteria), run.Results, false);
    }

    private static EdgeOfStabilityReport Analyse(NumericTable table, double rate, double momentum, EdgeOfStabilityCriteria criteria) =>
        Analyse([.. table.Column("step").Select(s => (int)s)], table.Column("loss"), table.Column("sharpness"), rate, momentum, criteria);

    private static EdgeOfStabilityReport Analyse(int[] steps, double[] loss, double[] sharpness, double rate, double momentum, EdgeOfStabilityCriteria criteria) =>
        EdgeOfStabilityAnalysis.Analyse(steps, loss, sharpness, SharpnessMeasurement.StabilityThreshold(rate, momentum), criteria);
}

/// <summary>
/// Writes a <see cref="NetEosExperiment"/> run as a run folder: each η trains in its own sub-folder (a
/// complete net train run folder, metrics.csv streamed while it trains); then eos.csv (one row per η),
/// summary.md, eos.png/.svg and manifest.json, last. Running again on a folder an interrupted run left
/// behind reuses the η whose sub-folder is complete (after checking its settings match) and redoes the others.
/// </summary>
public static class NetEosWriter
{
    /// <summary>Per-η summary table.</summary>
    public const string SummaryCsv = "eos.csv";

    /// <summary>The Markdown summary.</summary>
    public const string SummaryMarkdown = "summary.md";

    /// <summary>
    /// Claims the run folder (new, empty, or left by an interrupted run or by shards of the same experiment): alone, or for a
    /// shard (<see cref="NetEosOptions.IsShard"/>) shared with the other shards, which excludes the whole experiment until
    /// they are done (<see cref="RunFolder.PrepareShared"/>).
    /// </summary>
    /// <param name="path">The folder.</param>
    /// <param name="options">The experiment (its learning rates name the sub-folders).</param>
    /// <exception cref="InvalidOptionException">The folder cannot take the run (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path, NetEosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string[] files = [SummaryCsv, SummaryMarkdown, "eos.png", "eos.svg", .. options.LearningRates.Select(NetEosOptions.RunFolderName)];
        // The shards of one experiment share the folder, each writing only its sub-folders; the whole experiment claims it alone.
        return options.IsShard ? RunFolder.PrepareShared(path, files) : RunFolder.Prepare(path, files);
    }

    /// <summary>
    /// Trains (or reuses) every learning rate in its sub-folder and writes the summary; returns the result and the files written
    /// besides the manifest (each η's files by their path in the folder). A shard trains (or reuses) only its learning rates and
    /// writes no summary and no manifest (no files returned; its result holds its runs).
    /// </summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="options">What to train.</param>
    /// <param name="progress">Progress (see <see cref="NetEosExperiment.Run"/>), or null.</param>
    /// <param name="cancellationToken">Stops at a step boundary: the η already finished stay complete (reused by the next attempt), the current one leaves no partial file.</param>
    /// <param name="arguments">The command-line arguments the manifests record (none for a run from code).</param>
    /// <param name="observe">Wraps each η's writer to see its steps too (a web page streaming the rows); null for none.</param>
    /// <exception cref="InvalidOptionException">An option is invalid, or a complete sub-folder holds a run with other settings (<c>--out</c>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static (NetEosResult Result, IReadOnlyList<string> Files) Run(
        RunFolder folder,
        NetEosOptions options,
        IProgress<ExperimentProgress>? progress = null,
        CancellationToken cancellationToken = default,
        IReadOnlyList<string>? arguments = null,
        Func<double, INetTrainObserver, INetTrainObserver>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        using (folder)
        {
            return NetEosExperiment.Execute(options, folder, progress, cancellationToken, arguments ?? [], observe);
        }
    }

    /// <summary>Writes eos.csv, summary.md, the figures and the manifest of a run whose sub-folders are written.</summary>
    internal static IReadOnlyList<string> WriteSummary(RunFolder folder, NetEosResult result, ulong seed, DateTimeOffset started, IReadOnlyList<string> arguments)
    {
        NetEosOptions.WriteSummaryCsv(folder, [.. result.Runs.Select(r => (r.LearningRate, r.Folder, r.Report, r.Results))]);
        folder.WriteText(SummaryMarkdown, result.Markdown);
        var written = new List<string> { SummaryCsv, SummaryMarkdown };
        written.AddRange(folder.WriteFigures(NetEosFigures.Render(SavedRun.Writing(folder.Path, NetEosExperiment.Command, result.Configuration, result.Results))));
        foreach (var run in result.Runs)
        {
            // Each learning rate's files, by their path in this folder (the report of reproduce shows their figures too).
            var subFiles = JsonNode.Parse(BoundedFile.ReadAllText(Path.Combine(folder.Path, run.Folder, RunDirectory.ManifestFileName), FileKindLimit.Manifest))!["files"]!.AsArray();
            written.AddRange(subFiles.Select(f => $"{run.Folder}/{f!.GetValue<string>()}"));
        }

        folder.Complete(new RunRecord(NetEosExperiment.Command, arguments, result.Configuration, seed, started, result.Results, result.Jobs?.ToJson()), written);
        return written;
    }
}
