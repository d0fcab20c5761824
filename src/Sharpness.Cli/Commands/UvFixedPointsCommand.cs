using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Sharpness.Core.Dynamics;
using Sharpness.Runs;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv fixed-points</c>: fixed points and low-period orbits of the scaled map at one r, with multipliers and stability.</summary>
public sealed class UvFixedPointsCommand
{
    private readonly Option<double> _r = new("--r") { Description = "Scaled target r = eta/eta_c.", Required = true };
    private readonly Option<int> _maxPeriod = new("--max-period") { Description = "Search periodic orbits of periods 2..max by Newton's method.", DefaultValueFactory = _ => 8 };
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON instead of a table." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvFixedPointsCommand();
        var command = new Command("fixed-points", "Fixed points (analytic) and periodic orbits (Newton on the p-th iterate) of the scaled map, with multipliers and stability.");
        foreach (Option option in new Option[] { definition._r, definition._maxPeriod, definition._json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    /// <summary>Every orbit found at <paramref name="r"/>: analytic fixed points first, then Newton orbits by period.</summary>
    /// <param name="r">Scaled target.</param>
    /// <param name="maxPeriod">Largest period searched.</param>
    public static IReadOnlyList<(string Kind, PeriodicOrbit Orbit)> FindAll(double r, int maxPeriod)
    {
        var map = new UvScaledIteratedMap();
        var (upper, lower) = UvFixedPoints.SignFlipPoints(r);
        var found = new List<(string Kind, PeriodicOrbit Orbit)>
        {
            ("minimum on the manifold (g = r, x = 2|r|)", PeriodicOrbitFinder.Describe(map, r, 1, [r, 2 * Math.Abs(r)])),
            ("origin u = v = 0", PeriodicOrbitFinder.Describe(map, r, 1, [0, 0])),
            ("sign-flip point (r + 2, 2r + 4)", PeriodicOrbitFinder.Describe(map, r, 1, [upper.G, upper.X])),
            ("sign-flip point (r - 2, 4 - 2r)", PeriodicOrbitFinder.Describe(map, r, 1, [lower.G, lower.X])),
        };

        double reach = Math.Abs(r) + 3;
        for (int period = 2; period <= maxPeriod; period++)
        {
            for (int k = 0; k <= 240; k++)
            {
                double g = -reach + (2 * reach * k / 240);
                var orbit = PeriodicOrbitFinder.TryFind(map, r, period, [g, 2 * Math.Abs(g)]);
                if (orbit is not null && !found.Any(f => SameOrbit(f.Orbit, orbit)))
                {
                    found.Add(($"period-{period} orbit (Newton)", orbit));
                }
            }
        }

        return found;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        double r = OptionValues.Finite(parse.GetValue(_r), "--r");
        int maxPeriod = parse.GetValue(_maxPeriod);
        if (maxPeriod is < 1 or > 64)
        {
            throw new UsageException("--max-period", $"must be between 1 and 64 (got {maxPeriod}).");
        }

        var found = FindAll(r, maxPeriod);
        if (parse.GetValue(_json))
        {
            var document = new JsonObject
            {
                ["r"] = r,
                ["line_of_minima"] = new JsonObject
                {
                    ["g"] = r,
                    ["eigenvalues"] = "1 - x and 1",
                    ["stable_for_x_in"] = new JsonArray(0.0, 2.0),
                },
                ["orbits"] = new JsonArray(found.Select(f => (JsonNode?)OrbitJson(f.Kind, f.Orbit)).ToArray()),
            };
            context.Output.WriteLine(document.ToJsonString(JsonOutput.Options));
            return ExitCodes.Success;
        }

        string G(double v) => v.ToString("G8", CultureInfo.InvariantCulture);
        context.Output.WriteLine($"scaled map at r = {G(r)} (g = eta f/s, x = eta lambda)");
        context.Output.WriteLine("line of minima g = r, any x: eigenvalues 1 - x and 1; stable for 0 < x < 2");
        foreach (var (kind, orbit) in found)
        {
            string points = string.Join(" ", orbit.Points.Take(4).Select(p => $"({G(p[0])}, {G(p[1])})")) + (orbit.Period > 4 ? " ..." : string.Empty);
            string multipliers = string.Join(", ", orbit.Multipliers.Select(Format));
            context.Output.WriteLine($"{kind}: {points}  multipliers [{multipliers}]  {(orbit.IsStable ? "stable" : "unstable")}");
        }

        return ExitCodes.Success;
    }

    private static JsonObject OrbitJson(string kind, PeriodicOrbit orbit) => new()
    {
        ["kind"] = kind,
        ["period"] = orbit.Period,
        ["points"] = new JsonArray(orbit.Points.Select(p => (JsonNode?)new JsonArray(JsonOutput.Number(p[0]), JsonOutput.Number(p[1]))).ToArray()),
        ["multipliers"] = new JsonArray(orbit.Multipliers.Select(m => (JsonNode?)new JsonObject
        {
            ["re"] = JsonOutput.Number(m.Real),
            ["im"] = JsonOutput.Number(m.Imaginary),
            ["abs"] = JsonOutput.Number(m.Magnitude),
        }).ToArray()),
        ["stable"] = orbit.IsStable,
    };

    private static string Format(Complex m) => m.Imaginary == 0
        ? m.Real.ToString("G6", CultureInfo.InvariantCulture)
        : $"{m.Real.ToString("G6", CultureInfo.InvariantCulture)}{(m.Imaginary >= 0 ? "+" : "-")}{Math.Abs(m.Imaginary).ToString("G6", CultureInfo.InvariantCulture)}i";

    private static bool SameOrbit(PeriodicOrbit a, PeriodicOrbit b)
    {
        if (a.Period != b.Period)
        {
            return false;
        }

        double scale = 1 + a.Points.Max(p => Math.Max(Math.Abs(p[0]), Math.Abs(p[1])));
        return b.Points.All(q => a.Points.Any(p => Math.Abs(p[0] - q[0]) + Math.Abs(p[1] - q[1]) < 1e-8 * scale));
    }
}
