using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Core.Dynamics;
using Sharpness.Runs;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv cascade</c>: the period-doubling cascade of the UV model on the EoS manifold (or the full 2-D map).</summary>
public sealed class UvCascadeCommand
{
    /// <summary>The CSV of flip points.</summary>
    public const string CsvFile = "cascade.csv";

    private readonly Option<int> _maxPeriod = new("--max-period") { Description = "Follow the cascade until this period is born (a power of two, >= 4).", DefaultValueFactory = _ => 64 };
    private readonly Option<bool> _fullMap = new("--full-map") { Description = "Use the full 2-D map (g, x) instead of the 1-D map on the manifold g' = g(1 + r - g)^2." };
    private readonly Option<double> _x0 = AnalysisOptions.X0();
    private readonly Option<double> _g0 = AnalysisOptions.G0();
    private readonly Option<double> _escapeSearchEnd = new("--escape-search-end") { Description = "Largest r scanned for the end of bounded dynamics.", DefaultValueFactory = _ => 4.0 };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Run folder (new or empty) for cascade.csv and manifest.json. Default: print only." };
    private readonly Option<bool> _json = new("--json") { Description = "Print the result as JSON." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvCascadeCommand();
        var command = new Command("cascade", "Flip points r_k of the period-doubling cascade, Feigenbaum ratios, the accumulation point and where bounded dynamics end.");
        foreach (Option option in new Option[] { definition._maxPeriod, definition._fullMap, definition._x0, definition._g0, definition._escapeSearchEnd, definition._out, definition._json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        int maxPeriod = parse.GetValue(_maxPeriod);
        if (maxPeriod < 4 || (maxPeriod & (maxPeriod - 1)) != 0 || maxPeriod > 1 << 14)
        {
            throw new UsageException("--max-period", $"must be a power of two between 4 and 16384 (got {maxPeriod}).");
        }

        bool full = parse.GetValue(_fullMap);
        double x0 = OptionValues.Finite(parse.GetValue(_x0), "--x0");
        double g0 = OptionValues.Finite(parse.GetValue(_g0), "--g0");
        double searchEnd = OptionValues.Finite(parse.GetValue(_escapeSearchEnd), "--escape-search-end");
        if (!(searchEnd > 1.5))
        {
            throw new UsageException("--escape-search-end", $"must exceed 1.5, above the accumulation point (got {OptionValues.Text(searchEnd)}).");
        }

        if (!full && !(g0 > 0))
        {
            throw new UsageException("--g0", $"must be positive on the manifold map (g' = g(1 + r - g)^2 keeps g > 0), got {OptionValues.Text(g0)}.");
        }

        RunOutput? output = parse.GetValue(_out) is { } dir ? RunOutput.Prepare(dir, [CsvFile]) : null;
        var clock = Stopwatch.StartNew();
        var flips = new List<(int From, int To, double R, double Bracket, string Method)>();
        CascadeResult cascade;
        double[] escapeStart;
        IIteratedMap map;
        if (full)
        {
            // Period 1 is the line of minima g = r, whose eigenvalues 1 − x and 1 make Newton singular;
            // on the manifold (x = 2r) the eigenvalue 1 − x reaches −1 at exactly r = 1.
            flips.Add((1, 2, 1.0, 0.0, "closed form: eigenvalue 1 - x of the minimum (r, 2r)"));
            map = new UvScaledIteratedMap();
            var (plus, _) = UvFixedPoints.TwoCycle(1.1);
            cascade = PeriodDoublingCascade.Follow(map, PeriodicOrbitFinder.Find(map, 1.1, 2, [plus.G, plus.X]), searchEnd: 2, maxPeriod: maxPeriod);
            escapeStart = [g0, x0];
        }
        else
        {
            map = new UvManifoldMap();
            cascade = PeriodDoublingCascade.Follow(map, PeriodicOrbitFinder.Find(map, 0.5, 1, [0.5]), searchEnd: 2, maxPeriod: maxPeriod);
            escapeStart = [g0];
        }

        flips.AddRange(cascade.FlipPoints.Select(f => (f.FromPeriod, f.ToPeriod, f.Parameter, f.BracketWidth, "Newton continuation + bisection on the multiplier crossing -1")));
        var ratios = new List<double>();
        for (int k = 2; k < flips.Count; k++)
        {
            ratios.Add((flips[k - 1].R - flips[k - 2].R) / (flips[k].R - flips[k - 1].R));
        }

        double accumulation = ratios.Count > 0 ? flips[^1].R + ((flips[^1].R - flips[^2].R) / (ratios[^1] - 1)) : double.NaN;
        double scanFrom = double.IsNaN(accumulation) ? 1.0 : accumulation;
        var escape = BoundedDynamics.FindEscape(map, escapeStart, scanFrom, searchEnd);
        double seconds = clock.Elapsed.TotalSeconds;
        bool complete = flips.Count > 0 && flips[^1].To == maxPeriod;

        var flipJson = new JsonArray(flips.Select(f => (JsonNode?)new JsonObject
        {
            ["from"] = f.From,
            ["to"] = f.To,
            ["r"] = f.R,
            ["bracket"] = f.Bracket,
            ["method"] = f.Method,
        }).ToArray());
        var results = new JsonObject
        {
            ["map"] = full ? "full" : "manifold",
            ["flip_points"] = flipJson,
            ["feigenbaum_ratios"] = new JsonArray(ratios.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
            ["accumulation"] = JsonOutput.Number(accumulation),
            ["bounded_until"] = JsonOutput.Number(escape.Parameter),
            ["bounded_until_bracket"] = new JsonArray(JsonOutput.Number(escape.LastBounded), JsonOutput.Number(escape.FirstEscaping)),
            ["complete"] = complete,
            ["seconds"] = seconds,
        };
        var configuration = new JsonObject
        {
            ["max_period"] = maxPeriod,
            ["full_map"] = full,
            ["x0"] = full ? x0 : null,
            ["g0"] = g0,
            ["escape_search_end"] = searchEnd,
        };

        if (output is not null)
        {
            output.WriteCsv(CsvFile, ["from", "to", "r", "bracket"], writer =>
            {
                foreach (var f in flips)
                {
                    writer.WriteRow([f.From, f.To, f.R, f.Bracket]);
                }
            });
            output.Complete("uv cascade", context, configuration, 0, started, results, [CsvFile]);
        }

        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(results.ToJsonString(JsonOutput.Options));
        }
        else
        {
            string G(double v) => v.ToString("G15", CultureInfo.InvariantCulture);
            context.Output.WriteLine($"period-doubling cascade on the {(full ? "full 2-D map" : "EoS manifold, g' = g(1 + r - g)^2")} (r = eta/eta_c)");
            context.Output.WriteLine("  period      r_k                  bracket    Feigenbaum ratio");
            for (int k = 0; k < flips.Count; k++)
            {
                string ratio = k >= 2 ? ratios[k - 2].ToString("F6", CultureInfo.InvariantCulture) : string.Empty;
                context.Output.WriteLine($"  {flips[k].From,4} -> {flips[k].To,-5} {G(flips[k].R),-20} {flips[k].Bracket,-10:G2} {ratio}");
            }

            context.Output.WriteLine($"accumulation (onset of chaos) ~ {G(accumulation)}; bounded dynamics end at r = {G(escape.Parameter)}; {seconds:F2} s");
            if (!complete)
            {
                context.Output.WriteLine($"note: the cascade was followed only to period {(flips.Count > 0 ? flips[^1].To : 1)}; beyond it the arithmetic could not resolve the next flip.");
            }
        }

        return ExitCodes.Success;
    }
}
