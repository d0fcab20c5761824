using System.CommandLine;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Uv;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv field</c>: the command line of <see cref="UvFieldExperiment"/>.</summary>
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
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvFieldCommand();
        var command = new Command("field", "Vector field of one GD step in the (g, x) plane with the sharpness-growth wedge, the EoS manifold, x = 2, fixed points and trajectories.");
        foreach (Option option in new Option[] { definition._r, definition._plane, definition._hMin, definition._hMax, definition._xMin, definition._xMax, definition._grid, definition._trajectory, definition._trajectorySteps, definition._out, definition._quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = new UvFieldOptions
        {
            R = parse.GetValue(_r),
            RelativePlane = UvFieldOptions.ParsePlane(parse.GetValue(_plane)!),
            HMin = parse.GetValue(_hMin),
            HMax = parse.GetValue(_hMax),
            XMin = parse.GetValue(_xMin),
            XMax = parse.GetValue(_xMax),
            Grid = parse.GetValue(_grid),
            TrajectorySteps = parse.GetValue(_trajectorySteps),
            Trajectories = [.. (parse.GetValue(_trajectory) ?? []).Select(UvFieldOptions.ParseStart)],
        };
        options.Validate();
        var folder = UvFieldWriter.Prepare(parse.GetValue(_out)!.FullName);
        var result = CommandProgress.Run(context, parse.GetValue(_quiet), run => UvFieldExperiment.Run(options, run.Progress, run.Cancellation));
        var files = UvFieldWriter.Write(folder, result, context.Arguments);
        context.Output.WriteLine($"wrote {string.Join(", ", files)} and manifest.json in {folder.Path}");
        return ExitCodes.Success;
    }
}
