using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Plots;
using Sharpness.Runs;
using Sharpness.Runs.Safety;
using static TorchSharp.torch;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net fit-uv</c>: fits the UV model's exact map to the sharpness trajectory of a real
/// run (trained here with the top eigenvector's function-space projection measured, or read from a
/// <c>net train</c> folder) and reports the fit error next to baselines.
/// </summary>
public sealed class NetFitUvCommand
{
    /// <summary>The per-measurement table of the fit.</summary>
    public const string FitFile = "fit.csv";

    /// <summary>The Markdown summary table.</summary>
    public const string SummaryFile = "summary.md";

    private static readonly string[] FitColumns =
    [
        "step", "window", "sharpness", "uv_sharpness", "uv_sharpness_anchored", "threshold", "baseline_constant", "baseline_linear",
        "output", "target", "output_ratio", "uv_output_ratio", "uv_output_ratio_anchored", "ntk", "uv_ntk", "uv_ntk_anchored", "gauss_newton",
    ];

    private readonly NetOptions _net = new();
    private readonly Option<DirectoryInfo?> _run = new("--run") { Description = "Fit an existing run folder instead of training: a fit-uv folder (refit from its fit.csv, e.g. with another window) or a net train folder (manifest.json and metrics.csv; the effective output is then the projection on the target direction and only the free fit is made)." };
    private readonly Option<int?> _fitFrom = new("--fit-from") { Description = "First step of the fit window; the UV trajectory starts there. Default: the first measured step." };
    private readonly Option<int?> _fitTo = new("--fit-to") { Description = "Last step of the fit window; later measurements are held out. Default: two thirds of the way through the measurements." };
    private readonly Option<int> _starts = new("--starts") { Description = "Starting points of the free fit (Nelder-Mead from each, best kept).", DefaultValueFactory = _ => 24 };
    private readonly Option<double> _outputWeight = new("--output-weight") { Description = "Weight of the effective output f/y in the least-squares objective (0: sharpness only).", DefaultValueFactory = _ => 0.0 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for fit.csv, fit.png, fit.svg, effective.png, summary.md, manifest.json (and metrics.csv and the sharpness figures when training).", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetFitUvCommand();
        var command = new Command("fit-uv", "Fit the UV model's exact map (r = eta/eta_c and the initial state) to a real run's sharpness trajectory, projected on the top Hessian eigenvector; reports the fit error next to baselines.");
        d._net.Add(command);
        foreach (Option option in new Option[] { d._run, d._fitFrom, d._fitTo, d._starts, d._outputWeight, d._out, d._json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        var options = new UvFitOptions
        {
            FitFrom = parse.GetValue(_fitFrom) is int from ? OptionValues.AtLeast(from, 0, "--fit-from") : null,
            FitTo = parse.GetValue(_fitTo) is int to ? OptionValues.AtLeast(to, 0, "--fit-to") : null,
            Starts = OptionValues.AtMost(OptionValues.AtLeast(parse.GetValue(_starts), 1, "--starts"), Nets.Experiments.UvTrajectoryFit.MaxStarts, "--starts"),
            OutputWeight = OptionValues.NonNegative(parse.GetValue(_outputWeight), "--output-weight"),
        };
        if (options.FitFrom is int a && options.FitTo is int b && b < a)
        {
            throw new UsageException("--fit-to", $"must be at least --fit-from (got {a} and {b}).");
        }

        var source = parse.GetValue(_run) is { } runDir ? ReadRun(parse, runDir) : null;
        var trainingSettings = source is null ? ResolveTraining(parse) : null;
        if (trainingSettings is not null && options.FitFrom > trainingSettings.Trainer.MaxSteps)
        {
            throw new UsageException("--fit-from", $"the run has at most {trainingSettings.Trainer.MaxSteps} steps (got {options.FitFrom}).");
        }

        var files = new List<string> { FitFile, "fit.png", "fit.svg", "effective.png", "effective.svg", SummaryFile };
        if (source is null)
        {
            files.AddRange(NetRun.Files);
        }

        var output = RunOutput.Prepare(parse.GetValue(_out)!, files);
        var written = new List<string>();
        JsonObject configuration;
        JsonObject? training = null;
        IReadOnlyList<EffectiveUvPoint> points;
        IReadOnlyList<double> gaussNewton;
        double learningRate;
        string projection;
        ulong seed;
        if (trainingSettings is { } settings)
        {
            // Trained by the net train entry point (progress every step, Ctrl-C at a step boundary), metrics.csv streamed.
            var projected = settings with { Trainer = settings.Trainer with { Tracking = settings.Trainer.Tracking! with { ProjectOnTopEigenvector = true } } };
            using var metrics = new NetTrainWriter(output.Folder, ownsFolder: false);
            var run = CommandProgress.Run(context, quiet: false, progress => NetTrainExperiment.Run(projected, progress.Progress, progress.Cancellation, metrics, "net fit-uv"), log => new NetStepLines(log, "fit-uv"));
            TrainingResult result = run.Training;
            written.Add(NetRun.MetricsFile);
            var usable = result.Measurements.Where(m => m.Sharpness > 0 && double.IsFinite(m.Sharpness)).ToList();
            points = usable.Select(m => new EffectiveUvPoint(
                m.Step, m.Sharpness, m.Projection?.Output ?? double.NaN, m.Projection?.Target ?? double.NaN, m.Projection?.Ntk ?? double.NaN)).ToList();
            gaussNewton = usable.Select(m => m.Projection?.GaussNewton ?? double.NaN).ToList();
            learningRate = result.LearningRate;
            configuration = run.Configuration;
            training = run.Results;
            written.AddRange(NetRun.WriteFigures(output, configuration, training));
            projection = "top-eigenvector";
            seed = settings.Seed;
        }
        else if (source is not null)
        {
            points = source.Points;
            gaussNewton = source.GaussNewton;
            learningRate = source.LearningRate;
            configuration = new JsonObject { ["run"] = source.Folder, ["run_configuration"] = source.Configuration.DeepClone() };
            projection = source.Projection;
            seed = 0;
        }
        else
        {
            throw new InvalidOperationException("Neither a run folder nor training settings.");
        }

        configuration["fit_from"] = options.FitFrom;
        configuration["fit_to"] = options.FitTo;
        configuration["starts"] = options.Starts;
        configuration["output_weight"] = options.OutputWeight;
        configuration["projection"] = projection;

        UvFitReport? report = null;
        string? skipped = null;
        try
        {
            report = points.Count >= 2 ? UvTrajectoryFit.Fit(points, learningRate, options) : null;
            skipped = report is null ? $"only {points.Count} usable sharpness measurement(s); the fit needs at least 2" : null;
        }
        catch (ArgumentException e) when (options.FitFrom is not null || options.FitTo is not null)
        {
            throw new UsageException(options.FitFrom is not null ? "--fit-from" : "--fit-to", e.Message);
        }

        var results = Results(report, skipped, projection, training);
        if (report is not null)
        {
            WriteFitTable(output, points, gaussNewton, report);
            written.Add(FitFile);

            // Drawn from fit.csv and the results, as sharpness plot redraws them.
            written.AddRange(output.WriteFigures(NetFitUvFigures.Render(SavedRun.Writing(output.Path, "net fit-uv", configuration, results))));
        }

        output.WriteText(SummaryFile, Summary(report, skipped, projection, context.Arguments, source?.Folder));
        written.Add(SummaryFile);
        output.Complete("net fit-uv", context, configuration, seed, started, results, written);

        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = configuration.DeepClone(), ["results"] = results.DeepClone(), ["out"] = output.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            context.Output.Write(Summary(report, skipped, projection, context.Arguments, source?.Folder));
            context.Output.WriteLine($"wrote {string.Join(", ", written)} and manifest.json in {output.Path}");
        }

        return ExitCodes.Success;
    }

    /// <summary>The training settings, with the restrictions of the UV map: squared loss, full-batch GD, constant η.</summary>
    private NetworkSettings ResolveTraining(ParseResult parse)
    {
        var settings = _net.Resolve(parse);
        var trainer = settings.Trainer;
        if (trainer.Loss.Name is not ("mse-sum" or "mse-mean"))
        {
            throw new UsageException("--loss", "the UV model is a squared-loss model: use mse-sum or mse-mean.");
        }

        if (trainer.Optimizer != OptimizerKind.GradientDescent)
        {
            throw new UsageException("--optimizer", "the UV map is full-batch gradient descent: use gd.");
        }

        if (trainer.Momentum != 0)
        {
            throw new UsageException("--momentum", "the UV map is plain gradient descent: momentum must be 0.");
        }

        if (trainer.WarmupSteps != 0)
        {
            throw new UsageException("--warmup", "the UV map takes steps of one constant learning rate: warm-up must be 0.");
        }

        if (trainer.Tracking is null || trainer.Tracking.Interval == int.MaxValue)
        {
            throw new UsageException("--sharpness-every", "the fit needs the sharpness measured every k >= 1 steps.");
        }

        return settings;
    }

    private sealed record RunSource(string Folder, JsonObject Configuration, double LearningRate, IReadOnlyList<EffectiveUvPoint> Points, IReadOnlyList<double> GaussNewton, string Projection);

    /// <summary>Reads a complete net train folder: its learning rate and the measured rows of metrics.csv.</summary>
    private RunSource ReadRun(ParseResult parse, DirectoryInfo folder)
    {
        var given = _net.All.FirstOrDefault(o => AnalysisOptions.IsGiven(parse, o));
        if (given is not null)
        {
            throw new UsageException(given.Name, "training options cannot be combined with --run (the run's own settings are used).");
        }

        string manifestPath = Path.Combine(folder.FullName, RunDirectory.ManifestFileName);
        string metricsPath = Path.Combine(folder.FullName, NetRun.MetricsFile);
        if (!File.Exists(manifestPath) || !File.Exists(metricsPath))
        {
            throw new UsageException("--run", $"'{folder.FullName}' is not a complete net train run (it needs {RunDirectory.ManifestFileName} and {NetRun.MetricsFile}).");
        }

        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(BoundedFile.ReadAllText(manifestPath, FileKindLimit.Manifest))?.AsObject() ?? throw new FormatException("empty manifest");
        }
        catch (InputFileException e)
        {
            throw new UsageException("--run", e.Message);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            throw new UsageException("--run", $"{manifestPath} is not a valid manifest: {e.Message}");
        }

        var config = manifest["configuration"] as JsonObject ?? throw new UsageException("--run", $"{manifestPath} has no configuration.");
        string? Text(string key) => config[key] is JsonValue value && value.TryGetValue(out string? s) ? s : null;
        double Number(JsonNode? node) => node is JsonValue value && value.TryGetValue(out double d) ? d : double.NaN;
        if (Text("loss") is not ("mse-sum" or "mse-mean"))
        {
            throw new UsageException("--run", $"the run's loss is {Text("loss") ?? "unknown"}; the UV model is a squared-loss model (mse-sum or mse-mean).");
        }

        if (Text("optimizer") != "gd" || Number(config["momentum"]) != 0 || Number(config["warmup"]) != 0)
        {
            throw new UsageException("--run", "the run must use full-batch gradient descent without momentum or warm-up (the UV map's dynamics).");
        }

        double learningRate = Number(manifest["results"]?["learning_rate"]);
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new UsageException("--run", $"{manifestPath} has no positive results.learning_rate.");
        }

        // A fit-uv folder keeps the projection on the top eigenvector in fit.csv: refit with it.
        string fitPath = Path.Combine(folder.FullName, FitFile);
        bool projected = File.Exists(fitPath);
        var (header, rows) = ReadTable(projected ? fitPath : metricsPath);
        int Column(string name) => Array.IndexOf(header, name) is int i and >= 0 ? i : throw new UsageException("--run", $"{(projected ? fitPath : metricsPath)} has no column '{name}'.");
        int stepColumn = Column("step"), sharpnessColumn = Column("sharpness");
        var points = new List<EffectiveUvPoint>();
        var gaussNewton = new List<double>();
        if (projected)
        {
            int outputColumn = Column("output"), targetColumn = Column("target"), ntkColumn = Column("ntk"), gnColumn = Column("gauss_newton");
            foreach (var row in rows.Where(r => r[sharpnessColumn] > 0 && double.IsFinite(r[sharpnessColumn])))
            {
                points.Add(new EffectiveUvPoint((int)row[stepColumn], row[sharpnessColumn], row[outputColumn], row[targetColumn], row[ntkColumn]));
                gaussNewton.Add(row[gnColumn]);
            }
        }
        else
        {
            int innerColumn = Column("f_dot_y"), targetColumn = Column("y_norm");
            foreach (var row in rows.Where(r => r[sharpnessColumn] > 0 && double.IsFinite(r[sharpnessColumn])))
            {
                // Outputs projected on the target direction: f = ⟨F, Y⟩/‖Y‖, y = ‖Y‖ (so f/y = ⟨F, Y⟩/‖Y‖²).
                points.Add(new EffectiveUvPoint((int)row[stepColumn], row[sharpnessColumn], row[innerColumn] / row[targetColumn], row[targetColumn]));
                gaussNewton.Add(double.NaN);
            }
        }

        return new RunSource(folder.FullName, config, learningRate, points, gaussNewton, projected ? "top-eigenvector" : "target-direction");
    }

    /// <summary>A numeric CSV table: its header and rows (cells that are not numbers read as NaN).</summary>
    private static (string[] Header, List<double[]> Rows) ReadTable(string path)
    {
        string text;
        try
        {
            text = BoundedFile.ReadAllText(path, FileKindLimit.Table);
        }
        catch (InputFileException e)
        {
            throw new UsageException("--run", e.Message);
        }

        string[] lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        string[] header = lines.Length > 0 ? lines[0].Split(',') : [];
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(line =>
        {
            string[] cells = line.Split(',');
            return Enumerable.Range(0, header.Length).Select(i =>
                i < cells.Length && double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : double.NaN).ToArray();
        }).ToList();
        return (header, rows);
    }

    private static void WriteFitTable(RunOutput output, IReadOnlyList<EffectiveUvPoint> points, IReadOnlyList<double> gaussNewton, UvFitReport report)
    {
        var constant = report.Baselines.Single(b => b.Name == "constant").Predictions;
        var linear = report.Baselines.Single(b => b.Name == "linear").Predictions;
        output.WriteCsv(FitFile, FitColumns, writer =>
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

    private static JsonObject Results(UvFitReport? report, string? skipped, string projection, JsonObject? training)
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

    private static string Summary(UvFitReport? report, string? skipped, string projection, IReadOnlyList<string> arguments, string? run)
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
