using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv orbit</c>: the command line of <see cref="UvOrbitExperiment"/>.</summary>
public sealed class UvOrbitCommand
{
    private readonly UvModelArguments _model = new();
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
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvOrbitCommand();
        var command = new Command("orbit", "Orbit (bifurcation) diagram of the UV model's scaled map: eta*lambda, eta*lambda_H and g of the late iterates against r, eta or c.");
        foreach (Option option in new Option[] { definition._axis, definition._min, definition._max, definition._points, definition._transient, definition._keep, definition._x0, definition._g0, definition._warmStart, definition._direction, definition._valueMin, definition._valueMax, definition._divergenceThreshold, definition._out, definition._json, definition._quiet })
        {
            command.Options.Add(option);
        }

        definition._model.AddTo(command);
        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = new UvOrbitOptions
        {
            Axis = UvOrbitOptions.ParseAxis(parse.GetValue(_axis)!),
            Min = parse.GetValue(_min),
            Max = parse.GetValue(_max),
            Points = parse.GetValue(_points),
            Transient = parse.GetValue(_transient),
            Keep = parse.GetValue(_keep),
            X0 = AnalysisOptions.IfGiven(parse, _x0),
            G0 = AnalysisOptions.IfGiven(parse, _g0),
            WarmStart = parse.GetValue(_warmStart),
            Direction = UvOrbitOptions.ParseDirection(parse.GetValue(_direction)!) is var direction && AnalysisOptions.IsGiven(parse, _direction) ? direction : null,
            ValueMin = parse.GetValue(_valueMin),
            ValueMax = parse.GetValue(_valueMax),
            DivergenceThreshold = parse.GetValue(_divergenceThreshold),
            Model = _model.Bind(parse),
        };
        options.Validate();
        options.CheckOutput(parse.GetValue(_out)!.FullName);
        var folder = UvOrbitWriter.Prepare(parse.GetValue(_out)!.FullName);
        // Streams the iterates to orbit.csv while the sweep runs (bounded memory for any request).
        var (result, files) = CommandProgress.Run(context, parse.GetValue(_quiet), run => UvOrbitWriter.Run(folder, options, run.Progress, run.Cancellation, context.Arguments));
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = UvOrbitWriter.Configuration(result), ["results"] = UvOrbitWriter.Results(result), ["out"] = folder.Path }.ToJsonString(JsonOutput.Options));
            return ExitCodes.Success;
        }

        string warm = options.WarmStart ? $", warm-started {(options.Direction ?? Sharpness.Uv.Dynamics.SweepDirection.Up).ToString().ToLowerInvariant()}" : string.Empty;
        context.Output.WriteLine($"orbit diagram: {options.Points} values of {options.AxisName} in [{options.Min}, {options.Max}], {options.Transient} transient + {options.Keep} kept steps{warm}");
        context.Output.WriteLine($"{result.MapSteps:N0} map steps in {result.Seconds:F2} s; {Words.Count(result.DivergedValues, "value")} diverged; flip points marked: {string.Join(", ", result.FlipPoints.Select(f => f.ToString("G10", CultureInfo.InvariantCulture)))}");
        context.Output.WriteLine($"wrote {string.Join(", ", files)} and manifest.json in {folder.Path}");
        return ExitCodes.Success;
    }
}
