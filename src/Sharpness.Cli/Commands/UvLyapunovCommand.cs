using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Core.Dynamics;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using Sharpness.Uv;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv lyapunov</c>: Lyapunov exponents, period and label of the scaled map at one r or over a sweep.</summary>
public sealed class UvLyapunovCommand
{
    /// <summary>CSV of a sweep.</summary>
    public const string CsvFile = "lyapunov.csv";

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

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvLyapunovCommand();
        var command = new Command("lyapunov", "Lyapunov spectrum (QR of tangent-map products), period and label of the late dynamics of the scaled map.");
        foreach (Option option in new Option[] { definition._r, definition._min, definition._max, definition._points, definition._x0, definition._g0, definition._transient, definition._steps, definition._manifold, definition._out, definition._json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        double? single = parse.GetValue(_r);
        double? min = parse.GetValue(_min);
        double? max = parse.GetValue(_max);
        if (single is not null && (min is not null || max is not null))
        {
            throw new UsageException("--r", "give either --r or a sweep (--r-min, --r-max), not both.");
        }

        if (single is null && (min is null || max is null))
        {
            throw new UsageException(min is null ? "--r-min" : "--r-max", "a sweep needs both --r-min and --r-max (or give --r).");
        }

        double[] grid;
        if (single is double r0)
        {
            grid = [OptionValues.Finite(r0, "--r")];
        }
        else
        {
            var (lo, hi) = OptionValues.Range(min!.Value, max!.Value, "--r-min", "--r-max");
            int count = OptionValues.AtLeast(parse.GetValue(_points), 2, "--points");
            ResourceLimits.RequireMemory("--points", $"{count:N0} values of r", UvCost.LyapunovBytes(count), "the sweep's results");
            ResourceLimits.RequireOperations("--points", $"{count:N0} values of r", (double)count * ((double)parse.GetValue(_transient) + parse.GetValue(_steps)), "map steps");
            grid = Core.EvenGrid.Values(lo, hi, count);
        }

        double x0 = OptionValues.Finite(parse.GetValue(_x0), "--x0");
        double g0 = OptionValues.Finite(parse.GetValue(_g0), "--g0");
        int transient = OptionValues.AtLeast(parse.GetValue(_transient), 0, "--transient");
        int steps = OptionValues.AtLeast(parse.GetValue(_steps), 1, "--steps");
        ResourceLimits.RequireOperations("--steps", $"{grid.Length:N0} values of {transient:N0} + {steps:N0} steps", grid.Length * ((double)transient + steps), "map steps");
        bool manifold = parse.GetValue(_manifold);
        if (manifold && !(g0 > 0))
        {
            throw new UsageException("--g0", $"must be positive on the manifold map, got {OptionValues.Text(g0)}.");
        }

        bool sweep = single is null;
        RunOutput? output = parse.GetValue(_out) is { } dir ? RunOutput.Prepare(dir, sweep ? [CsvFile, "lyapunov.png", "lyapunov.svg"] : [CsvFile]) : null;
        IIteratedMap map = manifold ? new UvManifoldMap() : new UvScaledIteratedMap();
        double[] start = manifold ? [g0] : [g0, x0];
        var results = new LongRunClass[grid.Length];
        Parallel.For(0, grid.Length, i => results[i] = LongRunClassifier.Classify(map, grid[i], start, transient, steps));

        var items = grid.Select((r, i) => Item(r, results[i])).ToArray();
        var configuration = new JsonObject
        {
            ["r"] = JsonOutput.Number(single),
            ["r_min"] = JsonOutput.Number(min),
            ["r_max"] = JsonOutput.Number(max),
            ["points"] = grid.Length,
            ["x0"] = manifold ? null : x0,
            ["g0"] = g0,
            ["transient"] = transient,
            ["steps"] = steps,
            ["map"] = manifold ? "manifold" : "full",
        };

        if (output is not null)
        {
            int dimension = map.Dimension;
            var columns = new List<string> { "r" };
            columns.AddRange(Enumerable.Range(1, dimension).Select(k => $"lambda{k}"));
            columns.AddRange(["period", "label"]);
            output.WriteCsv(CsvFile, columns, writer =>
            {
                for (int i = 0; i < grid.Length; i++)
                {
                    var cells = new List<string> { CsvTable.Format(grid[i]) };
                    cells.AddRange(Enumerable.Range(0, dimension).Select(k => CsvTable.Format(k < results[i].Exponents.Count ? results[i].Exponents[k] : double.NaN)));
                    cells.Add(results[i].Period?.ToString(CultureInfo.InvariantCulture) ?? string.Empty);
                    cells.Add(results[i].Label);
                    writer.WriteRow(cells);
                }
            });
            var summary = new JsonObject { ["values"] = new JsonArray(items.Select(n => (JsonNode?)n.DeepClone()).ToArray()) };
            var files = new List<string> { CsvFile };
            files.AddRange(output.WriteFigures(UvLyapunovFigures.Render(SavedRun.Writing(output.Path, "uv lyapunov", configuration, summary))));
            output.Complete("uv lyapunov", context, configuration, 0, started, summary, files);
        }

        if (parse.GetValue(_json))
        {
            JsonNode document = sweep ? new JsonArray(items.Select(n => (JsonNode?)n).ToArray()) : items[0];
            context.Output.WriteLine(document.ToJsonString(JsonOutput.Options));
        }
        else if (grid.Length <= 50)
        {
            foreach (var (r, result) in grid.Zip(results))
            {
                string exponents = string.Join(", ", result.Exponents.Select(v => v.ToString("F6", CultureInfo.InvariantCulture)));
                context.Output.WriteLine($"r = {r.ToString("G8", CultureInfo.InvariantCulture),-12} exponents [{exponents}]  {result.Label}");
            }
        }
        else
        {
            context.Output.WriteLine($"{grid.Length} values of r in [{grid[0].ToString("G8", CultureInfo.InvariantCulture)}, {grid[^1].ToString("G8", CultureInfo.InvariantCulture)}]:");
            foreach (var group in results.GroupBy(result => result.Label.StartsWith("period-", StringComparison.Ordinal) ? "periodic" : result.Label).OrderByDescending(g => g.Count()))
            {
                context.Output.WriteLine($"  {group.Key}: {group.Count()}");
            }
        }

        if (output is not null && !parse.GetValue(_json))
        {
            context.Output.WriteLine($"wrote {CsvFile}{(sweep ? ", lyapunov.png" : string.Empty)} and manifest.json in {output.Path}");
        }

        return ExitCodes.Success;
    }

    private static JsonObject Item(double r, LongRunClass result) => new()
    {
        ["r"] = r,
        ["exponents"] = new JsonArray(result.Exponents.Select(v => JsonOutput.Number(v)).ToArray()),
        ["period"] = result.Period,
        ["label"] = result.Label,
    };
}
