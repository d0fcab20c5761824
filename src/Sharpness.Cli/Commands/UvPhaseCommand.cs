using System.CommandLine;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv phase</c>: the command line of <see cref="UvPhaseExperiment"/>.</summary>
public sealed class UvPhaseCommand
{
    /// <summary>The CSV file.</summary>
    public const string CsvFile = UvPhaseWriter.CsvFile;

    private readonly UvModelArguments _model = new();
    private readonly Option<string> _mode = new("--mode") { Description = "scaled: c = eta*lambda_0 against r with the exact map; physical: eta or c against width, init scale or parameterisation with random initialisations.", DefaultValueFactory = _ => "scaled" };
    private readonly Option<double> _cMin = new("--c-min") { Description = "Smallest c = eta*lambda_0 (scaled mode), or smallest --x-axis value (physical mode).", DefaultValueFactory = _ => 0.1 };
    private readonly Option<double> _cMax = new("--c-max") { Description = "Largest c (or --x-axis value).", DefaultValueFactory = _ => 4.5 };
    private readonly Option<int> _cPoints = new("--c-points") { Description = "Number of c (or --x-axis) values.", DefaultValueFactory = _ => 90 };
    private readonly Option<double> _rMin = new("--r-min") { Description = "Scaled mode: smallest r = eta/eta_c.", DefaultValueFactory = _ => 0.02 };
    private readonly Option<double> _rMax = new("--r-max") { Description = "Scaled mode: largest r.", DefaultValueFactory = _ => 2.0 };
    private readonly Option<int> _rPoints = new("--r-points") { Description = "Scaled mode: number of r values.", DefaultValueFactory = _ => 100 };
    private readonly Option<double> _outputRatio = new("--output-ratio") { Description = "Scaled mode: initial output relative to the target, f_0/y = g_0/r.", DefaultValueFactory = _ => 0.0 };
    private readonly Option<string> _xAxis = new("--x-axis") { Description = "Physical mode: eta (learning rate) or c (eta = c/lambda_H(0) per run).", DefaultValueFactory = _ => "c" };
    private readonly Option<bool> _logX = new("--log-x") { Description = "Physical mode: space the --x-axis values logarithmically." };
    private readonly Option<string> _yAxis = new("--y-axis") { Description = "Physical mode: width, init-scale or param.", DefaultValueFactory = _ => "width" };
    private readonly Option<string> _yValues = new("--y-values") { Description = "Physical mode: comma-separated values of --y-axis (widths, sigma_w^2 values or parameterisations).", DefaultValueFactory = _ => "2,8,32,128,512,2048" };
    private readonly Option<int> _seeds = new("--seeds") { Description = "Physical mode: initialisations per cell (seeds --seed, --seed+1, ...).", DefaultValueFactory = _ => 5 };
    private readonly Option<int> _steps = new("--steps") { Description = "Steps per run.", DefaultValueFactory = _ => 2000 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for phase.csv, phase.png and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary (category counts) instead of the human one." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvPhaseCommand();
        var command = new Command("phase", "Phase diagrams of the regimes (sharpness reduction, progressive sharpening, catapult, EoS, chaos, divergence).");
        foreach (Option option in new Option[] { definition._mode, definition._cMin, definition._cMax, definition._cPoints, definition._rMin, definition._rMax, definition._rPoints, definition._outputRatio, definition._xAxis, definition._logX, definition._yAxis, definition._yValues, definition._seeds, definition._steps, definition._out, definition._json, definition._quiet })
        {
            command.Options.Add(option);
        }

        definition._model.AddTo(command);
        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var mode = UvPhaseOptions.ParseMode(parse.GetValue(_mode)!);
        var options = new UvPhaseOptions
        {
            Mode = mode,
            CMin = parse.GetValue(_cMin),
            CMax = parse.GetValue(_cMax),
            CPoints = parse.GetValue(_cPoints),
            RMin = parse.GetValue(_rMin),
            RMax = parse.GetValue(_rMax),
            RPoints = parse.GetValue(_rPoints),
            OutputRatio = parse.GetValue(_outputRatio),
            XAxis = mode == PhaseMode.Physical ? UvPhaseOptions.ParseXAxis(parse.GetValue(_xAxis)!) : PhaseXAxis.C,
            LogX = parse.GetValue(_logX),
            YAxis = mode == PhaseMode.Physical ? UvPhaseOptions.ParseYAxis(parse.GetValue(_yAxis)!) : PhaseYAxis.Width,
            YValues = parse.GetValue(_yValues)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Seeds = parse.GetValue(_seeds),
            Steps = parse.GetValue(_steps),
            Model = mode == PhaseMode.Physical ? _model.Bind(parse) : new UvModelOptions(),
        };
        options.Validate();
        var folder = UvPhaseWriter.Prepare(parse.GetValue(_out)!.FullName);
        var result = CommandProgress.Run(context, parse.GetValue(_quiet), run => UvPhaseExperiment.Run(options, run.Progress, run.Cancellation));
        var files = UvPhaseWriter.Write(folder, result, context.Arguments);
        var results = UvPhaseWriter.Results(result);
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = UvPhaseWriter.Configuration(result), ["results"] = results, ["out"] = folder.Path }.ToJsonString(JsonOutput.Options));
            return ExitCodes.Success;
        }

        context.Output.WriteLine($"phase diagram: {results["cells"]} cells");
        foreach (var (name, count) in result.CategoryCounts)
        {
            context.Output.WriteLine($"  {name}: {count}");
        }

        context.Output.WriteLine($"wrote {string.Join(", ", files)} and manifest.json in {folder.Path}");
        return ExitCodes.Success;
    }
}
