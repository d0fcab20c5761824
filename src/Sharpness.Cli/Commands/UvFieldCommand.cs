using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using Sharpness.Uv;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv field</c>: the vector field of function updates with the growth wedge, the manifold, the fixed points and trajectories.</summary>
public sealed class UvFieldCommand
{
    private readonly Option<double> _r = new("--r") { Description = "Scaled target r = eta/eta_c.", DefaultValueFactory = _ => 0.5 };
    private readonly Option<string> _plane = new("--plane") { Description = "scaled: (g, x); relative: (f/y, eta*lambda) (needs r != 0).", DefaultValueFactory = _ => "scaled" };
    private readonly Option<double?> _hMin = new("--h-min") { Description = "Left end of the horizontal axis (g, or f/y). Default: from r." };
    private readonly Option<double?> _hMax = new("--h-max") { Description = "Right end of the horizontal axis. Default: from r." };
    private readonly Option<double> _xMin = new("--x-min") { Description = "Bottom of the x = eta*lambda axis.", DefaultValueFactory = _ => 0.0 };
    private readonly Option<double> _xMax = new("--x-max") { Description = "Top of the x = eta*lambda axis.", DefaultValueFactory = _ => 4.5 };
    private readonly Option<int> _grid = new("--grid") { Description = "Arrows per axis.", DefaultValueFactory = _ => 25 };
    private readonly Option<string[]> _trajectory = new("--trajectory") { Description = "Overlay the trajectory from g0,x0 (scaled variables; repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<int> _trajectorySteps = new("--trajectory-steps") { Description = "Steps of each overlaid trajectory.", DefaultValueFactory = _ => 40 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for field.png, field.svg, trajectories.csv and manifest.json.", Required = true };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvFieldCommand();
        var command = new Command("field", "Vector field of one GD step in the (g, x) plane with the sharpness-growth wedge, the EoS manifold, x = 2, fixed points and trajectories.");
        foreach (Option option in new Option[] { definition._r, definition._plane, definition._hMin, definition._hMax, definition._xMin, definition._xMax, definition._grid, definition._trajectory, definition._trajectorySteps, definition._out })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        double r = OptionValues.Finite(parse.GetValue(_r), "--r");
        string plane = parse.GetValue(_plane)!.ToLowerInvariant();
        if (plane is not ("scaled" or "relative"))
        {
            throw new UsageException("--plane", $"expected scaled or relative, got '{plane}'.");
        }

        bool relative = plane == "relative";
        if (relative && r == 0)
        {
            throw new UsageException("--plane", "relative (f/y) needs r != 0; use --plane scaled.");
        }

        double defaultSpan = relative ? 3 : Math.Max(2, 2 * Math.Abs(r) + 1);
        double hMin = OptionValues.Finite(parse.GetValue(_hMin) ?? (relative ? -1.5 : -defaultSpan / 2), "--h-min");
        double hMax = OptionValues.Finite(parse.GetValue(_hMax) ?? (relative ? 2.5 : defaultSpan), "--h-max");
        OptionValues.Range(hMin, hMax, "--h-min", "--h-max");
        var (xMin, xMax) = OptionValues.Range(parse.GetValue(_xMin), parse.GetValue(_xMax), "--x-min", "--x-max");
        int grid = OptionValues.AtLeast(parse.GetValue(_grid), 2, "--grid");
        int steps = OptionValues.AtLeast(parse.GetValue(_trajectorySteps), 1, "--trajectory-steps");
        var starts = (parse.GetValue(_trajectory) ?? []).Select(ParseStart).ToArray();
        ResourceLimits.RequireAtMost("--grid", grid, UvCost.MaxFieldGrid, "the most arrows per axis a figure can show");
        ResourceLimits.RequireMemory("--trajectory-steps", $"{starts.Length:N0} trajectories of {steps:N0} steps", UvCost.FieldBytes(grid, starts.Length, steps), "the trajectories");
        var output = RunOutput.Prepare(parse.GetValue(_out)!, ["field.png", "field.svg", UvFieldFigures.TrajectoriesFile]);

        var trajectories = starts.Select(start =>
        {
            var states = new List<UvScaledState> { start };
            for (int t = 0; t < steps && Math.Abs(states[^1].G) < 1e6 && Math.Abs(states[^1].X) < 1e6; t++)
            {
                states.Add(UvScaledMap.Step(states[^1], r));
            }

            return (IReadOnlyList<UvScaledState>)states;
        }).ToArray();

        output.WriteCsv(UvFieldFigures.TrajectoriesFile, ["trajectory", "step", "g", "x", "lr_sharpness"], writer =>
        {
            for (int k = 0; k < trajectories.Length; k++)
            {
                for (int t = 0; t < trajectories[k].Count; t++)
                {
                    var s = trajectories[k][t];
                    writer.WriteRow([k, t, s.G, s.X, UvSharpness.ScaledHessian(s, r, 2)]);
                }
            }
        });
        var configuration = new JsonObject
        {
            ["r"] = r,
            ["plane"] = plane,
            ["h_min"] = hMin,
            ["h_max"] = hMax,
            ["x_min"] = xMin,
            ["x_max"] = xMax,
            ["grid"] = grid,
            ["trajectories"] = new JsonArray(starts.Select(s => (JsonNode?)new JsonArray(s.G, s.X)).ToArray()),
            ["trajectory_steps"] = steps,
        };
        var results = new JsonObject { ["trajectories"] = trajectories.Length };
        var files = new List<string>(output.WriteFigures(UvFieldFigures.Render(SavedRun.Writing(output.Path, "uv field", configuration, results)))) { UvFieldFigures.TrajectoriesFile };
        output.Complete("uv field", context, configuration, 0, started, results, files);
        context.Output.WriteLine($"wrote {string.Join(", ", files)} and manifest.json in {output.Path}");
        return ExitCodes.Success;
    }

    private static UvScaledState ParseStart(string text)
    {
        string[] parts = text.Split(',');
        if (parts.Length != 2
            || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double g)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
            || !double.IsFinite(g) || !double.IsFinite(x))
        {
            throw new UsageException("--trajectory", $"expected g0,x0 (two numbers), got '{text}'.");
        }

        if (x < 2 * Math.Abs(g))
        {
            throw new UsageException("--trajectory", $"'{text}' has x0 < 2|g0|, which no weights realise (lambda >= 2|f|/s).");
        }

        return new UvScaledState(g, x);
    }
}
