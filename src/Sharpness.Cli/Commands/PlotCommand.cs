using System.CommandLine;
using Sharpness.Cli.Figures;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Plot;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness plot RUN_DIR</c>: the command line of <see cref="RunPlotter"/>, with every command's
/// renderers (<see cref="RunFigures"/>); nothing is recomputed.
/// </summary>
public sealed class PlotCommand
{
    private readonly Argument<DirectoryInfo> _run = new("RUN_DIR") { Description = "A complete run folder (it has manifest.json): of uv simulate, uv orbit, uv lyapunov, uv phase, uv field, net train or reproduce." };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Folder for the figures (created when missing; it must not hold another run). Default: RUN_DIR itself, whose figures are replaced atomically." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new PlotCommand();
        var command = new Command("plot", "Redraw a run's figures (and a reproduction's report.md and index.html) from its saved CSV and manifest.json, without recomputing anything.");
        command.Arguments.Add(definition._run);
        command.Options.Add(definition._out);
        command.Options.Add(definition._quiet);
        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = new PlotOptions { Run = parse.GetValue(_run)!.FullName, Out = parse.GetValue(_out)?.FullName };
        var result = CommandProgress.Run(context, parse.GetValue(_quiet), run => new RunPlotter(RunFigures.Registry).Redraw(options, run.Progress, run.Cancellation));
        if (result.Files.Count == 0)
        {
            context.Output.WriteLine($"nothing to draw: this {result.Run.Command} run has no figures ({options.Run})");
            return ExitCodes.Success;
        }

        RunPlotter.Write(result);
        context.Output.WriteLine($"redrew {Words.Count(result.Files.Count, "file")} of the {result.Run.Command} run in {result.Target} from its data:");
        foreach (var file in result.Files)
        {
            context.Output.WriteLine($"  {file.Path}");
        }

        return ExitCodes.Success;
    }
}
