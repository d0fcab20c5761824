using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Plots;
using Sharpness.Runs;
using Sharpness.Runs.Safety;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net eos</c>: the edge-of-stability experiment of Cohen et al. — full-batch GD at several
/// learning rates, the sharpness measured every few steps, and for each η when λ_H reaches 2/η, how it
/// hovers there, whether the loss keeps falling, and the early regime.
/// </summary>
/// <remarks>
/// Each η trains in its own sub-folder (a complete training run folder: metrics.csv, figures,
/// manifest.json). Re-running the same command on a folder an interrupted run left behind reuses the
/// η whose sub-folder is complete (after checking its settings match) and redoes the others.
/// </remarks>
public sealed class NetEosCommand
{
    /// <summary>Per-η summary table.</summary>
    public const string SummaryCsv = "eos.csv";

    /// <summary>The Markdown summary.</summary>
    public const string SummaryMarkdown = "summary.md";

    private readonly NetOptions _net = new();
    private readonly CheckpointOptions _checkpoints = new();
    private readonly Option<string> _lrs = new("--lrs") { Description = "Comma-separated learning rates; each may be a number or a fraction such as 2/30.", DefaultValueFactory = _ => "2/30,2/60" };
    private readonly Option<double> _reachFraction = new("--reach-fraction") { Description = "lambda_H counts as having reached 2/eta when it is at least this fraction of it.", DefaultValueFactory = _ => 0.9 };
    private readonly Option<double> _bandLow = new("--band-low") { Description = "Lower edge of the band lambda_H/(2/eta) is expected to stay in after reaching it.", DefaultValueFactory = _ => 0.9 };
    private readonly Option<double> _bandHigh = new("--band-high") { Description = "Upper edge of that band.", DefaultValueFactory = _ => 1.3 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Folder (new, empty, or left by an interrupted run of the same command) for one sub-folder per eta, eos.csv, summary.md, eos.png and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetEosCommand();
        var command = new Command("eos", "Edge of stability (Cohen et al.): full-batch GD at several learning rates with the sharpness tracked; when and how lambda_H settles at 2/eta. Defaults are those of --preset eos.");
        d._net.Add(command, d._net.Preset, d._net.Lr, d._net.LrConstant);
        d._net.TorchScript.Add(command);
        foreach (Option option in new Option[] { d._lrs, d._reachFraction, d._bandLow, d._bandHigh }.Concat(d._checkpoints.All).Concat([d._out, d._json]))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    /// <summary>Sub-folder name of the run at <paramref name="learningRate"/>.</summary>
    /// <param name="learningRate">η.</param>
    public static string RunFolder(double learningRate) => "eta-" + learningRate.ToString("G6", CultureInfo.InvariantCulture);

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        var settings = _net.Resolve(parse, "eos");
        if (settings.Trainer.Optimizer != OptimizerKind.GradientDescent)
        {
            throw new UsageException("--optimizer", "net eos studies full-batch gradient descent; use gd (or net train for SGD).");
        }

        if (settings.Trainer.Tracking is null)
        {
            throw new UsageException("--sharpness-every", "net eos needs the sharpness: give a positive interval.");
        }

        double[] rates = ParseRates(parse.GetValue(_lrs)!);
        settings.RequireFloat32("--lrs", rates);
        var criteria = new EdgeOfStabilityCriteria
        {
            ReachFraction = parse.GetValue(_reachFraction),
            BandLow = parse.GetValue(_bandLow),
            BandHigh = parse.GetValue(_bandHigh),
        };
        try
        {
            criteria.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw UsageException.FromArgument(e, e.ParamName switch { "ReachFraction" => "--reach-fraction", _ => "--band-high" });
        }

        var plan = _checkpoints.Resolve(parse);
        if (settings.TorchScript is not null && !plan.IsEmpty)
        {
            throw new UsageException(parse.GetValue(_checkpoints.Final) ? "--checkpoint" : "--checkpoint-steps", "net eos does not save TorchScript modules; train the learning rate of interest with net train --torchscript --checkpoint.");
        }

        string[] folders = rates.Select(RunFolder).ToArray();
        var output = RunOutput.Prepare(parse.GetValue(_out)!, [SummaryCsv, SummaryMarkdown, "eos.png", "eos.svg", .. folders]);
        using var scope = NewDisposeScope();
        var splits = settings.LoadData();
        var (train, test) = settings.ExampleSets(splits);
        var runs = new List<(double Rate, string Folder, TrainingResult? Result, NumericTable Table, EdgeOfStabilityReport Report, bool Reused, JsonObject Results)>();
        for (int i = 0; i < rates.Length; i++)
        {
            double rate = rates[i];
            var runSettings = settings with { Trainer = settings.Trainer with { LearningRate = LearningRateSpec.Absolute(rate) }, LrConstant = null };
            var configuration = runSettings.Configuration(splits, rate);
            string folder = Path.Combine(output.Path, folders[i]);
            if (RunDirectory.HoldsCompleteRun(folder))
            {
                var manifest = JsonNode.Parse(BoundedFile.ReadAllText(Path.Combine(folder, RunDirectory.ManifestFileName), FileKindLimit.Manifest))!;
                if (!JsonNode.DeepEquals(manifest["configuration"], configuration))
                {
                    throw new UsageException("--out", $"'{folder}' holds a finished run with other settings; choose another --out or delete it.");
                }

                var saved = NumericCsv.Read(Path.Combine(folder, NetRun.MetricsFile));
                context.Error.WriteLine($"eta = {Text(rate)}: reusing the finished run in {folder}");
                runs.Add((rate, folders[i], null, saved, Analyse(saved, rate, settings.Trainer.Momentum, criteria), true, manifest["results"]!.AsObject()));
                continue;
            }

            var runOutput = RunOutput.Prepare(new DirectoryInfo(folder), [.. NetRun.Files, .. plan.Files]);
            var runStarted = DateTimeOffset.UtcNow;
            using NetworkModule model = runSettings.BuildModel(splits.Train);
            NetRun.RequireDisk(folder, model, plan, runSettings.Trainer, settings.TopK, runs: rates.Length - i);
            var checkpoints = new CheckpointWriter(runOutput, model, plan);
            var result = NetRun.Train(model, runSettings.Trainer, train, test, context, $"eta = {Text(rate)} ({i + 1}/{rates.Length})", checkpoints.OnStep);
            NetRun.WriteMetrics(runOutput, result, settings.TopK);
            var results = NetRun.Results(result);
            var written = new List<string> { NetRun.MetricsFile };
            written.AddRange(checkpoints.Finish(result, runSettings.DataDescription(splits)));
            written.AddRange(NetRun.WriteFigures(runOutput, configuration, results));

            // Each sub-folder is a net train run in all but name (sharpness plot redraws it as one).
            runOutput.Complete("net train", context, configuration, settings.Seed, runStarted, results, written);
            var table = NumericCsv.Read(Path.Combine(folder, NetRun.MetricsFile));
            runs.Add((rate, folders[i], result, table, Analyse(table, rate, settings.Trainer.Momentum, criteria), false, results));
        }

        WriteSummaryCsv(output, runs.Select(r => (r.Rate, r.Folder, r.Report, r.Results)).ToList());
        string markdown = SummaryTable(runs.Select(r => (r.Rate, r.Report, r.Results)).ToList(), criteria, settings);
        output.WriteText(SummaryMarkdown, markdown);
        var overall = settings.Configuration(splits, null);
        overall["lrs"] = new JsonArray(rates.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray());
        overall["reach_fraction"] = criteria.ReachFraction;
        overall["band_low"] = criteria.BandLow;
        overall["band_high"] = criteria.BandHigh;
        var perRate = new JsonArray();
        foreach (var run in runs)
        {
            perRate.Add(ReportJson(run.Rate, run.Folder, run.Report, run.Results, run.Reused));
        }

        var resultsJson = new JsonObject { ["runs"] = perRate };
        var written2 = new List<string> { SummaryCsv, SummaryMarkdown };
        written2.AddRange(output.WriteFigures(NetEosFigures.Render(SavedRun.Writing(output.Path, "net eos", overall, resultsJson))));
        foreach (string sub in folders)
        {
            // Each learning rate's files, by their path in this folder (the report of reproduce shows their figures too).
            var subFiles = JsonNode.Parse(BoundedFile.ReadAllText(Path.Combine(output.Path, sub, RunDirectory.ManifestFileName), FileKindLimit.Manifest))!["files"]!.AsArray();
            written2.AddRange(subFiles.Select(f => $"{sub}/{f!.GetValue<string>()}"));
        }
        output.Complete("net eos", context, overall, settings.Seed, started, resultsJson, written2);
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = overall.DeepClone(), ["results"] = resultsJson.DeepClone(), ["out"] = output.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            context.Output.Write(markdown);
            context.Output.WriteLine($"wrote {string.Join(", ", written2)} and manifest.json in {output.Path}");
        }

        return ExitCodes.Success;
    }

    private static EdgeOfStabilityReport Analyse(NumericTable table, double rate, double momentum, EdgeOfStabilityCriteria criteria) =>
        EdgeOfStabilityAnalysis.Analyse(
            table.Column("step").Select(s => (int)s).ToArray(),
            table.Column("loss"),
            table.Column("sharpness"),
            SharpnessMeasurement.StabilityThreshold(rate, momentum),
            criteria);

    private static JsonObject ReportJson(double rate, string folder, EdgeOfStabilityReport report, JsonObject results, bool reused) => new()
    {
        ["lr"] = rate,
        ["folder"] = folder,
        ["reused"] = reused,
        ["threshold"] = report.Threshold,
        ["steps_completed"] = results["steps_completed"]?.DeepClone(),
        ["stop_reason"] = results["stop_reason"]?.DeepClone(),
        ["diverged"] = results["diverged"]?.DeepClone(),
        ["final_accuracy"] = results["final_accuracy"]?.DeepClone(),
        ["initial_sharpness"] = results["initial_sharpness"]?.DeepClone(),
        ["initial_ratio"] = JsonOutput.Number(report.InitialRatio),
        ["started_above_threshold"] = report.StartedAboveThreshold,
        ["reach_step"] = report.ReachStep,
        ["measurements_after_reach"] = report.MeasurementsAfterReach,
        ["mean_ratio"] = JsonOutput.Number(report.MeanRatio),
        ["ratio_sd"] = JsonOutput.Number(report.RatioStandardDeviation),
        ["min_ratio"] = JsonOutput.Number(report.MinRatio),
        ["max_ratio"] = JsonOutput.Number(report.MaxRatio),
        ["fraction_in_band"] = JsonOutput.Number(report.FractionInBand),
        ["loss_at_reach"] = JsonOutput.Number(report.LossAtReach),
        ["final_loss"] = JsonOutput.Number(report.FinalLoss),
        ["loss_increases_after_reach"] = report.LossIncreasesAfterReach,
        ["loss_fell_non_monotonically"] = report.LossFellNonMonotonically,
        ["early_trend"] = TrendName(report.EarlyTrend),
    };

    private static void WriteSummaryCsv(RunOutput output, IReadOnlyList<(double Rate, string Folder, EdgeOfStabilityReport Report, JsonObject Results)> runs)
    {
        string[] columns = ["lr", "threshold", "steps_completed", "diverged", "final_accuracy", "initial_ratio", "started_above_threshold", "reach_step", "measurements_after_reach", "mean_ratio", "ratio_sd", "min_ratio", "max_ratio", "fraction_in_band", "loss_at_reach", "final_loss", "loss_increases_after_reach", "loss_fell_non_monotonically", "early_trend"];
        output.WriteCsv(SummaryCsv, columns, writer =>
        {
            foreach (var (rate, _, r, results) in runs)
            {
                writer.WriteRow(new[]
                {
                    CsvTable.Format(rate), CsvTable.Format(r.Threshold), results["steps_completed"]?.ToJsonString() ?? "nan",
                    results["diverged"]?.GetValue<bool>() == true ? "1" : "0", CsvTable.Format(results["final_accuracy"]?.GetValue<double>() ?? double.NaN),
                    CsvTable.Format(r.InitialRatio), r.StartedAboveThreshold ? "1" : "0", r.ReachStep?.ToString(CultureInfo.InvariantCulture) ?? "nan",
                    r.MeasurementsAfterReach.ToString(CultureInfo.InvariantCulture), CsvTable.Format(r.MeanRatio), CsvTable.Format(r.RatioStandardDeviation),
                    CsvTable.Format(r.MinRatio), CsvTable.Format(r.MaxRatio), CsvTable.Format(r.FractionInBand), CsvTable.Format(r.LossAtReach),
                    CsvTable.Format(r.FinalLoss), r.LossIncreasesAfterReach.ToString(CultureInfo.InvariantCulture), r.LossFellNonMonotonically ? "1" : "0",
                    TrendName(r.EarlyTrend),
                });
            }
        });
    }

    private static string SummaryTable(IReadOnlyList<(double Rate, EdgeOfStabilityReport Report, JsonObject Results)> runs, EdgeOfStabilityCriteria criteria, NetSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Edge of stability: {settings.ModelKind} on {settings.Dataset}, full-batch GD, loss {settings.Trainer.Loss.Name} ({settings.Trainer.Loss.Convention})");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"λ_H is the top eigenvalue of the training-loss Hessian on the measurement set; ratio = λ_H/(2/η). \"Reached\": λ_H ≥ {Text(criteria.ReachFraction)}·(2/η) (after first dropping below when it started above). Band: [{Text(criteria.BandLow)}, {Text(criteria.BandHigh)}].");
        text.AppendLine();
        text.AppendLine("| η | 2/η | steps (stop) | final acc. | λ_H(0)/(2/η) | early regime | reached at step | ratio mean ± sd after | min–max | in band | loss at reach → final (rises) |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (rate, r, results) in runs)
        {
            string reached = r.ReachStep is int step ? step.ToString(CultureInfo.InvariantCulture) : "never";
            string stats = r.ReachStep is null ? "–" : $"{F(r.MeanRatio)} ± {F(r.RatioStandardDeviation)}";
            string range = r.ReachStep is null ? "–" : $"{F(r.MinRatio)}–{F(r.MaxRatio)}";
            string band = r.ReachStep is null ? "–" : $"{r.FractionInBand * 100:F0}% of {r.MeasurementsAfterReach}";
            string loss = r.ReachStep is null ? "–" : $"{G(r.LossAtReach)} → {G(r.FinalLoss)} ({r.LossIncreasesAfterReach})";
            string stop = $"{results["steps_completed"]} ({results["stop_reason"]?.GetValue<string>()})";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {G(rate)} | {G(r.Threshold)} | {stop} | {F(results["final_accuracy"]?.GetValue<double>() ?? double.NaN)} | {F(r.InitialRatio)}{(r.StartedAboveThreshold ? " (above)" : string.Empty)} | {TrendName(r.EarlyTrend)} | {reached} | {stats} | {range} | {band} | {loss} |");
        }

        return text.ToString();
    }

    private static string TrendName(EarlySharpnessTrend trend) => trend switch
    {
        EarlySharpnessTrend.Reduction => "sharpness-reduction",
        EarlySharpnessTrend.Sharpening => "progressive-sharpening",
        EarlySharpnessTrend.Flat => "flat",
        _ => "unknown",
    };

    private static double[] ParseRates(string text)
    {
        var rates = new List<double>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string[] pieces = part.Split('/');
            double value = pieces.Length switch
            {
                1 when double.TryParse(pieces[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) => x,
                2 when double.TryParse(pieces[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double a)
                    && double.TryParse(pieces[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double b) && b != 0 => a / b,
                _ => throw new UsageException("--lrs", $"expected numbers or fractions such as 2/30, got '{part}'."),
            };
            OptionValues.Positive(value, "--lrs");
            if (rates.Any(r => RunFolder(r) == RunFolder(value)))
            {
                throw new UsageException("--lrs", $"'{part}' repeats a learning rate already in the list.");
            }

            rates.Add(value);
        }

        return rates.Count > 0 ? rates.ToArray() : throw new UsageException("--lrs", "expected at least one learning rate.");
    }

    private static string Text(double x) => x.ToString("G6", CultureInfo.InvariantCulture);

    private static string G(double x) => double.IsFinite(x) ? x.ToString("G4", CultureInfo.InvariantCulture) : "–";

    private static string F(double x) => double.IsFinite(x) ? x.ToString("F3", CultureInfo.InvariantCulture) : "–";
}
