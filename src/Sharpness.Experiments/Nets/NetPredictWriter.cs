using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Runs;
using Sharpness.Nets.Data;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Runs;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// Writes a <see cref="NetPredictResult"/> as a run folder: predictions.csv, prediction_trajectories.csv and,
/// with the oscillation runs, oscillation.csv and oscillation_trajectories.csv; the figures; summary.md; and
/// manifest.json, last.
/// </summary>
public static class NetPredictWriter
{
    /// <summary>One row per configuration: initial state, prediction, observation, agreement.</summary>
    public const string PredictionsFile = "predictions.csv";

    /// <summary>One row per large learning rate: periods, Lyapunov estimates, labels.</summary>
    public const string OscillationFile = "oscillation.csv";

    /// <summary>The short Markdown summary.</summary>
    public const string SummaryFile = "summary.md";

    /// <summary>Long table of every prediction run's measurements.</summary>
    public const string PredictionTrajectoriesFile = "prediction_trajectories.csv";

    /// <summary>Long table of every oscillation run's steps.</summary>
    public const string OscillationTrajectoriesFile = "oscillation_trajectories.csv";

    /// <summary>Claims the run folder (new or empty) before the work.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="oscillation">Whether the run has oscillation runs (their files).</param>
    /// <exception cref="InvalidOptionException">It cannot take the run (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path, bool oscillation)
    {
        var files = new List<string> { NetPredictWriter.PredictionsFile, PredictionTrajectoriesFile, SummaryFile, "prediction_sharpness.png", "prediction_sharpness.svg" };
        if (oscillation)
        {
            files.AddRange([OscillationFile, OscillationTrajectoriesFile, "oscillation.png", "oscillation_late.png"]);
        }

        return RunFolder.Prepare(path, [.. files, JournalFile]);
    }

    /// <summary>The journal of the finished runs while the experiment trains (see <see cref="NetPredictExperiment.Run"/>); deleted before the manifest is written.</summary>
    public const string JournalFile = "predict.journal";

    /// <summary>The journal file in <paramref name="folder"/>, for <see cref="NetPredictExperiment.Run"/>.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    public static string Journal(RunFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return Path.Combine(folder.Path, JournalFile);
    }

    /// <summary>
    /// Runs the experiment and writes it into <paramref name="folder"/>; a cancelled or failed run releases the folder with
    /// no result file written, only the journal of its finished runs (<see cref="JournalFile"/>), from which the same
    /// command on the same folder resumes.
    /// </summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="options">What to run.</param>
    /// <param name="progress">Progress (see <see cref="NetPredictExperiment.Run"/>), or null.</param>
    /// <param name="cancellationToken">Stops at a step boundary.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    /// <returns>The result and the files written besides the manifest.</returns>
    /// <exception cref="InvalidOptionException">An option is invalid.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static (NetPredictResult Result, IReadOnlyList<string> Files) Run(
        RunFolder folder, NetPredictOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        using (folder)
        {
            var result = NetPredictExperiment.Run(options, progress, cancellationToken, Journal(folder));
            return (result, Write(folder, result, arguments));
        }
    }

    /// <summary>Writes the run's files and its manifest; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The run.</param>
    /// <param name="arguments">The command-line arguments the manifest and summary.md record (none for a run from code).</param>
    public static IReadOnlyList<string> Write(RunFolder folder, NetPredictResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        arguments ??= [];
        var written = new List<string>();
        NetPredictSummary.WritePredictions(folder, result.Predictions);
        NetPredictSummary.WritePredictionTrajectories(folder, result.Predictions);
        written.AddRange([NetPredictWriter.PredictionsFile, PredictionTrajectoriesFile]);
        if (result.Plan is not null)
        {
            NetPredictSummary.WriteOscillation(folder, result.Oscillations);
            NetPredictSummary.WriteOscillationTrajectories(folder, result.Oscillations);
            written.AddRange([OscillationFile, OscillationTrajectoriesFile]);
        }

        written.AddRange(folder.WriteFigures(NetPredictFigures.Render(SavedRun.Writing(folder.Path, NetPredictExperiment.Command, result.Configuration, result.Results))));
        folder.WriteText(SummaryFile, NetPredictSummary.Markdown(result, arguments));
        written.Add(SummaryFile);
        RunJournal.Delete(Journal(folder));
        folder.Complete(new RunRecord(NetPredictExperiment.Command, arguments, result.Configuration, result.Settings.Seed, result.StartedUtc, result.Results, result.Execution()), written);
        return written;
    }
}

/// <summary>The tables, manifest sections and Markdown of a <see cref="NetPredictResult"/>.</summary>
internal static class NetPredictSummary
{
    internal static void WritePredictions(RunFolder output, IReadOnlyList<NetPredictRun> runs)
    {
        string[] columns =
        [
            "config", "param", "width", "init_scale", "zero_readout", "lr", "lr_sharpness", "initial_sharpness", "residual_kernel", "lr_kernel",
            "f_norm", "y_norm", "f_dot_y", "norm_ratio", "projection", "margin", "predicted_regime", "observed_regime", "observed_at_step",
            "first_move", "first_move_step", "sharpness_min_ratio", "sharpness_max_ratio", "sharpness_final_ratio",
            "agree", "diverged", "steps",
        ];
        output.WriteCsv(NetPredictWriter.PredictionsFile, columns, writer =>
        {
            foreach (var run in runs)
            {
                var s = run.State;
                var o = run.Observed;
                writer.WriteRow(
                [
                    run.Config.Name, run.Config.Parameterisation.Name(), Cell(run.Config.Width), Cell(run.Config.EffectiveInitScale),
                    run.Config.ZeroReadout ? "1" : "0", Cell(run.Result.LearningRate), Cell(s?.ScaledSharpness), Cell(s?.InitialSharpness), Cell(s?.ResidualKernel),
                    Cell(s?.ScaledKernel), Cell(s?.OutputNorm), Cell(s?.TargetNorm), Cell(s?.OutputTargetInnerProduct), Cell(s?.NormRatio), Cell(s?.Projection),
                    Cell(run.Prediction?.Margin), Label(run.Prediction?.Regime), o.Regime.Label(), Cell(o.DecidedAtStep), o.FirstMove.Label(), Cell(o.FirstMoveStep),
                    Cell(o.MinimumRatio), Cell(o.MaximumRatio), Cell(o.FinalRatio), run.Agrees ? "1" : "0",
                    run.Result.Diverged ? "1" : "0", Cell(run.Result.StepsCompleted),
                ]);
            }
        });
    }

    internal static void WritePredictionTrajectories(RunFolder output, IReadOnlyList<NetPredictRun> runs)
    {
        output.WriteCsv(NetPredictWriter.PredictionTrajectoriesFile, ["config", "step", "loss", "sharpness", "lr_sharpness", "residual_kernel", "f_norm", "f_dot_y"], writer =>
        {
            foreach (var run in runs)
            {
                var byStep = run.Result.Measurements.ToDictionary(m => m.Step);
                for (int i = 0; i < run.Steps.Count; i++)
                {
                    var m = byStep[run.Steps[i]];
                    var record = run.Result.Records.First(r => r.Step == run.Steps[i]);
                    writer.WriteRow([run.Config.Name, Cell(run.Steps[i]), Cell(record.Loss), Cell(run.Sharpness[i]), Cell(run.Result.LearningRate * run.Sharpness[i]), Cell(run.Kernel[i]), Cell(m.OutputNorm), Cell(m.OutputTargetInnerProduct)]);
                }
            }
        });
    }

    internal static void WriteOscillation(RunFolder output, IReadOnlyList<NetOscillationRun> runs)
    {
        string[] columns =
        [
            "rate", "lr", "lr_factor", "initial_sharpness", "diverged", "diverged_at_step", "final_loss",
            "loss_period", "loss_misfit1", "loss_misfit2", "loss_misfit4", "loss_alternation", "loss_relative_amplitude", "loss_amplitude_growth", "loss_lyapunov", "loss_pairs", "loss_label",
            "sharpness_period", "sharpness_misfit1", "sharpness_misfit2", "sharpness_misfit4", "sharpness_alternation", "sharpness_relative_amplitude", "sharpness_amplitude_growth", "sharpness_lyapunov", "sharpness_pairs", "sharpness_label",
            "late_lr_sharpness_mean", "late_lr_sharpness_geometric_mean",
        ];
        output.WriteCsv(NetPredictWriter.OscillationFile, columns, writer =>
        {
            foreach (var run in runs)
            {
                var (mean, geometric) = run.LateScaledSharpness();
                writer.WriteRow(
                [
                    run.RateName, Cell(run.LearningRate), Cell(run.LearningRate * run.Result.InitialSharpness / 2), Cell(run.Result.InitialSharpness),
                    run.Result.Diverged ? "1" : "0", Cell(run.Result.DivergedAtStep), Cell(run.Result.Records[^1].Loss),
                    Cell(run.LossPeriod?.Period), Cell(Misfit(run.LossPeriod, 1)), Cell(Misfit(run.LossPeriod, 2)), Cell(Misfit(run.LossPeriod, 4)), Cell(run.LossPeriod?.AlternationFraction),
                    Cell(run.LossPeriod?.RelativeAmplitude), Cell(run.LossPeriod?.AmplitudeGrowth), Cell(run.LossLyapunov?.Exponent), Cell(run.LossLyapunov?.Pairs), run.LossLabel,
                    Cell(run.SharpnessPeriod?.Period), Cell(Misfit(run.SharpnessPeriod, 1)), Cell(Misfit(run.SharpnessPeriod, 2)), Cell(Misfit(run.SharpnessPeriod, 4)), Cell(run.SharpnessPeriod?.AlternationFraction),
                    Cell(run.SharpnessPeriod?.RelativeAmplitude), Cell(run.SharpnessPeriod?.AmplitudeGrowth), Cell(run.SharpnessLyapunov?.Exponent), Cell(run.SharpnessLyapunov?.Pairs), run.SharpnessLabel,
                    Cell(mean), Cell(geometric),
                ]);
            }
        });
    }

    internal static void WriteOscillationTrajectories(RunFolder output, IReadOnlyList<NetOscillationRun> runs)
    {
        output.WriteCsv(NetPredictWriter.OscillationTrajectoriesFile, ["rate", "step", "loss", "sharpness", "lr_sharpness"], writer =>
        {
            foreach (var run in runs)
            {
                foreach (var record in run.Result.Records)
                {
                    double h = run.Sharpness.TryGetValue(record.Step, out double v) ? v : double.NaN;
                    writer.WriteRow([run.RateName, Cell(record.Step), Cell(record.Loss), Cell(h), Cell(run.LearningRate * h)]);
                }
            }
        });
    }

    private static double? Misfit(PeriodEstimate? estimate, int period) =>
        estimate is not null && estimate.Misfits.Count >= period ? estimate.Misfits[period - 1] : null;

    internal static JsonObject Results(IReadOnlyList<NetPredictRun> predictions, IReadOnlyList<NetOscillationRun> late, NetOscillationPlan? plan)
    {
        int n = predictions.Count;
        int agree = predictions.Count(p => p.Agrees);
        var byParam = new JsonObject();
        foreach (var group in predictions.GroupBy(p => p.Config.ZeroReadout ? "zero-readout" : p.Config.Parameterisation.Name()))
        {
            byParam[group.Key] = new JsonObject { ["configurations"] = group.Count(), ["agree"] = group.Count(p => p.Agrees) };
        }

        var result = new JsonObject
        {
            ["predictions"] = new JsonObject
            {
                ["configurations"] = n,
                ["agree"] = agree,
                ["agreement_fraction"] = n == 0 ? null : JsonOutput.Number((double)agree / n),
                ["first_move_agree"] = predictions.Count(p => p.Prediction is not null && p.Prediction.Regime == p.Observed.FirstMove),
                ["predicted_reduction"] = predictions.Count(p => p.Prediction?.Regime == EarlyRegime.SharpnessReduction),
                ["predicted_sharpening"] = predictions.Count(p => p.Prediction?.Regime == EarlyRegime.ProgressiveSharpening),
                ["observed_reduction"] = predictions.Count(p => p.Observed.Regime == EarlyRegime.SharpnessReduction),
                ["observed_sharpening"] = predictions.Count(p => p.Observed.Regime == EarlyRegime.ProgressiveSharpening),
                ["observed_flat"] = predictions.Count(p => p.Observed.Regime == EarlyRegime.Flat),
                ["by_param"] = byParam,
                ["excluding_mup_abc"] = new JsonObject
                {
                    ["configurations"] = predictions.Count(p => p.Config.Parameterisation != NetworkParameterisation.MuPAbc),
                    ["agree"] = predictions.Count(p => p.Config.Parameterisation != NetworkParameterisation.MuPAbc && p.Agrees),
                },
                ["runs"] = new JsonArray(predictions.Select(p => (JsonNode?)new JsonObject
                {
                    ["config"] = p.Config.Name,
                    ["norm_ratio"] = JsonOutput.Number(p.State?.NormRatio),
                    ["projection"] = JsonOutput.Number(p.State?.Projection),
                    ["predicted"] = Label(p.Prediction?.Regime),
                    ["observed"] = p.Observed.Regime.Label(),
                    ["agree"] = p.Agrees,
                    ["seconds"] = p.Seconds,
                }).ToArray()),
                ["seconds"] = predictions.Sum(p => p.Seconds),
            },
        };
        if (plan is not null)
        {
            var runs = new JsonArray();
            foreach (var run in late)
            {
                runs.Add(new JsonObject
                {
                    ["rate"] = run.RateName,
                    ["lr"] = run.LearningRate,
                    ["diverged"] = run.Result.Diverged,
                    ["loss_period"] = run.LossPeriod?.Period,
                    ["sharpness_period"] = run.SharpnessPeriod?.Period,
                    ["loss_label"] = run.LossLabel,
                    ["sharpness_label"] = run.SharpnessLabel,
                    ["loss_amplitude"] = run.LossPeriod is null ? null : LateOscillation.AmplitudeTrend(run.LossPeriod),
                    ["sharpness_amplitude"] = run.SharpnessPeriod is null ? null : LateOscillation.AmplitudeTrend(run.SharpnessPeriod),
                    ["loss_lyapunov"] = JsonOutput.Number(run.LossLyapunov?.Exponent),
                    ["sharpness_lyapunov"] = JsonOutput.Number(run.SharpnessLyapunov?.Exponent),
                    ["seconds"] = run.Seconds,
                });
            }

            var lossChanges = LateOscillation.PeriodDoublings(late.Select(r => (r.LearningRate, r.LossPeriod?.Period)).ToArray());
            var sharpnessChanges = LateOscillation.PeriodDoublings(late.Select(r => (r.LearningRate, r.SharpnessPeriod?.Period)).ToArray());
            result["oscillation"] = new JsonObject
            {
                ["runs"] = runs,
                ["period_two_found"] = late.Any(r => r.LossPeriod?.Period == 2 || r.SharpnessPeriod?.Period == 2),
                ["period_two_steady"] = late.Any(r => IsSteadyPeriodTwo(r.LossPeriod) || IsSteadyPeriodTwo(r.SharpnessPeriod)),
                ["period_two_loss_and_sharpness"] = late.Any(r => r.LossPeriod?.Period == 2 && r.SharpnessPeriod?.Period == 2),
                ["period_doubling_found"] = lossChanges.Concat(sharpnessChanges).Any(c => c.FromPeriod >= 2),
                ["loss_doublings"] = Changes(lossChanges),
                ["sharpness_doublings"] = Changes(sharpnessChanges),
                ["chaos_found"] = late.Any(r => r.LossLabel == "chaos" || r.SharpnessLabel == "chaos"),
                ["seconds"] = late.Sum(r => r.Seconds),
            };
        }

        return result;
    }

    private static bool IsSteadyPeriodTwo(PeriodEstimate? estimate) => estimate is { Period: 2 } e && LateOscillation.AmplitudeTrend(e) == "steady";

    private static JsonArray Changes(IEnumerable<PeriodChange> changes) =>
        new(changes.Select(c => (JsonNode?)new JsonObject { ["from"] = c.FromPeriod, ["to"] = c.ToPeriod, ["from_lr"] = c.FromLearningRate, ["to_lr"] = c.ToLearningRate }).ToArray());

    internal static JsonObject Configuration(NetworkSettings settings, DatasetSplits splits, IReadOnlyList<NetPredictConfiguration> configs, double tolerance, NetOscillationPlan? plan)
    {
        var configuration = settings.Configuration(splits, null);
        configuration.Remove("param");
        configuration.Remove("width");
        configuration.Remove("init_scale");
        configuration.Remove("zero_readout");
        configuration["configurations"] = new JsonArray(configs.Select(c => (JsonNode?)c.Name).ToArray());
        configuration["trend_tolerance"] = tolerance;
        configuration["prediction"] = "growth wedge of the UV model generalised to vector outputs: m = x(1 - 2p + q^2) - 4(q^2 - p) with p = <f0,y>/|y|^2, q = |f0|/|y|, x = eta*kappa0, kappa0 = |grad L|^2/(2L); m > 0 progressive sharpening, m < 0 sharpness reduction";
        configuration["observation"] = "dominant excursion of lambda_H(t)/lambda_H(0) over the run: fall = 1 - min, rise = max - 1; sharpness reduction if fall > trend_tolerance and fall > rise, progressive sharpening if rise > trend_tolerance and rise >= fall, flat otherwise";
        configuration["oscillation"] = null;
        if (plan is not null)
        {
            configuration["oscillation"] = new JsonObject
            {
                ["model"] = plan.Model.Name,
                ["rates"] = new JsonArray(plan.RateNames.Select(n => (JsonNode?)n).ToArray()),
                ["steps"] = plan.Steps,
                ["window"] = plan.Window,
                ["sharpness_every"] = plan.Every,
                ["max_period"] = plan.MaxPeriod,
                ["period_tolerance"] = plan.PeriodTolerance,
                ["lyapunov"] = $"Rosenstein nearest-neighbour divergence of the detrended window, embedding {TimeSeriesLyapunov.DefaultEmbeddingDimension}, horizon {TimeSeriesLyapunov.DefaultHorizon}",
            };
        }

        return configuration;
    }

    internal static string Markdown(NetPredictResult result, IReadOnlyList<string> arguments) =>
        Summary(result.Settings, result.Predictions, result.Oscillations, result.Plan, result.Results, result.TrendTolerance, arguments);

    private static string Summary(NetworkSettings settings, IReadOnlyList<NetPredictRun> predictions, IReadOnlyList<NetOscillationRun> late, NetOscillationPlan? plan, JsonObject results, double tolerance, IReadOnlyList<string> arguments)
    {
        string G(double? x) => x is double v && double.IsFinite(v) ? v.ToString("G4", CultureInfo.InvariantCulture) : "–";
        var text = new StringBuilder();
        text.AppendLine("# net predict: UV predictions against real networks");
        text.AppendLine();
        text.AppendLine($"Command: `sharpness {string.Join(' ', arguments)}`");
        text.AppendLine();
        text.AppendLine(FormattableString.Invariant(
            $"{settings.Dataset}, {settings.TrainSize} training examples, fc depth {settings.Depth}, {settings.Activation.ToString().ToLowerInvariant()}, loss {settings.Trainer.Loss.Name} ({settings.Trainer.Loss.Convention}), {settings.OptimizerName}, {settings.Trainer.MaxSteps} steps, sharpness every {settings.Trainer.Tracking!.Interval} steps."));
        text.AppendLine();
        text.AppendLine("## Early regime: predicted from the initial output, observed in λ_H");
        text.AppendLine();
        text.AppendLine("p = ⟨f₀,y⟩/‖y‖², q = ‖f₀‖/‖y‖, x = ηκ₀ (κ₀ = ‖∇L‖²/(2L)); margin m = x(1 − 2p + q²) − 4(q² − p): m > 0 predicts progressive sharpening, m < 0 sharpness reduction. "
            + FormattableString.Invariant($"Observed: the larger of the fall 1 − min λ_H(t)/λ_H(0) and the rise max λ_H(t)/λ_H(0) − 1 over the run, if it exceeds {tolerance:G3} (else flat); the first move out of the band 1 ± {tolerance:G3} is shown too."));
        text.AppendLine();
        text.AppendLine("| config | ηλ_H(0) | ηκ₀ | q | p | m | predicted | observed (step) | first move (step) | min, max λ_H/λ_H(0) | agree |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in predictions)
        {
            var s = p.State;
            text.AppendLine($"| {p.Config.Name} | {G(s?.ScaledSharpness)} | {G(s?.ScaledKernel)} | {G(s?.NormRatio)} | {G(s?.Projection)} | {G(p.Prediction?.Margin)} | {Label(p.Prediction?.Regime)} | {p.Observed.Regime.Label()} ({Step(p.Observed.DecidedAtStep)}) | {p.Observed.FirstMove.Label()} ({Step(p.Observed.FirstMoveStep)}) | {G(p.Observed.MinimumRatio)}, {G(p.Observed.MaximumRatio)} | {(p.Agrees ? "yes" : "no")} |");
        }

        var summary = (JsonObject)results["predictions"]!;
        text.AppendLine();
        text.AppendLine(FormattableString.Invariant(
            $"Agreement with the observed λ_H trend: {summary["agree"]}/{summary["configurations"]} (with the first move: {summary["first_move_agree"]}/{summary["configurations"]}); observed flat: {summary["observed_flat"]}."));
        text.AppendLine();
        text.AppendLine("By parameterisation (mup-out is Kalra & Barkeshli's μP, the standard network with its output divided by √width; mup-abc is Yang & Hu's abc form; zero-readout is SP with the readout at zero):");
        text.AppendLine();
        text.AppendLine("| parameterisation | agree |");
        text.AppendLine("|---|---|");
        foreach (var (name, group) in (JsonObject)summary["by_param"]!)
        {
            text.AppendLine($"| {name} | {group!["agree"]}/{group["configurations"]} |");
        }

        var withoutAbc = (JsonObject)summary["excluding_mup_abc"]!;
        text.AppendLine($"| all but mup-abc | {withoutAbc["agree"]}/{withoutAbc["configurations"]} |");
        if (plan is not null)
        {
            text.AppendLine();
            text.AppendLine($"## Late time at large η ({plan.Model.Name}, {plan.Steps} steps, last {plan.Window} analysed)");
            text.AppendLine();
            text.AppendLine("| rate | η | loss | λ_H | Lyapunov (loss) | Lyapunov (λ_H) | mean ηλ_H (late) | geometric mean ηλ_H |");
            text.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var run in late)
            {
                var (mean, geometric) = run.LateScaledSharpness();
                text.AppendLine($"| {run.RateName} | {G(run.LearningRate)} | {Describe(run.LossLabel, run.LossPeriod)} | {Describe(run.SharpnessLabel, run.SharpnessPeriod)} | {Lyapunov(run.LossPeriod, run.LossLyapunov)} | {Lyapunov(run.SharpnessPeriod, run.SharpnessLyapunov)} | {G(mean)} | {G(geometric)} |");
            }

            var o = (JsonObject)results["oscillation"]!;
            text.AppendLine();
            text.AppendLine("Labels: period-p (with the amplitude's trend over the window when it oscillates), transient, chaos, aperiodic or diverged; see docs/real-networks.md. For a 2-cycle of the UV model on its edge-of-stability manifold the geometric mean of ηλ is exactly 2.");
            text.AppendLine();
            text.AppendLine($"Period 2 found: {YesNo(o["period_two_found"])} (steady: {YesNo(o["period_two_steady"])}); period doubling (p → 2p with p ≥ 2) as η grows: {YesNo(o["period_doubling_found"])}; chaos: {YesNo(o["chaos_found"])}.");
        }

        return text.ToString();
    }

    private static string Describe(string label, PeriodEstimate? period) =>
        period is { Period: >= 2 } p ? $"{label}, {LateOscillation.AmplitudeTrend(p)}" : label;

    private static string Step(int? step) => step is int s ? s.ToString(CultureInfo.InvariantCulture) : "–";

    // A series that is smooth on the step scale (period 1) has no meaningful nearest-neighbour exponent.
    private static string Lyapunov(PeriodEstimate? period, LyapunovEstimate? estimate) =>
        period?.Period == 1 ? "(smooth)"
        : estimate is { } e && double.IsFinite(e.Exponent) ? e.Exponent.ToString("G3", CultureInfo.InvariantCulture) : "–";

    private static string YesNo(JsonNode? node) => node?.GetValue<bool>() == true ? "yes" : "not found";

    internal static string Label(EarlyRegime? regime) => regime?.Label() ?? "none";

    private static string Cell(double? value) => value is double v ? CsvTable.Format(v) : "nan";

    private static string Cell(int? value) => value is int v ? v.ToString(CultureInfo.InvariantCulture) : "nan";

}
