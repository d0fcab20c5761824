using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Plots;
using Sharpness.Runs;
using Sharpness.Runs.Logging;
using Sharpness.Uv.Simulation;
using Spectre.Console;
using static TorchSharp.torch;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net train</c>: trains a real network by GD or SGD and tracks its Hessian sharpness
/// from exact Hessian-vector products, with the presets of the edge-of-stability and early-training
/// literature.
/// </summary>
public sealed class NetTrainCommand
{
    /// <summary>The per-step table.</summary>
    public const string MetricsFile = NetRun.MetricsFile;

    private readonly NetOptions _net = new();
    private readonly CheckpointOptions _checkpoints = new();
    private readonly Option<DirectoryInfo?> _tensorboard = new("--tensorboard") { Description = "Also write TensorBoard event files (loss, accuracy, sharpness, threshold) to this folder, outside --out; each run creates a new events.out.tfevents.TIME.HOST.PID.N file, never overwriting one." };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for metrics.csv, figures and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetTrainCommand();
        var command = new Command("train", "Train a real network (GD or SGD) with its Hessian sharpness tracked from exact Hessian-vector products.");
        d._net.Add(command);
        d._net.TorchScript.Add(command);
        foreach (Option option in d._checkpoints.All.Concat([d._tensorboard, d._out, d._json]))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        var settings = _net.Resolve(parse);
        var files = new List<string>(NetRun.Files);
        var plan = _checkpoints.Resolve(parse);
        if (settings.TorchScript is not null && plan.Steps.Count > 0)
        {
            throw new UsageException("--checkpoint-steps", "a TorchScript module is saved at the end of the run only (--checkpoint or --checkpoint-steps final).");
        }

        // A TorchScript module is saved as its own state_dict and model.pt (TorchScriptSource.WriteCheckpoint), not by the built-in models' writer.
        bool scriptCheckpoint = settings.TorchScript is not null && plan.Final;
        files.AddRange(scriptCheckpoint ? TorchScriptSource.CheckpointFiles : plan.Files);

        if (parse.GetValue(_tensorboard) is { } logs && RunDirectory.CheckOutside(logs.FullName, parse.GetValue(_out)!.FullName, "--out") is { } problem)
        {
            throw new UsageException("--tensorboard", problem);
        }

        var output = RunOutput.Prepare(parse.GetValue(_out)!, files);
        using var scope = NewDisposeScope();
        var splits = settings.LoadData();
        var (train, test) = settings.ExampleSets(splits);
        using NetworkModule model = settings.BuildModel(splits.Train);
        var config = settings.Trainer;
        NetRun.RequireDisk(output.Path, model, plan, config, settings.TopK);
        using var tensorboard = parse.GetValue(_tensorboard) is { } tbDir ? new TensorBoardWriter(tbDir.FullName) : null;
        var checkpoints = new CheckpointWriter(output, model, scriptCheckpoint ? new CheckpointPlan([], false) : plan);
        void Log(TrainingStepRecord record)
        {
            checkpoints.OnStep(record);
            tensorboard?.AddScalar("loss", record.Step, record.Loss);
            tensorboard?.AddScalar("accuracy", record.Step, record.Accuracy);
            if (record.Measurement is { } m)
            {
                tensorboard?.AddScalar("sharpness", record.Step, m.Sharpness);
                tensorboard?.AddScalar("threshold", record.Step, m.Threshold);
            }
        }

        TrainingResult result = NetRun.Train(model, config, train, test, context, string.Empty, Log);
        NetRun.WriteMetrics(output, result, settings.TopK);
        var written = new List<string> { MetricsFile };
        written.AddRange(scriptCheckpoint
            ? settings.TorchScript!.WriteCheckpoint(output, (TorchScriptNetwork)model)
            : checkpoints.Finish(result, settings.DataDescription(splits)));

        var configuration = settings.Configuration(splits, result.LearningRate);
        var results = NetRun.Results(result);
        written.InsertRange(1, NetRun.WriteFigures(output, configuration, results));
        output.Complete("net train", context, configuration, settings.Seed, started, results, written);

        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = configuration.DeepClone(), ["results"] = results.DeepClone(), ["out"] = output.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            var last = result.Records[^1];
            var lastMeasurement = result.Measurements.Count > 0 ? result.Measurements[^1] : null;
            string G(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
            context.Output.WriteLine($"{settings.ModelKind} on {settings.Dataset} ({splits.Train.Count} examples), {settings.OptimizerName}, loss {config.Loss.Name}, eta = {G(result.LearningRate)} (2/eta = {G(2 / result.LearningRate)})");
            context.Output.WriteLine($"stopped after {Words.Count(result.StepsCompleted, "step")} ({Words.StopReason(result.StopReason)}){(result.Diverged ? $", diverged at step {result.DivergedAtStep}" : string.Empty)}: loss {G(last.Loss)}, accuracy {G(last.Accuracy)}");
            if (lastMeasurement is not null)
            {
                context.Output.WriteLine($"sharpness: initial {G(result.InitialSharpness)}, last {G(lastMeasurement.Sharpness)} at step {lastMeasurement.Step}; {Words.Count(result.Measurements.Count, "measurement")}, {result.Measurements.Sum(m => m.Matvecs)} Hessian-vector products");
            }

            context.Output.WriteLine($"wrote {string.Join(", ", written)} and manifest.json in {output.Path}");
        }

        return ExitCodes.Success;
    }
}
