using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// The options of <see cref="NetFitUvExperiment"/>: either the settings of a run to train (with the top
/// eigenvector's function-space projection measured) or an existing run folder to fit, and the fit window,
/// starting points and output weight.
/// </summary>
public sealed record NetFitUvOptions
{
    /// <summary>The run to train (squared loss, full-batch GD, constant η, sharpness tracked); null when <see cref="Source"/> is given.</summary>
    public NetworkSettings? Network { get; init; }

    /// <summary>An existing run to fit instead of training (<see cref="NetFitUvSource.Read"/>); null when <see cref="Network"/> is given.</summary>
    public NetFitUvSource? Source { get; init; }

    /// <summary>First step of the fit window; null (default): the first measured step.</summary>
    public int? FitFrom { get; init; }

    /// <summary>Last step of the fit window; null (default): two thirds of the way through the measurements.</summary>
    public int? FitTo { get; init; }

    /// <summary>Starting points of the free fit; default 24.</summary>
    public int Starts { get; init; } = 24;

    /// <summary>Weight of the effective output f/y in the least-squares objective (0, default: sharpness only).</summary>
    public double OutputWeight { get; init; }

    /// <summary>Checks every value, naming the option as typed.</summary>
    /// <exception cref="InvalidOptionException">A value is invalid, or the training settings do not follow the UV map.</exception>
    public void Validate() => FitOptions();

    /// <summary>Checks the fit's own values (window, starts, output weight), naming the option as typed; the run is checked by <see cref="Validate"/>.</summary>
    /// <exception cref="InvalidOptionException">A value is invalid.</exception>
    public void ValidateFit() => CheckFit();

    /// <summary>Checks the options; returns those of the fit.</summary>
    internal UvFitOptions FitOptions()
    {
        var options = CheckFit();
        CheckRun(options);
        return options;
    }

    private UvFitOptions CheckFit()
    {
        var options = new UvFitOptions
        {
            FitFrom = FitFrom is int from ? OptionChecks.AtLeast(from, 0, "--fit-from") : null,
            FitTo = FitTo is int to ? OptionChecks.AtLeast(to, 0, "--fit-to") : null,
            Starts = OptionChecks.AtMost(OptionChecks.AtLeast(Starts, 1, "--starts"), UvTrajectoryFit.MaxStarts, "--starts"),
            OutputWeight = OptionChecks.NonNegative(OutputWeight, "--output-weight"),
        };
        if (options.FitFrom is int a && options.FitTo is int b && b < a)
        {
            throw new InvalidOptionException("--fit-to", $"must be at least --fit-from (got {a} and {b}).");
        }

        return options;
    }

    private void CheckRun(UvFitOptions options)
    {
        if ((Network is null) == (Source is null))
        {
            throw new InvalidOptionException("--run", "give either the settings of a run to train or a run folder to fit, not both.");
        }

        if (Network is { } settings)
        {
            var trainer = settings.Trainer;
            if (trainer.Loss.Name is not ("mse-sum" or "mse-mean"))
            {
                throw new InvalidOptionException("--loss", "the UV model is a squared-loss model: use mse-sum or mse-mean.");
            }

            if (trainer.Optimizer != OptimizerKind.GradientDescent)
            {
                throw new InvalidOptionException("--optimizer", "the UV map is full-batch gradient descent: use gd.");
            }

            if (trainer.Momentum != 0)
            {
                throw new InvalidOptionException("--momentum", "the UV map is plain gradient descent: momentum must be 0.");
            }

            if (trainer.WarmupSteps != 0)
            {
                throw new InvalidOptionException("--warmup", "the UV map takes steps of one constant learning rate: warm-up must be 0.");
            }

            if (trainer.Tracking is null || trainer.Tracking.Interval == int.MaxValue)
            {
                throw new InvalidOptionException("--sharpness-every", "the fit needs the sharpness measured every k >= 1 steps.");
            }

            if (options.FitFrom > trainer.MaxSteps)
            {
                throw new InvalidOptionException("--fit-from", $"the run has at most {trainer.MaxSteps} steps (got {options.FitFrom}).");
            }
        }
    }
}

/// <summary>An existing run folder fitted by <c>net fit-uv --run</c>: a net fit-uv folder (refitted from its fit.csv) or a net train folder (manifest.json and metrics.csv).</summary>
/// <param name="Folder">The folder.</param>
/// <param name="Configuration">Its manifest's configuration.</param>
/// <param name="LearningRate">Its η.</param>
/// <param name="Points">The usable measurements (positive, finite λ_H) with the effective output.</param>
/// <param name="GaussNewton">The Gauss–Newton eigenvalue at each point (NaN when not measured).</param>
/// <param name="Projection">top-eigenvector (a fit-uv folder) or target-direction (a net train folder).</param>
public sealed record NetFitUvSource(string Folder, JsonObject Configuration, double LearningRate, IReadOnlyList<EffectiveUvPoint> Points, IReadOnlyList<double> GaussNewton, string Projection)
{
    /// <summary>Reads a complete net train or net fit-uv folder: its learning rate and measured rows.</summary>
    /// <param name="folder">The folder.</param>
    /// <exception cref="InvalidOptionException">It is not a complete run of squared loss and plain full-batch GD (<c>--run</c>).</exception>
    public static NetFitUvSource Read(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string manifestPath = Path.Combine(folder, RunDirectory.ManifestFileName);
        string metricsPath = Path.Combine(folder, NetTrainWriter.MetricsFile);
        if (!File.Exists(manifestPath) || !File.Exists(metricsPath))
        {
            throw new InvalidOptionException("--run", $"'{folder}' is not a complete net train run (it needs {RunDirectory.ManifestFileName} and {NetTrainWriter.MetricsFile}).");
        }

        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(BoundedFile.ReadAllText(manifestPath, FileKindLimit.Manifest))?.AsObject() ?? throw new FormatException("empty manifest");
        }
        catch (InputFileException e)
        {
            throw new InvalidOptionException("--run", e.Message);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidOptionException("--run", $"{manifestPath} is not a valid manifest: {e.Message}");
        }

        var config = manifest["configuration"] as JsonObject ?? throw new InvalidOptionException("--run", $"{manifestPath} has no configuration.");
        string? Text(string key) => config[key] is JsonValue value && value.TryGetValue(out string? s) ? s : null;
        double Number(JsonNode? node) => node is JsonValue value && value.TryGetValue(out double d) ? d : double.NaN;
        if (Text("loss") is not ("mse-sum" or "mse-mean"))
        {
            throw new InvalidOptionException("--run", $"the run's loss is {Text("loss") ?? "unknown"}; the UV model is a squared-loss model (mse-sum or mse-mean).");
        }

        if (Text("optimizer") != "gd" || Number(config["momentum"]) != 0 || Number(config["warmup"]) != 0)
        {
            throw new InvalidOptionException("--run", "the run must use full-batch gradient descent without momentum or warm-up (the UV map's dynamics).");
        }

        double learningRate = Number(manifest["results"]?["learning_rate"]);
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new InvalidOptionException("--run", $"{manifestPath} has no positive results.learning_rate.");
        }

        // A fit-uv folder keeps the projection on the top eigenvector in fit.csv: refit with it.
        string fitPath = Path.Combine(folder, NetFitUvWriter.FitFile);
        bool projected = File.Exists(fitPath);
        var (header, rows) = ReadTable(projected ? fitPath : metricsPath);
        int Column(string name) => Array.IndexOf(header, name) is int i and >= 0 ? i : throw new InvalidOptionException("--run", $"{(projected ? fitPath : metricsPath)} has no column '{name}'.");
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

        return new NetFitUvSource(folder, config, learningRate, points, gaussNewton, projected ? "top-eigenvector" : "target-direction");
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
            throw new InvalidOptionException("--run", e.Message);
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

}
