using System.CommandLine;
using System.Globalization;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv cascade</c>: the command line of <see cref="UvCascadeExperiment"/>.</summary>
public sealed class UvCascadeCommand
{
    private readonly Option<int> _maxPeriod = new("--max-period") { Description = "Follow the cascade until this period is born (a power of two, >= 4).", DefaultValueFactory = _ => 64 };
    private readonly Option<bool> _fullMap = new("--full-map") { Description = "Use the full 2-D map (g, x) instead of the 1-D map on the manifold g' = g(1 + r - g)^2." };
    private readonly Option<double> _x0 = AnalysisOptions.X0();
    private readonly Option<double> _g0 = AnalysisOptions.G0();
    private readonly Option<double> _escapeSearchEnd = new("--escape-search-end") { Description = "Largest r scanned for the end of bounded dynamics.", DefaultValueFactory = _ => 4.0 };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Run folder (new or empty) for cascade.csv and manifest.json. Default: print only." };
    private readonly Option<bool> _json = new("--json") { Description = "Print the result as JSON." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvCascadeCommand();
        var command = new Command("cascade", "Flip points r_k of the period-doubling cascade, Feigenbaum ratios, the accumulation point and where bounded dynamics end.");
        foreach (Option option in new Option[] { definition._maxPeriod, definition._fullMap, definition._x0, definition._g0, definition._escapeSearchEnd, definition._out, definition._json, definition._quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = new UvCascadeOptions
        {
            MaxPeriod = parse.GetValue(_maxPeriod),
            FullMap = parse.GetValue(_fullMap),
            X0 = parse.GetValue(_x0),
            G0 = parse.GetValue(_g0),
            EscapeSearchEnd = parse.GetValue(_escapeSearchEnd),
        };
        options.Validate();
        RunFolder? folder = parse.GetValue(_out) is { } dir ? UvCascadeWriter.Prepare(dir.FullName) : null;
        var result = CommandProgress.Run(context, parse.GetValue(_quiet), run => UvCascadeExperiment.Run(options, run.Progress, run.Cancellation));
        if (folder is not null)
        {
            UvCascadeWriter.Write(folder, result, context.Arguments);
        }

        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(UvCascadeWriter.Results(result).ToJsonString(JsonOutput.Options));
            return ExitCodes.Success;
        }

        string G(double v) => v.ToString("G15", CultureInfo.InvariantCulture);
        var flips = result.Flips;
        context.Output.WriteLine($"period-doubling cascade on the {(options.FullMap ? "full 2-D map" : "EoS manifold, g' = g(1 + r - g)^2")} (r = eta/eta_c)");
        context.Output.WriteLine("  period      r_k                  bracket    Feigenbaum ratio");
        for (int k = 0; k < flips.Count; k++)
        {
            string ratio = k >= 2 ? result.Ratios[k - 2].ToString("F6", CultureInfo.InvariantCulture) : string.Empty;
            context.Output.WriteLine($"  {flips[k].From,4} -> {flips[k].To,-5} {G(flips[k].R),-20} {flips[k].Bracket,-10:G2} {ratio}");
        }

        context.Output.WriteLine($"accumulation (onset of chaos) ~ {G(result.Accumulation)}; bounded dynamics end at r = {G(result.BoundedUntil)}; {result.Seconds:F2} s");
        if (!result.Complete)
        {
            context.Output.WriteLine($"note: the cascade was followed only to period {(flips.Count > 0 ? flips[^1].To : 1)}; beyond it the arithmetic could not resolve the next flip.");
        }

        return ExitCodes.Success;
    }
}
