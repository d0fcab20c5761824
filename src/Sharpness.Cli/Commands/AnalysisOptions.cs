using System.CommandLine;
using Sharpness.Experiments.Uv;

namespace Sharpness.Cli.Commands;

/// <summary>Options several commands share: the initial state in scaled variables, <c>--quiet</c>, and whether an option was typed.</summary>
internal static class AnalysisOptions
{
    public static Option<double> X0() => new("--x0") { Description = "Initial x = eta*lambda_0 (scaled NTK).", DefaultValueFactory = _ => UvOrbitOptions.DefaultX0 };

    public static Option<double> G0() => new("--g0") { Description = "Initial g = eta*f_0/s (scaled output).", DefaultValueFactory = _ => UvOrbitOptions.DefaultG0 };

    public static Option<bool> Quiet() => new("--quiet") { Description = "Show no progress on standard error (by default: a live display on a terminal, a line every few seconds in a log)." };

    /// <summary>Whether the user typed the option (as opposed to its default).</summary>
    public static bool IsGiven(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>The option's value when typed, else null.</summary>
    public static T? IfGiven<T>(ParseResult parse, Option<T> option)
        where T : struct => IsGiven(parse, option) ? parse.GetValue(option) : null;
}
