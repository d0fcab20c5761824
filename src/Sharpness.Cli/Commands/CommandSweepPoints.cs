using System.CommandLine;
using Sharpness.Experiments;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Sweeps;

namespace Sharpness.Cli.Commands;

/// <summary>
/// Runs a sweep's points as commands of this process: a point's settings become command-line tokens
/// (as a settings file's would), checked by the command's own validation (a dry run that stops where
/// the command would claim its folder) before anything runs, and the
/// point runs through <see cref="Program.Run(string[], TextWriter, TextWriter, IProgress{ExperimentProgress}, CancellationToken)"/>
/// with the sweep's progress and cancellation. Every command with <c>--out</c> can be swept.
/// </summary>
/// <param name="specFile">The specification file (named in messages).</param>
internal sealed class CommandSweepPoints(string specFile) : ISweepPointRunner
{
    private readonly Dictionary<string, string[]> _arguments = new(StringComparer.Ordinal);
    private readonly RootCommand _root = Program.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, []));

    public void CheckCommand(string command)
    {
        var target = FindCommand(command);
        if (!target.Options.Any(o => o.Name == "--out"))
        {
            throw new InvalidOptionException("spec", $"'{command}' writes no run folder (it has no --out), so it cannot be swept.");
        }
    }

    public void CheckPoint(string command, SweepPlannedPoint point)
    {
        var tokens = ConfigArguments.FromSettings(point.Point.Settings, specFile, FindCommand(command), [], blame: "spec");
        string[] args = [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. tokens, "--out", point.Folder];

        // The command's own validation: a dry run stops where the command would claim its folder.
        var error = new StringWriter();
        if (Program.Run(args, TextWriter.Null, error, null, CancellationToken.None, dryRun: true) != ExitCodes.Success)
        {
            string reason = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Replace("error: ", string.Empty, StringComparison.Ordinal) ?? "refused";
            throw new InvalidOptionException("spec", $"point {point.Point.Index} ({point.Point.Directory}): {reason}");
        }

        _arguments[point.Folder] = args;
    }

    /// <summary>The command line of a checked point.</summary>
    public IReadOnlyList<string> Arguments(string command, SweepPlannedPoint point) => _arguments[point.Folder];

    public string? Run(string command, SweepPlannedPoint point, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(_arguments[point.Folder], output, error, progress, cancellationToken);
        if (code == ExitCodes.Interrupted && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        return code == ExitCodes.Success
            ? null
            : error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? $"exit code {code}";
    }

    private Command FindCommand(string path)
    {
        Command current = _root;
        foreach (string name in path.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current.Subcommands.FirstOrDefault(c => c.Name == name)
                ?? throw new InvalidOptionException("spec", $"unknown command '{path}'; expected for example \"uv simulate\" or \"uv phase\".");
        }

        if (current.Subcommands.Count > 0 || current.Name == "sweep" || path.StartsWith("sweep", StringComparison.Ordinal))
        {
            throw new InvalidOptionException("spec", $"'{path}' is not a command that can be swept.");
        }

        return current;
    }
}
