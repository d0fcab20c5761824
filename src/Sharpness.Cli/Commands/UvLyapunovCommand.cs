using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv lyapunov</c>: the command line of <see cref="UvLyapunovExperiment"/>.</summary>
public sealed class UvLyapunovCommand
{
    private readonly Option<double?> _r = new("--r") { Description = "A single scaled target r = eta/eta_c (excludes the sweep options)." };
    private readonly Option<double?> _min = new("--r-min") { Description = "Sweep: smallest r." };
    private readonly Option<double?> _max = new("--r-max") { Description = "Sweep: largest r." };
    private readonly Option<int> _points = new("--points") { Description = "Sweep: number of r values (evenly spaced, ends included).", DefaultValueFactory = _ => 400 };
    private readonly Option<double> _x0 = AnalysisOptions.X0();
    private readonly Option<double> _g0 = AnalysisOptions.G0();
    private readonly Option<int> _transient = new("--transient") { Description = "Steps discarded before averaging.", DefaultValueFactory = _ => 1000 };
    private readonly Option<int> _steps = new("--steps") { Description = "Steps averaged for the exponents.", DefaultValueFactory = _ => 10_000 };
    private readonly Option<bool> _manifold = new("--manifold") { Description = "Use the 1-D map on the EoS manifold (one exponent) instead of the 2-D map." };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Run folder (new or empty) for lyapunov.csv, lyapunov.png and manifest.json. Default: print only." };
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON: one object for --r, a list for a sweep." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvLyapunovCommand();
        var command = new Command("lyapunov", "Lyapunov spectrum (QR of tangent-map products), period and label of the late dynamics of the scaled map.");
        foreach (Option option in new Option[] { definition._r, definition._min, definition._max, definition._points, definition._x0, definition._g0, definition._transient, definition._steps, definition._manifold, definition._out, definition._json, definition._quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = new UvLyapunovOptions
        {
            R = parse.GetValue(_r),
            RMin = parse.GetValue(_min),
            RMax = parse.GetValue(_max),
            Points = parse.GetValue(_points),
            X0 = parse.GetValue(_x0),
            G0 = parse.GetValue(_g0),
            Transient = parse.GetValue(_transient),
            Steps = parse.GetValue(_steps),
            Manifold = parse.GetValue(_manifold),
        };
        options.Validate();
        RunFolder? folder = parse.GetValue(_out) is { } dir ? UvLyapunovWriter.Prepare(dir.FullName, options) : null;
        var result = CommandProgress.Run(context, parse.GetValue(_quiet), run => UvLyapunovExperiment.Run(options, run.Progress, run.Cancellation));
        if (folder is not null)
        {
            UvLyapunovWriter.Write(folder, result, context.Arguments);
        }

        var grid = result.Grid;
        if (parse.GetValue(_json))
        {
            var items = UvLyapunovWriter.Results(result)["values"]!.AsArray();
            JsonNode document = options.IsSweep ? items.DeepClone() : items[0]!.DeepClone();
            context.Output.WriteLine(document.ToJsonString(JsonOutput.Options));
        }
        else if (grid.Count <= 50)
        {
            foreach (var (r, c) in grid.Zip(result.Classes))
            {
                string exponents = string.Join(", ", c.Exponents.Select((v, k) => v.ToString("F6", CultureInfo.InvariantCulture) + (k < c.Uncertainties.Count ? " ± " + c.Uncertainties[k].ToString("F6", CultureInfo.InvariantCulture) : string.Empty)));
                context.Output.WriteLine($"r = {r.ToString("G8", CultureInfo.InvariantCulture),-12} exponents [{exponents}]  {c.Label}");
            }
        }
        else
        {
            context.Output.WriteLine($"{grid.Count} values of r in [{grid[0].ToString("G8", CultureInfo.InvariantCulture)}, {grid[^1].ToString("G8", CultureInfo.InvariantCulture)}]:");
            foreach (var group in result.Classes.GroupBy(c => c.Label.StartsWith("period-", StringComparison.Ordinal) ? "periodic" : c.Label).OrderByDescending(g => g.Count()))
            {
                context.Output.WriteLine($"  {group.Key}: {group.Count()}");
            }
        }

        if (folder is not null && !parse.GetValue(_json))
        {
            context.Output.WriteLine($"wrote {UvLyapunovWriter.CsvFile}{(options.IsSweep ? ", lyapunov.png" : string.Empty)} and manifest.json in {folder.Path}");
        }

        return ExitCodes.Success;
    }
}
