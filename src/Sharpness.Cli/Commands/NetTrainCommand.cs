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
    private readonly Option<bool> _checkpoint = new("--checkpoint") { Description = "Save the final weights as model.safetensors with the architecture in model.json (with --torchscript: every parameter and buffer under the module's names, and the trained module as model.pt)." };
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
        foreach (Option option in new Option[] { d._checkpoint, d._tensorboard, d._out, d._json })
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
        bool checkpoint = parse.GetValue(_checkpoint);
        if (checkpoint)
        {
            files.AddRange(settings.TorchScript is null ? ["model.safetensors", "model.json"] : TorchScriptSource.CheckpointFiles);
        }

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
        using var tensorboard = parse.GetValue(_tensorboard) is { } tbDir ? new TensorBoardWriter(tbDir.FullName) : null;
        void Log(TrainingStepRecord record)
        {
            tensorboard?.AddScalar("loss", record.Step, record.Loss);
            tensorboard?.AddScalar("accuracy", record.Step, record.Accuracy);
            if (record.Measurement is { } m)
            {
                tensorboard?.AddScalar("sharpness", record.Step, m.Sharpness);
                tensorboard?.AddScalar("threshold", record.Step, m.Threshold);
            }
        }

        TrainingResult result = NetRun.Train(model, config, train, test, context, string.Empty, tensorboard is null ? null : Log);
        NetRun.WriteMetrics(output, result, settings.TopK);
        var written = new List<string> { MetricsFile };
        if (checkpoint)
        {
            written.AddRange(model is TorchScriptNetwork script
                ? settings.TorchScript!.WriteCheckpoint(output, script)
                : WriteCheckpoint(output, model, settings.ModelKind, settings.Depth, settings.Width, settings.Activation, settings.Bias, settings.Parameterisation, settings.DType));
        }

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

    private static IEnumerable<string> WriteCheckpoint(RunOutput output, NetworkModule model, string kind, int depth, int width, Activation activation, bool bias, NetworkParameterisation parameterisation, ScalarType dtype)
    {
        var architecture = new JsonObject
        {
            ["model"] = kind,
            ["input_dimension"] = model.InputDimension,
            ["output_dimension"] = model.OutputDimension,
            ["depth"] = depth,
            ["width"] = width,
            ["activation"] = activation.ToString().ToLowerInvariant(),
            ["bias"] = bias,
            ["param"] = parameterisation.ToString().ToLowerInvariant(),
            ["dtype"] = dtype.ToString().ToLowerInvariant(),
            // fc forward pass: x ← act(W_l (m_l x) + b_l) for each layer l (no act after the last), output × multiplier.
            ["weight_multipliers"] = model is FullyConnectedNetwork fc
                ? new JsonArray(Enumerable.Range(0, fc.Config.Depth).Select(l => (JsonNode?)JsonValue.Create(fc.Config.WeightMultiplier(l))).ToArray())
                : null,
            ["output_multiplier"] = model is FullyConnectedNetwork fc2 ? fc2.Config.OutputMultiplier : null,
            ["parameters"] = new JsonArray(Nets.Parameters.ParameterVector.Ordered(model).Select(p => (JsonNode?)new JsonObject
            {
                ["name"] = p.Name,
                ["shape"] = new JsonArray(p.Parameter.shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            }).ToArray()),
        };
        string json = architecture.ToJsonString(JsonOutput.Options);
        output.WriteBytes("model.safetensors", Safetensors.Serialise(model, new Dictionary<string, string> { ["architecture"] = json }));
        output.WriteText("model.json", json + "\n");
        return ["model.safetensors", "model.json"];
    }
}
