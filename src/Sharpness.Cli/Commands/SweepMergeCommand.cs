using System.CommandLine;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Sweeps;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness sweep merge DIR</c>: the command line of <see cref="SweepMerge"/>.</summary>
public sealed class SweepMergeCommand
{
    private readonly Argument<DirectoryInfo> _directory = new("dir") { Description = "The sweep's results folder (one sub-folder per run)." };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Where to write the merged files. Default: the sweep folder itself." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new SweepMergeCommand();
        var command = new Command("merge", "Merge the complete runs of a sweep: results.parquet and results.csv (one row per run: configuration and summary) and trajectories.parquet (long format). Incomplete runs are reported.");
        command.Arguments.Add(definition._directory);
        command.Options.Add(definition._out);
        command.Options.Add(definition._quiet);
        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = new SweepMergeOptions { Directory = parse.GetValue(_directory)!.FullName, Out = parse.GetValue(_out)?.FullName };
        options.Validate();
        var report = CommandProgress.Run(context, parse.GetValue(_quiet), run => SweepMerge.Run(options, run.Progress, run.Cancellation));
        context.Output.WriteLine($"merged {Words.Count(report.CompleteRuns, "complete run")} ({Words.Count(report.ResultRows, "result row")}, {Words.Count(report.TrajectoryRows, "trajectory row")}); {report.IncompleteRuns} incomplete");
        foreach (var issue in report.Incomplete)
        {
            context.Output.WriteLine($"  incomplete {issue.Run}: {issue.Reason}");
        }

        foreach (string name in report.SetAside)
        {
            context.Output.WriteLine($"  set aside {name}: an earlier incomplete attempt kept by sweep run, not merged");
        }

        foreach (var issue in report.WithoutTrajectory)
        {
            context.Output.WriteLine($"  no trajectory from {issue.Run}: {issue.Reason}");
        }

        foreach (string file in report.FilesWritten)
        {
            context.Output.WriteLine($"wrote {file}");
        }

        return ExitCodes.Success;
    }
}
