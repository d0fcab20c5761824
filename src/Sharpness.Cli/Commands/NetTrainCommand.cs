using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Nets;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net train</c>: trains a real network by GD or SGD and tracks its Hessian sharpness
/// from exact Hessian-vector products, with the presets of the edge-of-stability and early-training
/// literature.
/// </summary>
public sealed class NetTrainCommand
{
    /// <summary>The per-step table.</summary>
    public const string MetricsFile = NetTrainWriter.MetricsFile;

    private readonly NetOptions _net = new();
    private readonly CheckpointOptions _checkpoints = new();
    private readonly Option<DirectoryInfo?> _tensorboard = new("--tensorboard") { Description = "Also write TensorBoard event files (loss, accuracy, sharpness, threshold) to this folder, outside --out; each run creates a new events.out.tfevents.TIME.HOST.PID.N file, never overwriting one." };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for metrics.csv, figures and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetTrainCommand();
        var command = new Command("train", "Train a real network (GD or SGD) with its Hessian sharpness tracked from exact Hessian-vector products.");
        d._net.Add(command);
        d._net.TorchScript.Add(command);
        foreach (Option option in d._checkpoints.All.Concat([d._tensorboard, d._out, d._json, d._quiet]))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var settings = _net.Resolve(parse);
        var plan = _checkpoints.Resolve(parse);
        var folder = NetTrainWriter.Prepare(parse.GetValue(_out)!.FullName, settings, plan, parse.GetValue(_tensorboard)?.FullName);
        var (run, written) = CommandProgress.Run(
            context,
            parse.GetValue(_quiet),
            progress => NetTrainWriter.Run(folder, settings, plan, parse.GetValue(_tensorboard)?.FullName, progress.Progress, progress.Cancellation, context.Arguments),
            log => new NetStepLines(log));
        var result = run.Training;
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = run.Configuration.DeepClone(), ["results"] = run.Results.DeepClone(), ["out"] = folder.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            var last = result.Records[^1];
            var lastMeasurement = run.LastMeasurement;
            string G(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
            context.Output.WriteLine($"{settings.ModelKind} on {settings.Dataset} ({run.TrainCount} examples), {settings.OptimizerName}, loss {settings.Trainer.Loss.Name}, eta = {G(result.LearningRate)} (2/eta = {G(2 / result.LearningRate)})");
            context.Output.WriteLine($"stopped after {Words.Count(result.StepsCompleted, "step")} ({Words.StopReason(result.StopReason)}){(result.Diverged ? $", diverged at step {result.DivergedAtStep}" : string.Empty)}: loss {G(last.Loss)}, accuracy {G(last.Accuracy)}");
            if (lastMeasurement is not null)
            {
                context.Output.WriteLine($"sharpness: initial {G(result.InitialSharpness)}, last {G(lastMeasurement.Sharpness)} at step {lastMeasurement.Step}; {Words.Count(result.Measurements.Count, "measurement")}, {result.Measurements.Sum(m => m.Matvecs)} Hessian-vector products");
            }

            context.Output.WriteLine($"wrote {string.Join(", ", written)} and manifest.json in {folder.Path}");
        }

        return ExitCodes.Success;
    }
}
