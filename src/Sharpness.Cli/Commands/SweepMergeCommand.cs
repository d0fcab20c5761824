using System.CommandLine;
using Sharpness.Runs;
using Sharpness.Runs.Sweeps;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness sweep merge DIR</c>: gathers every complete run of a sweep into results.parquet, results.csv and trajectories.parquet.</summary>
public sealed class SweepMergeCommand
{
    private readonly Argument<DirectoryInfo> _directory = new("dir") { Description = "The sweep's results folder (one sub-folder per run)." };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Where to write the merged files. Default: the sweep folder itself." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new SweepMergeCommand();
        var command = new Command("merge", "Merge the complete runs of a sweep: results.parquet and results.csv (one row per run: configuration and summary) and trajectories.parquet (long format). Incomplete runs are reported.");
        command.Arguments.Add(definition._directory);
        command.Options.Add(definition._out);
        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var directory = parse.GetValue(_directory)!;
        if (!directory.Exists)
        {
            throw new UsageException("dir", $"'{directory.FullName}' is not a folder.");
        }

        string? output = parse.GetValue(_out)?.FullName;
        if (output is not null && File.Exists(output))
        {
            throw new UsageException("--out", $"'{output}' is a file, not a folder.");
        }

        MergeReport report;
        try
        {
            report = SweepMerger.Merge(directory.FullName, output);
        }
        catch (RunFolderException e)
        {
            throw new UsageException(output is null ? "dir" : "--out", e.Message);
        }

        context.Output.WriteLine($"merged {report.CompleteRuns} complete runs ({report.ResultRows} result rows, {report.TrajectoryRows} trajectory rows); {report.IncompleteRuns} incomplete");
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
