using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Core.Dynamics;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using Sharpness.Uv;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv orbit</c>: orbit (bifurcation) diagram of ηλ, ηλ_H and g against r, η or c = ηλ₀.</summary>
public sealed class UvOrbitCommand
{
    /// <summary>The CSV file of kept iterates.</summary>
    public const string CsvFile = "orbit.csv";

    /// <summary>Largest number of points drawn in the figure (the CSV keeps all of them).</summary>
    public const int MaxPlottedPoints = UvOrbitFigures.MaxPlottedPoints;

    private readonly UvModelOptions _model = new();
    private readonly Option<string> _axis = new("--axis") { Description = "Swept parameter: r (= eta y/s, from --x0 and --g0), eta (physical learning rate for the model) or c (= eta lambda_0 for the model).", DefaultValueFactory = _ => "r" };
    private readonly Option<double> _min = new("--r-min", "--min") { Description = "Smallest swept value (in units of --axis).", DefaultValueFactory = _ => 0.5 };
    private readonly Option<double> _max = new("--r-max", "--max") { Description = "Largest swept value (in units of --axis).", DefaultValueFactory = _ => 2.0 };
    private readonly Option<int> _points = new("--points") { Description = "Number of swept values (evenly spaced, ends included), >= 1.", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> _transient = new("--transient") { Description = "Steps discarded at each value, >= 0.", DefaultValueFactory = _ => 2000 };
    private readonly Option<int> _keep = new("--keep") { Description = "Steps kept (written) at each value after the transient, >= 1.", DefaultValueFactory = _ => 200 };
    private readonly Option<double> _x0 = AnalysisOptions.X0();
    private readonly Option<double> _g0 = AnalysisOptions.G0();
    private readonly Option<bool> _warmStart = new("--warm-start") { Description = "Start each value from the previous value's final state (shows hysteresis) instead of from --x0/--g0." };
    private readonly Option<string> _direction = new("--direction") { Description = "Sweep order with --warm-start: up, down or both (up then down).", DefaultValueFactory = _ => "up" };
    private readonly Option<double?> _valueMin = new("--value-min") { Description = "Lower limit of the vertical axis (zoom). Default: automatic." };
    private readonly Option<double?> _valueMax = new("--value-max") { Description = "Upper limit of the vertical axis (zoom). Default: automatic." };
    private readonly Option<double> _divergenceThreshold = new("--divergence-threshold") { Description = "A value diverges when |g| or x exceeds this.", DefaultValueFactory = _ => 1e6 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for orbit.csv, orbit.png and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvOrbitCommand();
        var command = new Command("orbit", "Orbit (bifurcation) diagram of the UV model's scaled map: eta*lambda, eta*lambda_H and g of the late iterates against r, eta or c.");
        foreach (Option option in new Option[] { definition._axis, definition._min, definition._max, definition._points, definition._transient, definition._keep, definition._x0, definition._g0, definition._warmStart, definition._direction, definition._valueMin, definition._valueMax, definition._divergenceThreshold, definition._out, definition._json })
        {
            command.Options.Add(option);
        }

        definition._model.AddTo(command);
        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        string axis = parse.GetValue(_axis)!.ToLowerInvariant();
        if (axis is not ("r" or "eta" or "c"))
        {
            throw new UsageException("--axis", $"expected r, eta or c, got '{axis}'.");
        }

        var (min, max) = OptionValues.Range(parse.GetValue(_min), parse.GetValue(_max), "--r-min", "--r-max");
        int count = OptionValues.AtLeast(parse.GetValue(_points), 1, "--points");
        int transient = OptionValues.AtLeast(parse.GetValue(_transient), 0, "--transient");
        int keep = OptionValues.AtLeast(parse.GetValue(_keep), 1, "--keep");
        double threshold = OptionValues.Positive(parse.GetValue(_divergenceThreshold), "--divergence-threshold");
        bool warm = parse.GetValue(_warmStart);
        SweepDirection direction = parse.GetValue(_direction)!.ToLowerInvariant() switch
        {
            "up" => SweepDirection.Up,
            "down" => SweepDirection.Down,
            "both" => SweepDirection.Both,
            var other => throw new UsageException("--direction", $"expected up, down or both, got '{other}'."),
        };
        if (!warm && AnalysisOptions.IsGiven(parse, _direction))
        {
            throw new UsageException("--direction", "applies only with --warm-start (cold-started values do not depend on the order).");
        }

        double? valueMin = parse.GetValue(_valueMin) is double vMin ? OptionValues.Finite(vMin, "--value-min") : null;
        double? valueMax = parse.GetValue(_valueMax) is double vMax ? OptionValues.Finite(vMax, "--value-max") : null;
        if (valueMin is double lo && valueMax is double hi)
        {
            OptionValues.Range(lo, hi, "--value-min", "--value-max");
        }

        string size = $"{count:N0} values with {transient:N0} + {keep:N0} steps each", sizeOption = keep > count ? "--keep" : "--points";
        int passes = warm && direction == SweepDirection.Both ? 2 : 1;
        ResourceLimits.RequireMemory(sizeOption, size, OrbitDiagram.EstimateBytes(count, keep), "the orbit diagram");
        ResourceLimits.RequireOperations(sizeOption, size, UvCost.OrbitSteps(count, transient, keep, passes), "map steps");
        ResourceLimits.RequireDisk(sizeOption, size, UvCost.OrbitTableBytes(count, keep, passes), parse.GetValue(_out)!.FullName, CsvFile);
        double[] grid = UvOrbitFigures.Grid(min, max, count);
        var (points, model, flipScale, modelInitial) = axis == "r"
            ? (ScaledPoints(parse, grid), (UvModelConfig?)null, 1.0, (JsonObject?)null)
            : PhysicalPoints(parse, grid, axis);

        var output = RunOutput.Prepare(parse.GetValue(_out)!, [CsvFile, "orbit.png"]);
        bool twoPasses = warm && direction == SweepDirection.Both;
        var columns = new List<string> { "r", "step", "lr_ntk", "lr_sharpness", "g" };
        if (axis != "r")
        {
            columns.Add(axis);
        }

        if (twoPasses)
        {
            columns.Add("pass");
        }

        int stride = UvOrbitFigures.Stride(count, keep, twoPasses);
        int plottedPoints = 0;
        int divergedValues = 0;
        long rows = 0;
        var clock = Stopwatch.StartNew();
        output.WriteCsv(CsvFile, columns, writer =>
        {
            var row = new double[columns.Count];
            void Sink(OrbitSamples samples)
            {
                if (samples.DivergedAtStep is not null)
                {
                    divergedValues++;
                }

                double r = samples.Point.R;
                for (int k = 0; k < samples.G.Length; k++)
                {
                    double g = samples.G[k], x = samples.X[k];
                    if (!double.IsFinite(g) || !double.IsFinite(x))
                    {
                        break;
                    }

                    double xh = OrbitDiagram.LrSharpness(g, x, r);
                    row[0] = r;
                    row[1] = transient + k + 1;
                    row[2] = x;
                    row[3] = xh;
                    row[4] = g;
                    if (axis != "r")
                    {
                        row[5] = grid[samples.Index];
                    }

                    if (twoPasses)
                    {
                        row[^1] = samples.Pass;
                    }

                    writer.WriteRow(row);
                    if (UvOrbitFigures.IsPlotted(k, stride))
                    {
                        plottedPoints++;
                    }
                }
            }

            if (warm)
            {
                OrbitDiagram.ComputeWarmStarted(points, transient, keep, direction, Sink, divergenceThreshold: threshold);
            }
            else
            {
                OrbitDiagram.ComputeIndependent(points, transient, keep, Sink, divergenceThreshold: threshold);
            }

            rows = writer.RowCount;
        });
        double seconds = clock.Elapsed.TotalSeconds;

        var cascade = ManifoldCascade();
        double[] flips = cascade.FlipPoints.Select(f => f.Parameter * flipScale).Where(a => a >= min && a <= max).ToArray();
        long mapSteps = (long)(transient + keep) * count * (twoPasses ? 2 : 1);
        var configuration = new JsonObject
        {
            ["axis"] = axis,
            ["min"] = min,
            ["max"] = max,
            ["points"] = count,
            ["transient"] = transient,
            ["keep"] = keep,
            ["x0"] = axis == "r" ? parse.GetValue(_x0) : null,
            ["g0"] = axis == "r" ? parse.GetValue(_g0) : null,
            ["warm_start"] = warm,
            ["direction"] = warm ? direction.ToString().ToLowerInvariant() : null,
            ["value_min"] = JsonOutput.Number(valueMin),
            ["value_max"] = JsonOutput.Number(valueMax),
            ["divergence_threshold"] = threshold,
            ["model"] = model is null ? null : _model.ToJson(parse, model),
            ["sharpness"] = "lr_sharpness = eta*lambda_H, closed form for width n >= 2",
        };
        var results = new JsonObject
        {
            ["rows"] = rows,
            ["diverged_values"] = divergedValues,
            ["map_steps"] = mapSteps,
            ["seconds"] = seconds,
            ["map_steps_per_second"] = mapSteps / Math.Max(seconds, 1e-9),
            ["flip_points_marked"] = new JsonArray(flips.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
            ["plotted_points"] = plottedPoints,
            ["model_initial"] = modelInitial,
        };
        var files = new List<string> { CsvFile };
        files.AddRange(output.WriteFigures(UvOrbitFigures.Render(SavedRun.Writing(output.Path, "uv orbit", configuration, results))));
        output.Complete("uv orbit", context, configuration, model?.Seed ?? 0, started, results, files);

        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = configuration.DeepClone(), ["results"] = results.DeepClone(), ["out"] = output.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            context.Output.WriteLine($"orbit diagram: {count} values of {axis} in [{min}, {max}], {transient} transient + {keep} kept steps{(warm ? $", warm-started {direction.ToString().ToLowerInvariant()}" : string.Empty)}");
            context.Output.WriteLine($"{mapSteps:N0} map steps in {seconds:F2} s; {divergedValues} values diverged; flip points marked: {string.Join(", ", flips.Select(f => f.ToString("G10", System.Globalization.CultureInfo.InvariantCulture)))}");
            context.Output.WriteLine($"wrote {string.Join(", ", files)} and manifest.json in {output.Path}");
        }

        return ExitCodes.Success;
    }

    private OrbitPoint[] ScaledPoints(ParseResult parse, double[] grid)
    {
        double x0 = OptionValues.Finite(parse.GetValue(_x0), "--x0");
        double g0 = OptionValues.Finite(parse.GetValue(_g0), "--g0");
        return grid.Select(r => new OrbitPoint(r, g0, x0)).ToArray();
    }

    private (OrbitPoint[] Points, UvModelConfig Model, double FlipScale, JsonObject ModelInitial) PhysicalPoints(ParseResult parse, double[] grid, string axis)
    {
        if (AnalysisOptions.IsGiven(parse, _x0) || AnalysisOptions.IsGiven(parse, _g0))
        {
            throw new UsageException(AnalysisOptions.IsGiven(parse, _x0) ? "--x0" : "--g0", $"applies to --axis r; with --axis {axis} the model options set the initial state.");
        }

        if (grid[0] <= 0)
        {
            throw new UsageException("--r-min", $"must be positive for --axis {axis} (got {OptionValues.Text(grid[0])}).");
        }

        var model = _model.Build(parse);
        _model.CheckStart(parse, model, axis == "eta" ? LearningRateSpec.Absolute(grid[^1]) : LearningRateSpec.RelativeToInitialSharpness(grid[^1]), "--r-max");
        var network = UvNetwork.Create(model);
        double f0 = network.Output, lambda0 = network.Ntk, s = network.Normaliser, y = model.Target;
        var points = grid.Select(a =>
        {
            double eta = UvOrbitFigures.LearningRate(axis, a, lambda0);
            return new OrbitPoint(eta * y / s, eta * f0 / s, eta * lambda0);
        }).ToArray();

        // r = eta y / s: an axis value a maps to r = a * (y / s) / (1 or lambda0).
        double rPerAxis = (axis == "eta" ? 1 : 1 / lambda0) * y / s;
        // What the figure needs to place the closed-form 2-cycle at each axis value: r = eta(a) y / s.
        var modelInitial = new JsonObject { ["f"] = f0, ["ntk"] = lambda0, ["normaliser"] = s, ["target"] = y };
        return (points, model, rPerAxis == 0 ? double.NaN : 1 / rPerAxis, modelInitial);
    }

    private static CascadeResult ManifoldCascade()
    {
        var map = new UvManifoldMap();
        return PeriodDoublingCascade.Follow(map, PeriodicOrbitFinder.Find(map, 0.5, 1, [0.5]), searchEnd: 2, maxPeriod: 64);
    }
}

/// <summary>Options every <c>uv</c> analysis command shares: the initial state in scaled variables.</summary>
internal static class AnalysisOptions
{
    /// <summary>Default initial x = ηλ₀.</summary>
    public const double DefaultX0 = 1.0;

    /// <summary>Default initial g = ηf₀/s.</summary>
    public const double DefaultG0 = 0.2;

    public static Option<double> X0() => new("--x0") { Description = "Initial x = eta*lambda_0 (scaled NTK).", DefaultValueFactory = _ => DefaultX0 };

    public static Option<double> G0() => new("--g0") { Description = "Initial g = eta*f_0/s (scaled output).", DefaultValueFactory = _ => DefaultG0 };

    /// <summary>Whether the user typed the option (as opposed to its default).</summary>
    public static bool IsGiven(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
