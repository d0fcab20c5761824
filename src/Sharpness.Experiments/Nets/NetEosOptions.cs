using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Jobs;
using Sharpness.Experiments.Runs;
using Sharpness.Nets.Experiments;
using Sharpness.Runs;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// The options of <see cref="NetEosExperiment"/>: the network and training (resolved with the eos preset,
/// Cohen et al.'s protocol), the learning rates, the criteria of the analysis and the checkpoints of each run.
/// </summary>
public sealed record NetEosOptions
{
    /// <summary>The settings every learning rate trains with (its η replaced by each of <see cref="LearningRates"/>).</summary>
    public required NetworkSettings Network { get; init; }

    /// <summary>The learning rates, each trained as its own run (default 2/30 and 2/60).</summary>
    public IReadOnlyList<double> LearningRates { get; init; } = [2.0 / 30, 2.0 / 60];

    /// <summary>When λ_H counts as having reached 2/η and the band it should stay in (defaults 0.9 and [0.9, 1.3]).</summary>
    public EdgeOfStabilityCriteria Criteria { get; init; } = new();

    /// <summary>The weights each run saves (default none).</summary>
    public CheckpointPlan Checkpoints { get; init; } = CheckpointPlan.None;

    /// <summary>
    /// Learning rates trained side by side, each on one thread (<c>--jobs</c>); null (default): the cores available to the
    /// process, fewer when memory would not hold them; 1: one after another. Results are identical whatever the count.
    /// </summary>
    public int? Jobs { get; init; }

    /// <summary>
    /// This part's index among <see cref="Shards"/> (<c>--shard i/N</c>, 0 ≤ i &lt; N): the part trains the learning rates
    /// whose index in <see cref="LearningRates"/> is ≡ i (mod N), each into its sub-folder, and writes nothing else. Default 0.
    /// </summary>
    public int Shard { get; init; }

    /// <summary>
    /// The number of parts the learning rates are split into (default 1: the whole experiment, summary included). With
    /// several, each part (a process, a Slurm array task, a job of a reproduction) trains its learning rates side by side
    /// with the others under a shared claim of the folder; the same experiment without a shard then reuses every finished
    /// sub-folder and writes the summary.
    /// </summary>
    public int Shards { get; init; } = 1;

    /// <summary>Whether this is one part of several (<see cref="Shards"/> above 1): sub-folders only, no summary.</summary>
    public bool IsShard => Shards > 1;

    /// <summary>The indices into <see cref="LearningRates"/> this part trains (all of them without shards).</summary>
    public IReadOnlyList<int> ShardIndices => [.. Enumerable.Range(0, LearningRates.Count).Where(i => i % Math.Max(Shards, 1) == Shard)];

    /// <summary>Checks the options, naming the option at fault as typed.</summary>
    /// <exception cref="InvalidOptionException">SGD (<c>--optimizer</c>), no sharpness (<c>--sharpness-every</c>), a learning rate float32 cannot hold (<c>--lrs</c>), or criteria out of range.</exception>
    public void Validate()
    {
        if (Network.Trainer.Optimizer != Sharpness.Nets.Training.OptimizerKind.GradientDescent)
        {
            throw new InvalidOptionException("--optimizer", "net eos studies full-batch gradient descent; use gd (or net train for SGD).");
        }

        if (Network.Trainer.Tracking is null)
        {
            throw new InvalidOptionException("--sharpness-every", "net eos needs the sharpness: give a positive interval.");
        }

        if (LearningRates.Count == 0)
        {
            throw new InvalidOptionException("--lrs", "expected at least one learning rate.");
        }

        foreach (double rate in LearningRates)
        {
            OptionChecks.Positive(rate, "--lrs");
        }

        if (Shards < 1 || Shard < 0 || Shard >= Shards)
        {
            throw new InvalidOptionException("--shard", string.Create(CultureInfo.InvariantCulture, $"expected i/N with 0 <= i < N, got '{Shard}/{Shards}'."));
        }

        NetJobs.Check(Jobs, [Network]);
        Network.RequireFloat32("--lrs", LearningRates);
        try
        {
            Criteria.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw InvalidOptionException.FromArgument(e, e.ParamName switch { "ReachFraction" => "--reach-fraction", _ => "--band-high" });
        }
    }

    /// <summary>Sub-folder name of the run at <paramref name="learningRate"/>: eta-η with 6 significant digits.</summary>
    /// <param name="learningRate">η.</param>
    public static string RunFolderName(double learningRate) => "eta-" + learningRate.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>One learning rate's object in the manifest's results.</summary>
    internal static JsonObject ReportJson(double rate, string folder, EdgeOfStabilityReport report, JsonObject results, bool reused) => new()
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

    internal static void WriteSummaryCsv(RunFolder output, IReadOnlyList<(double Rate, string Folder, EdgeOfStabilityReport Report, JsonObject Results)> runs)
    {
        string[] columns = ["lr", "threshold", "steps_completed", "diverged", "final_accuracy", "initial_ratio", "started_above_threshold", "reach_step", "measurements_after_reach", "mean_ratio", "ratio_sd", "min_ratio", "max_ratio", "fraction_in_band", "loss_at_reach", "final_loss", "loss_increases_after_reach", "loss_fell_non_monotonically", "early_trend"];
        output.WriteCsv(NetEosWriter.SummaryCsv, columns, writer =>
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

    internal static string SummaryTable(IReadOnlyList<(double Rate, EdgeOfStabilityReport Report, JsonObject Results)> runs, EdgeOfStabilityCriteria criteria, NetworkSettings settings)
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

    internal static string TrendName(EarlySharpnessTrend trend) => trend switch
    {
        EarlySharpnessTrend.Reduction => "sharpness-reduction",
        EarlySharpnessTrend.Sharpening => "progressive-sharpening",
        EarlySharpnessTrend.Flat => "flat",
        _ => "unknown",
    };

    /// <summary>Parses a comma-separated list of learning rates (<c>--lrs</c>): numbers or fractions such as 2/30, positive, no two with the same run folder.</summary>
    /// <param name="text">The list.</param>
    /// <exception cref="InvalidOptionException">A value is not a positive number, or repeats one (<c>--lrs</c>).</exception>
    public static double[] ParseRates(string text)
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
                _ => throw new InvalidOptionException("--lrs", $"expected numbers or fractions such as 2/30, got '{part}'."),
            };
            OptionChecks.Positive(value, "--lrs");
            if (rates.Any(r => RunFolderName(r) == RunFolderName(value)))
            {
                throw new InvalidOptionException("--lrs", $"'{part}' repeats a learning rate already in the list.");
            }

            rates.Add(value);
        }

        return rates.Count > 0 ? rates.ToArray() : throw new InvalidOptionException("--lrs", "expected at least one learning rate.");
    }

    /// <summary>η as the messages and folder names print it (6 significant digits).</summary>
    internal static string Text(double x) => x.ToString("G6", CultureInfo.InvariantCulture);

    private static string G(double x) => double.IsFinite(x) ? x.ToString("G4", CultureInfo.InvariantCulture) : "–";

    private static string F(double x) => double.IsFinite(x) ? x.ToString("F3", CultureInfo.InvariantCulture) : "–";
}

/// <summary>The summary of one learning rate of a <see cref="NetEosExperiment"/> run.</summary>
/// <param name="LearningRate">η.</param>
/// <param name="Folder">Its sub-folder name (<see cref="NetEosOptions.RunFolderName"/>).</param>
/// <param name="Report">When and how λ_H settled at 2/η.</param>
/// <param name="Results">The run's results (as its manifest records them).</param>
/// <param name="Reused">Whether the run was a complete sub-folder of an earlier attempt, reused.</param>
public sealed record NetEosRun(double LearningRate, string Folder, EdgeOfStabilityReport Report, JsonObject Results, bool Reused);

/// <summary>A finished <see cref="NetEosExperiment"/> run.</summary>
/// <param name="Runs">One summary per learning rate, in the order given.</param>
/// <param name="Configuration">The manifest's configuration (the shared settings, lrs, criteria).</param>
/// <param name="Results">The manifest's results (runs: one object per learning rate).</param>
/// <param name="Markdown">The summary table (summary.md).</param>
public sealed record NetEosResult(IReadOnlyList<NetEosRun> Runs, JsonObject Configuration, JsonObject Results, string Markdown)
{
    /// <summary>How many learning rates trained side by side, and why (the manifest's <c>execution</c>); null when not recorded.</summary>
    public JobPlan? Jobs { get; init; }
}
