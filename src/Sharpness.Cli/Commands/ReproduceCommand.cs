using System.CommandLine;
using System.Globalization;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Reproduction;
using Sharpness.Experiments.Sweeps;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness reproduce</c>: the command line of <see cref="ReproductionRunner"/>, whose experiments run as commands
/// of this process (<see cref="CommandExperiments"/>).
/// </summary>
public sealed class ReproduceCommand
{
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Folder for the experiments' run folders, plan.json, claims.json, report.md, index.html and manifest.json: new or empty, or an interrupted reproduction with the same options, which is resumed (complete runs kept, incomplete ones redone).", Required = true };
    private readonly Option<bool> _quick = new("--quick") { Description = "Smaller networks, grids and runs: every claim decided in a few minutes on two cores; the report says which claims these sizes decide less reliably." };
    private readonly Option<bool> _noNet = new("--no-net") { Description = "Skip the real-network part even when the dataset is installed." };
    private readonly Option<DirectoryInfo?> _dataDir = new("--data-dir") { Description = $"Fashion-MNIST folder of the real-network part. Default: {ReproductionOptions.DefaultDataDir}; the part is skipped when it does not exist." };
    private readonly Option<int?> _jobs = AnalysisOptions.Jobs("Experiments");

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new ReproduceCommand();
        var command = new Command("reproduce", "Runs the fixed list of experiments, measures the paper's claims from their outputs and writes claims.json, report.md and index.html. Rerun on an interrupted reproduction's folder with the same options to resume it.");
        foreach (Option option in new Option[] { definition._out, definition._quick, definition._noNet, definition._dataDir, definition._jobs })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = new ReproductionOptions
        {
            Folder = parse.GetValue(_out)!.FullName,
            Quick = parse.GetValue(_quick),
            NoNet = parse.GetValue(_noNet),
            DataDir = parse.GetValue(_dataDir)?.FullName ?? ReproductionOptions.DefaultDataDir,
            Jobs = parse.GetValue(_jobs),
        };
        var runner = new ReproductionRunner(new CommandExperiments()) { Arguments = context.Arguments };
        var result = CommandProgress.Run(context with { Error = TextWriter.Synchronized(context.Error) }, quiet: false, run =>
        {
            runner.Notice += (_, notice) => run.WriteErrorLine(notice.Message);
            return runner.Run(options, run.Progress, run.Cancellation);
        });
        string folder = result.Plan.Options.Folder;
        int count = result.Runs.Count;
        if (result.Failure is { } failed)
        {
            // The first failed experiment of the list; the others that were running were stopped and are redone on a rerun.
            int i = result.Runs.ToList().IndexOf(failed);
            var failure = failed.Failure!;
            context.Error.WriteLine($"[{i + 1}/{count}] {failed.Run.Experiment.Name}: failed (exit {failure.Code}) in {failed.Seconds:F1} s");
            context.Error.WriteLine($"error: experiment {failed.Run.Experiment.Name} failed: {failure.Reason} ({failed.Run.Command(folder)})");
            return failure.Code == ExitCodes.InvalidInput ? ExitCodes.InternalError : failure.Code;
        }

        if (result.Interrupted)
        {
            context.Error.WriteLine("interrupted: the running experiments stopped at a step boundary; finished ones are kept (rerun the same command to resume)");
            return ExitCodes.Interrupted;
        }

        bool quick = result.Plan.Options.Quick;
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"claims of the {(quick ? "quick" : "full")} reproduction (experiment list version {ExperimentList.Version}), {result.Elapsed.TotalSeconds:F1} s in all:"));
        foreach (var c in result.Claims)
        {
            context.Output.WriteLine($"  [{c.StatusText}] {c.Statement}: {c.MeasuredText} ({c.Criterion})");
        }

        context.Output.WriteLine($"wrote {ClaimsDocument.FileName}, {ReproductionReport.MarkdownFile}, {ReproductionReport.HtmlFile} and {Sharpness.Runs.RunDirectory.ManifestFileName} in {folder}");
        return ExitCodes.Success;
    }

    /// <summary>Runs each experiment through the command line in-process, with the reproduction's progress and cancellation.</summary>
    private sealed class CommandExperiments : IReproductionExperimentRunner
    {
        private readonly RootCommand _root = Program.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, []));

        public ReproductionExperimentFailure? Run(PlannedRun run, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
        {
            var error = new StringWriter(CultureInfo.InvariantCulture);
            int code = Program.Run(run.ArgumentsWithOut, new StringWriter(CultureInfo.InvariantCulture), error, progress, cancellationToken);
            if (code == ExitCodes.Interrupted && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            // The reason: the command's last "error: " line.
            return code == ExitCodes.Success ? null : new ReproductionExperimentFailure(code,
                error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal))?["error: ".Length..] ?? $"exit code {code}");
        }

        // Its memory, estimated from its command line as a sweep point's (CommandSweepPoints.Cost).
        public SweepPointCost Cost(PlannedRun run) => CommandSweepPoints.Cost(_root.Parse(run.ArgumentsWithOut), string.Join(' ', run.Arguments.Take(2)));
    }
}
