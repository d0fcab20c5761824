using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Runs;
using Sharpness.Nets.Experiments;
using Sharpness.Runs;

namespace Sharpness.Experiments.Nets;

/// <summary>A finished <see cref="NetFitUvExperiment"/> run.</summary>
/// <param name="Report">The fits and baselines; null when the run had too few usable measurements (<see cref="Skipped"/>).</param>
/// <param name="Skipped">Why there is no fit, or null.</param>
/// <param name="Projection">top-eigenvector or target-direction: how the effective output was measured.</param>
/// <param name="Points">The usable measurements.</param>
/// <param name="GaussNewton">The Gauss–Newton eigenvalue at each point (NaN when not measured).</param>
/// <param name="Training">The training run (null when an existing folder was fitted).</param>
/// <param name="RunFolder">The folder fitted (null when trained).</param>
/// <param name="Configuration">The manifest's configuration.</param>
/// <param name="Results">The manifest's results.</param>
/// <param name="Seed">The seed (0 for a fitted folder).</param>
/// <param name="StartedUtc">When the run started.</param>
public sealed record NetFitUvResult(
    UvFitReport? Report,
    string? Skipped,
    string Projection,
    IReadOnlyList<EffectiveUvPoint> Points,
    IReadOnlyList<double> GaussNewton,
    NetTrainResult? Training,
    string? RunFolder,
    JsonObject Configuration,
    JsonObject Results,
    ulong Seed,
    DateTimeOffset StartedUtc);

/// <summary>
/// <c>net fit-uv</c> as a library call: fits the UV model's exact map to the sharpness trajectory of a real run
/// (trained here with the top eigenvector's function-space projection measured, or read from a folder) and
/// reports the fit error next to baselines. <see cref="NetFitUvWriter"/> writes it as a run folder.
/// </summary>
public static class NetFitUvExperiment
{
    /// <summary>The command, as manifests name it.</summary>
    public const string Command = "net fit-uv";

    /// <summary>Trains (or reads) the run and fits it; nothing is written.</summary>
    /// <param name="options">What to fit.</param>
    /// <param name="progress">Receives the training's per-step snapshots (task <c>net fit-uv</c>); null for none.</param>
    /// <param name="cancellationToken">Stops the training at a step boundary.</param>
    /// <returns>The fit.</returns>
    /// <exception cref="InvalidOptionException">An option is invalid, or the fit window holds no measurement.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static NetFitUvResult Run(NetFitUvOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Execute(options, null, progress, cancellationToken, []).Result;

    /// <summary>The shared path of <see cref="Run"/> and <see cref="NetFitUvWriter.Run"/>: with a folder, metrics.csv streams into it while the run trains, then the fit's files and the manifest.</summary>
    internal static (NetFitUvResult Result, IReadOnlyList<string> Files) Execute(
        NetFitUvOptions options, RunFolder? folder, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(options);
        var fitOptions = options.FitOptions();
        var started = DateTimeOffset.UtcNow;
        var written = new List<string>();
        JsonObject configuration;
        NetTrainResult? run = null;
        IReadOnlyList<EffectiveUvPoint> points;
        IReadOnlyList<double> gaussNewton;
        double learningRate;
        string projection;
        ulong seed;
        if (options.Network is { } settings)
        {
            // Trained by the net train entry point (progress every step, cancellation at a step boundary), metrics.csv streamed.
            var projected = settings with { Trainer = settings.Trainer with { Tracking = settings.Trainer.Tracking! with { ProjectOnTopEigenvector = true } } };
            using (var metrics = folder is null ? null : new NetTrainWriter(folder, ownsFolder: false))
            {
                run = NetTrainExperiment.Run(projected, progress, cancellationToken, metrics, Command);
            }

            var usable = run.Training.Measurements.Where(m => m.Sharpness > 0 && double.IsFinite(m.Sharpness)).ToList();
            points = usable.Select(m => new EffectiveUvPoint(
                m.Step, m.Sharpness, m.Projection?.Output ?? double.NaN, m.Projection?.Target ?? double.NaN, m.Projection?.Ntk ?? double.NaN)).ToList();
            gaussNewton = usable.Select(m => m.Projection?.GaussNewton ?? double.NaN).ToList();
            learningRate = run.Training.LearningRate;
            configuration = run.Configuration;
            if (folder is not null)
            {
                written.Add(NetTrainWriter.MetricsFile);
                written.AddRange(folder.WriteFigures(NetTrainFigures.Render(SavedRun.Writing(folder.Path, NetTrainExperiment.Command, configuration, run.Results))));
            }

            projection = "top-eigenvector";
            seed = settings.Seed;
        }
        else
        {
            var source = options.Source!;
            points = source.Points;
            gaussNewton = source.GaussNewton;
            learningRate = source.LearningRate;
            configuration = new JsonObject { ["run"] = source.Folder, ["run_configuration"] = source.Configuration.DeepClone() };
            projection = source.Projection;
            seed = 0;
        }

        configuration["fit_from"] = fitOptions.FitFrom;
        configuration["fit_to"] = fitOptions.FitTo;
        configuration["starts"] = fitOptions.Starts;
        configuration["output_weight"] = fitOptions.OutputWeight;
        configuration["projection"] = projection;

        UvFitReport? report;
        string? skipped;
        try
        {
            report = points.Count >= 2 ? UvTrajectoryFit.Fit(points, learningRate, fitOptions) : null;
            skipped = report is null ? $"only {points.Count} usable sharpness measurement(s); the fit needs at least 2" : null;
        }
        catch (ArgumentException e) when (fitOptions.FitFrom is not null || fitOptions.FitTo is not null)
        {
            throw new InvalidOptionException(fitOptions.FitFrom is not null ? "--fit-from" : "--fit-to", e.Message);
        }

        var results = NetFitUvSummary.Results(report, skipped, projection, run?.Results);
        var result = new NetFitUvResult(report, skipped, projection, points, gaussNewton, run, options.Source?.Folder, configuration, results, seed, started);
        if (folder is not null)
        {
            NetFitUvWriter.WriteFit(folder, result, arguments, written);
        }

        return (result, written);
    }
}

/// <summary>
/// Writes a <see cref="NetFitUvExperiment"/> run as a run folder: metrics.csv and the net train figures when it
/// trains (metrics.csv streamed while it trains), then fit.csv, fit.png/.svg and effective.png/.svg (when there is
/// a fit), summary.md and manifest.json, last.
/// </summary>
public static class NetFitUvWriter
{
    /// <summary>The per-measurement table of the fit.</summary>
    public const string FitFile = "fit.csv";

    /// <summary>The Markdown summary table.</summary>
    public const string SummaryFile = "summary.md";

    /// <summary>Claims the run folder (new or empty) before the work.</summary>
    /// <param name="path">The folder.</param>
    /// <param name="options">The run (whether it trains decides the files).</param>
    /// <exception cref="InvalidOptionException">It cannot take the run (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path, NetFitUvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = new List<string> { FitFile, "fit.png", "fit.svg", "effective.png", "effective.svg", SummaryFile };
        if (options.Network is not null)
        {
            files.AddRange([NetTrainWriter.MetricsFile, .. NetTrainWriter.FigureFiles]);
        }

        return RunFolder.Prepare(path, files);
    }

    /// <summary>Trains (or reads) and fits the run, writing it into <paramref name="folder"/>; returns the result and the files written besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="options">What to fit.</param>
    /// <param name="progress">Progress (see <see cref="NetFitUvExperiment.Run"/>), or null.</param>
    /// <param name="cancellationToken">Stops the training at a step boundary; a cancelled run leaves no partial file.</param>
    /// <param name="arguments">The command-line arguments the manifest and summary.md record (none for a run from code).</param>
    /// <exception cref="InvalidOptionException">An option is invalid.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static (NetFitUvResult Result, IReadOnlyList<string> Files) Run(
        RunFolder folder, NetFitUvOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        using (folder)
        {
            return NetFitUvExperiment.Execute(options, folder, progress, cancellationToken, arguments ?? []);
        }
    }

    /// <summary>The summary (summary.md) of a fit.</summary>
    /// <param name="result">The fit.</param>
    /// <param name="arguments">The command line it records.</param>
    public static string Summary(NetFitUvResult result, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(result);
        return NetFitUvSummary.Summary(result.Report, result.Skipped, result.Projection, arguments, result.RunFolder);
    }

    /// <summary>Writes fit.csv, the fit's figures, summary.md and the manifest, adding them to <paramref name="written"/> (the files of the training before them).</summary>
    internal static void WriteFit(RunFolder folder, NetFitUvResult result, IReadOnlyList<string> arguments, List<string> written)
    {
        if (result.Report is { } report)
        {
            NetFitUvSummary.WriteFitTable(folder, result.Points, result.GaussNewton, report);
            written.Add(FitFile);

            // Drawn from fit.csv and the results, as sharpness plot redraws them.
            written.AddRange(folder.WriteFigures(NetFitUvFigures.Render(SavedRun.Writing(folder.Path, NetFitUvExperiment.Command, result.Configuration, result.Results))));
        }

        folder.WriteText(SummaryFile, Summary(result, arguments));
        written.Add(SummaryFile);
        folder.Complete(new RunRecord(NetFitUvExperiment.Command, arguments, result.Configuration, result.Seed, result.StartedUtc, result.Results), written);
    }
}

/// <summary>The table, manifest results and Markdown of a <see cref="NetFitUvResult"/>.</summary>
internal static class NetFitUvSummary
{
    private static readonly string[] FitColumns =
    [
        "step", "window", "sharpness", "uv_sharpness", "uv_sharpness_anchored", "threshold", "baseline_constant", "baseline_linear",
        "output", "target", "output_ratio", "uv_output_ratio", "uv_output_ratio_anchored", "ntk", "uv_ntk", "uv_ntk_anchored", "gauss_newton",
    ];

    internal static void WriteFitTable(RunFolder output, IReadOnlyList<EffectiveUvPoint> points, IReadOnlyList<double> gaussNewton, UvFitReport report)
    {
        var constant = report.Baselines.Single(b => b.Name == "constant").Predictions;
        var linear = report.Baselines.Single(b => b.Name == "linear").Predictions;
        output.WriteCsv(NetFitUvWriter.FitFile, FitColumns, writer =>
        {
            var row = new double[FitColumns.Length];
            for (int i = 0; i < points.Count; i++)
            {
                var p = points[i];
                var free = report.Free.Predictions[i];
                var anchored = report.Anchored?.Predictions[i];
                row[0] = p.Step;
                row[1] = p.Step < report.FitFrom ? 0 : p.Step <= report.FitTo ? 1 : 2;
                row[2] = p.Sharpness;
                row[3] = free.Sharpness;
                row[4] = anchored?.Sharpness ?? double.NaN;
                row[5] = 2 / report.LearningRate;
                row[6] = constant[i];
                row[7] = linear[i];
                row[8] = p.Output;
                row[9] = p.Target;
                row[10] = p.OutputRatio;
                row[11] = free.OutputRatio;
                row[12] = anchored?.OutputRatio ?? double.NaN;
                row[13] = p.Ntk;
                row[14] = free.Ntk;
                row[15] = anchored?.Ntk ?? double.NaN;
                row[16] = gaussNewton[i];
                writer.WriteRow(row);
            }
        });
    }

    internal static JsonObject Results(UvFitReport? report, string? skipped, string projection, JsonObject? training)
    {
        var results = new JsonObject
        {
            ["projection"] = projection,
            ["fit_skipped"] = skipped,
        };
        if (training is not null)
        {
            results["training"] = training;
        }

        if (report is null)
        {
            return results;
        }

        JsonObject Fit(UvFit fit) => new()
        {
            ["r"] = JsonOutput.Number(fit.Parameters.R),
            ["x0"] = JsonOutput.Number(fit.Parameters.X0),
            ["g0"] = JsonOutput.Number(fit.Parameters.G0),
            ["output_ratio0"] = JsonOutput.Number(fit.Parameters.OutputRatio0),
            ["ntk0"] = JsonOutput.Number(fit.Parameters.X0 / report.LearningRate),
            ["q0"] = JsonOutput.Number(fit.Parameters.Q0),
            ["objective"] = JsonOutput.Number(fit.Objective),
            ["fit_error"] = JsonOutput.Number(fit.FitError),
            ["held_out_error"] = JsonOutput.Number(fit.HeldOutError),
            ["evaluations"] = fit.Evaluations,
        };
        var baselines = new JsonObject();
        foreach (var b in report.Baselines)
        {
            baselines[b.Name] = new JsonObject
            {
                ["parameters"] = b.ParameterCount,
                ["fit_error"] = JsonOutput.Number(b.FitError),
                ["held_out_error"] = JsonOutput.Number(b.HeldOutError),
            };
        }

        results["learning_rate"] = report.LearningRate;
        results["fit_from"] = report.FitFrom;
        results["fit_to"] = report.FitTo;
        results["fit_points"] = report.FitPoints;
        results["held_out_points"] = report.HeldOutPoints;
        results["free"] = Fit(report.Free);
        results["anchored"] = report.Anchored is null ? null : Fit(report.Anchored);
        results["baselines"] = baselines;
        return results;
    }

    internal static string Summary(UvFitReport? report, string? skipped, string projection, IReadOnlyList<string> arguments, string? run)
    {
        var text = new StringBuilder();
        text.AppendLine("# UV model fitted to a real run");
        text.AppendLine();
        text.AppendLine($"Command: `sharpness {string.Join(' ', arguments)}`{(run is null ? string.Empty : $" (run {run})")}");
        text.AppendLine();
        if (report is null)
        {
            text.AppendLine($"No fit: {skipped}.");
            return text.ToString();
        }

        string Percent(double e) => double.IsNaN(e) ? "–" : double.IsPositiveInfinity(e) ? "diverged" : (100 * e).ToString("F1", CultureInfo.InvariantCulture) + "%";
        string heldOut = report.HeldOutPoints > 0 ? $"held out (after step {report.FitTo}, {report.HeldOutPoints} points)" : "held out (none)";
        text.AppendLine($"η = {G(report.LearningRate, 6)} (2/η = {G(2 / report.LearningRate, 6)}); effective variables: {(projection == "top-eigenvector" ? "projection on the function-space direction of the top Hessian eigenvector" : "projection on the target direction (no eigenvector in a net train run)")}.");
        text.AppendLine("Errors are RMS relative errors of the Hessian sharpness λ_H.");
        text.AppendLine();
        text.AppendLine($"| model | fitted parameters | fit window (steps {report.FitFrom}–{report.FitTo}, {report.FitPoints} points) | {heldOut} |");
        text.AppendLine("|---|---|---|---|");
        void Row(string name, int count, double fit, double held) => text.AppendLine($"| {name} | {count} | {Percent(fit)} | {Percent(held)} |");
        Row("UV model, free (r, x₀, g₀)", 3, report.Free.FitError, report.Free.HeldOutError);
        if (report.Anchored is { } anchored)
        {
            Row("UV model, anchored (r; x₀, f₀/y projected)", 1, anchored.FitError, anchored.HeldOutError);
        }

        foreach (var b in report.Baselines)
        {
            string name = b.Name switch
            {
                "constant" => "constant (mean λ_H)",
                "linear" => "linear trend in the step",
                _ => "edge of stability, λ_H = 2/η",
            };
            Row(name, b.ParameterCount, b.FitError, b.HeldOutError);
        }

        text.AppendLine();
        void Parameters(string name, UvFit fit) => text.AppendLine(
            $"* {name}: r = η/η_c = {G(fit.Parameters.R, 5)}, x₀ = ηλ₀ = {G(fit.Parameters.X0, 5)} (λ₀ = {G(fit.Parameters.X0 / report.LearningRate, 5)}), g₀ = {G(fit.Parameters.G0, 5)} (f₀/y = {G(fit.Parameters.OutputRatio0, 5)}), at step {report.FitFrom}.");
        Parameters("Free fit", report.Free);
        if (report.Anchored is { } a)
        {
            Parameters("Anchored fit", a);
        }

        return text.ToString();
    }

    private static string G(double value, int digits) => value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
