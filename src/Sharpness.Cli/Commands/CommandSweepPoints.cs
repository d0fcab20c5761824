using System.CommandLine;
using Sharpness.Experiments;
using Sharpness.Experiments.Jobs;
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
        int code = Program.Run(args, TextWriter.Null, error, null, CancellationToken.None, dryRun: true);
        if (code != ExitCodes.Success)
        {
            string reason = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Replace("error: ", string.Empty, StringComparison.Ordinal).Replace(Program.EnvironmentAdvice, string.Empty, StringComparison.Ordinal) ?? "refused";
            string message = $"point {point.Point.Index} ({point.Point.Directory}): {reason}";

            // The machine refused the point (not enough free disk for what it would write): an environment failure, as for the command alone.
            throw code == ExitCodes.EnvironmentFailure
                ? new Sharpness.Runs.Safety.EnvironmentException(point.Folder, reason, message)
                : new InvalidOptionException("spec", message);
        }

        _arguments[point.Folder] = args;
    }

    /// <summary>What a checked point's run needs (<see cref="Cost(ParseResult, string)"/>).</summary>
    public SweepPointCost Cost(string command, SweepPlannedPoint point) => Cost(_root.Parse(_arguments[point.Folder]), command);

    /// <summary>
    /// What a run of <paramref name="command"/> needs, from its parsed command line: its <c>--threads</c> (1 for
    /// commands without it) and an estimate of its memory from its options (docs/performance.md, "Memory"): for
    /// <c>net</c> commands the data in float32 and float64, the parameters with their gradients and a Lanczos basis
    /// of 40 float64 vectors, the activations of one physical batch and 200 MiB of LibTorch's working memory, plus what the C heap keeps
    /// (<see cref="JobPlan.WithNativeHeap"/>); for
    /// <c>uv simulate</c> the weights, the trajectory and 64 MiB for its figure; 64 MiB for the other <c>uv</c> commands.
    /// </summary>
    /// <param name="parse">The command line, parsed by the root command.</param>
    /// <param name="command">The command ("net train", "uv simulate", …).</param>
    internal static SweepPointCost Cost(ParseResult parse, string command)
    {
        int threads = (int)(Number(parse, "--threads") ?? 1);
        const double MiB = 1 << 20;
        double memory;
        if (command.StartsWith("net ", StringComparison.Ordinal))
        {
            string dataset = Text(parse, "--dataset") ?? "fashion-mnist";
            double features = dataset switch { "cifar10" => 3072, "synthetic" => 20, _ => 784 };
            double examples = (Number(parse, "--train-size") ?? 5000) + (Number(parse, "--test-size") ?? 1000);
            double width = Number(parse, "--width") ?? 200, depth = Math.Max(1, Number(parse, "--depth") ?? 3);
            double parameters = (features * width) + (Math.Max(0, depth - 2) * width * width) + (width * 10);
            double batch = Math.Min(Number(parse, "--physical-batch") ?? 1000, examples);
            // Plus the free memory the C heap keeps for the job's next allocation (docs/performance.md, "Memory kept for reuse").
            memory = JobPlan.WithNativeHeap((12 * examples * features) + (8 * parameters * 50) + (48 * batch * width * depth) + (200 * MiB));
        }
        else if (command == "uv simulate")
        {
            double width = Number(parse, "--width") ?? 100, dimension = Number(parse, "--input-dim") ?? 1, steps = Number(parse, "--steps") ?? 200;
            memory = (48 * width) + (8 * width * dimension) + (256 * (steps + 1)) + (64 * MiB);
        }
        else
        {
            memory = 64 * MiB;
        }

        return new SweepPointCost(Math.Max(1, threads), memory);
    }

    // The value of a numeric option of the parsed command (typed or default), or null when the command has none.
    private static double? Number(ParseResult parse, string name)
    {
        var option = parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == name);
        return option is null ? null : Convert(parse.GetValue<object>(name));
    }

    private static double? Convert(object? value) => value switch
    {
        int i => i,
        long l => l,
        double d => d,
        _ => null,
    };

    private static string? Text(ParseResult parse, string name) =>
        parse.CommandResult.Command.Options.Any(o => o.Name == name) ? parse.GetValue<object>(name) as string : null;

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
