using System.CommandLine;
using System.Globalization;
using System.Numerics;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv fixed-points</c>: the command line of <see cref="UvFixedPointsExperiment"/>.</summary>
public sealed class UvFixedPointsCommand
{
    private readonly Option<double> _r = new("--r") { Description = "Scaled target r = eta/eta_c.", Required = true };
    private readonly Option<int> _maxPeriod = new("--max-period") { Description = "Search periodic orbits of periods 2..max by Newton's method.", DefaultValueFactory = _ => 8 };
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON instead of a table." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvFixedPointsCommand();
        var command = new Command("fixed-points", "Fixed points (analytic) and periodic orbits (Newton on the p-th iterate) of the scaled map, with multipliers and stability.");
        foreach (Option option in new Option[] { definition._r, definition._maxPeriod, definition._json, definition._quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = new UvFixedPointsOptions { R = parse.GetValue(_r), MaxPeriod = parse.GetValue(_maxPeriod) };
        options.Validate();
        var result = CommandProgress.Run(context, parse.GetValue(_quiet), run => UvFixedPointsExperiment.Run(options, run.Progress, run.Cancellation));
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(UvFixedPointsWriter.Json(result).ToJsonString(JsonOutput.Options));
            return ExitCodes.Success;
        }

        string G(double v) => v.ToString("G8", CultureInfo.InvariantCulture);
        context.Output.WriteLine($"scaled map at r = {G(options.R)} (g = eta f/s, x = eta lambda)");
        context.Output.WriteLine("line of minima g = r, any x: eigenvalues 1 - x and 1; stable for 0 < x < 2");
        foreach (var (kind, orbit) in result.Orbits)
        {
            string points = string.Join(" ", orbit.Points.Take(4).Select(p => $"({G(p[0])}, {G(p[1])})")) + (orbit.Period > 4 ? " ..." : string.Empty);
            string multipliers = string.Join(", ", orbit.Multipliers.Select(Format));
            context.Output.WriteLine($"{kind}: {points}  multipliers [{multipliers}]  {(orbit.IsStable ? "stable" : "unstable")}");
        }

        return ExitCodes.Success;
    }

    private static string Format(Complex m) => m.Imaginary == 0
        ? m.Real.ToString("G6", CultureInfo.InvariantCulture)
        : $"{m.Real.ToString("G6", CultureInfo.InvariantCulture)}{(m.Imaginary >= 0 ? "+" : "-")}{Math.Abs(m.Imaginary).ToString("G6", CultureInfo.InvariantCulture)}i";
}
