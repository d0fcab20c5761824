using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Runs;
using static TorchSharp.torch;

namespace Sharpness.Cli.Commands;

/// <summary>
/// A finished <c>net train</c> run with a checkpoint, opened again: its network rebuilt from the manifest's settings
/// (or, for a TorchScript run, the trained module it saved), its weights from model.safetensors, and its training
/// examples; checked by recomputing the run's final loss.
/// </summary>
/// <remarks>
/// The settings are read back by handing every key of the manifest's configuration to the options of <c>net train</c>
/// whose name it carries (<c>train_size</c> → <c>--train-size</c>, <c>bias: false</c> → <c>--no-bias</c>), so new
/// options of <c>net train</c> are read back without changes here. The recomputed loss guards that: a network that
/// does not compute what the run's did (a setting not read back, a changed data file) gives another loss and is
/// refused.
/// </remarks>
internal sealed class TrainedRun : IDisposable
{
    /// <summary>Relative difference allowed between the recomputed (float64) and the recorded (training's type, float32 by default) final loss.</summary>
    public const double LossTolerance = 1e-5;

    // Keys that are results, descriptions or process settings rather than options that decide the network and data.
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal)
    {
        "preset", "lr", "lr_constant", "blas", "threads", "torchscript", "model",
    };

    private readonly DatasetSplits _splits;

    private TrainedRun(string folder, NetworkModule model, DatasetSplits splits, NetworkSettings settings, JsonObject provenance)
    {
        Folder = folder;
        Model = model;
        _splits = splits;
        Settings = settings;
        Provenance = provenance;
    }

    /// <summary>The run folder.</summary>
    public string Folder { get; }

    /// <summary>The network at the checkpoint's weights.</summary>
    public NetworkModule Model { get; }

    /// <summary>The run's training examples.</summary>
    public Dataset Train => _splits.Train;

    /// <summary>The run's resolved settings (loss, measurement set size, ...).</summary>
    public NetworkSettings Settings { get; }

    /// <summary>Where the network came from, for a manifest: the folder, the checkpoint's SHA-256, the recorded and recomputed losses.</summary>
    public JsonObject Provenance { get; }

    /// <summary>Opens the run in <paramref name="folder"/>.</summary>
    /// <exception cref="UsageException">The folder holds no finished net train run with a checkpoint, or its network cannot be rebuilt exactly (named as --run).</exception>
    public static TrainedRun Open(string folder, CliContext context)
    {
        string manifestPath = Path.Combine(folder, RunDirectory.ManifestFileName);
        string checkpoint = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(manifestPath))
        {
            throw new UsageException("--run", $"'{folder}' holds no finished run ({RunDirectory.ManifestFileName} is missing).");
        }

        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(Sharpness.Runs.Safety.BoundedFile.ReadAllText(manifestPath, Sharpness.Runs.Safety.FileKindLimit.Manifest))!.AsObject();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or Sharpness.Runs.Safety.InputFileException)
        {
            throw new UsageException("--run", $"'{manifestPath}' is not a manifest ({e.Message}).");
        }

        if (manifest["command"]?.GetValue<string>() != "net train" || manifest["configuration"] is not JsonObject configuration)
        {
            throw new UsageException("--run", $"'{folder}' is not a net train run (its manifest is from '{manifest["command"]}').");
        }

        if (!File.Exists(checkpoint))
        {
            throw new UsageException("--run", $"'{folder}' has no checkpoint (model.safetensors): train with --checkpoint.");
        }

        var net = new NetOptions();
        var command = new Command("train");
        net.Add(command);
        net.TorchScript.Add(command);
        var arguments = new List<string>();
        bool torchScript = configuration["model"]?.GetValue<string>() == "torchscript";
        if (torchScript)
        {
            arguments.AddRange(["--torchscript", Path.Combine(folder, "model.pt")]);
        }

        foreach (var (key, value) in configuration)
        {
            string name = "--" + key.Replace('_', '-');
            if (value is null || Skipped.Contains(key) || (key == "dataset" && configuration["data"] is not null))
            {
                continue;
            }

            if (key == "bias" && value.GetValueKind() == JsonValueKind.False)
            {
                arguments.Add("--no-bias");
                continue;
            }

            if (command.Options.FirstOrDefault(o => o.Name == name) is not { } option)
            {
                continue;
            }

            switch (value.GetValueKind())
            {
                case JsonValueKind.True when option is Option<bool>:
                    arguments.Add(name);
                    break;
                case JsonValueKind.String:
                    arguments.AddRange([name, value.GetValue<string>()]);
                    break;
                case JsonValueKind.Number:
                    arguments.AddRange([name, value.GetValue<double>().ToString("R", CultureInfo.InvariantCulture)]);
                    break;
            }
        }

        ParseResult parse = command.Parse(arguments);
        if (parse.Errors.Count > 0)
        {
            throw new UsageException("--run", $"the settings of '{folder}' cannot be read back ({parse.Errors[0].Message}).");
        }

        NetworkSettings settings;
        try
        {
            settings = net.Resolve(parse);
        }
        catch (Sharpness.Experiments.InvalidOptionException e)
        {
            throw new UsageException("--run", $"the settings of '{folder}' cannot be used ({e.Option}: {e.Message})");
        }

        if (configuration["data_sha256"]?.GetValue<string>() is { } dataSha256 && settings.TorchScript?.DataFile is { } dataFile
            && (!File.Exists(dataFile) || Convert.ToHexStringLower(CheckpointWeights.Sha256(dataFile)) != dataSha256))
        {
            throw new UsageException("--run", $"the run's data file '{dataFile}' is missing or has changed since the run (its SHA-256 differs).");
        }

        DatasetSplits splits = settings.LoadData();
        NetworkModule? model = null;
        try
        {
            model = settings.BuildModel(splits.Train);
            byte[] weights = CheckpointWeights.Read(checkpoint);
            CheckpointWeights.Load(model, weights, checkpoint);
            double recorded = manifest["results"]?["final_loss"]?.GetValue<double>() ?? double.NaN;
            // In float64 on a copy: the recorded loss is float32 training's, so they agree to float32's rounding.
            using var scope = NewDisposeScope();
            using var loss = new AutogradHessianOperator(model, settings.Trainer.Loss, splits.Train.Inputs, splits.Train.TargetsFor(settings.Trainer.Loss), settings.Trainer.PhysicalBatchSize);
            double recomputed = loss.LossValue();
            if (!(Math.Abs(recomputed - recorded) <= LossTolerance * Math.Abs(recorded)))
            {
                throw new UsageException(
                    "--run",
                    FormattableString.Invariant($"the network rebuilt from '{folder}' does not reproduce the run: its loss at the checkpoint is {recomputed:R}, the run recorded {recorded:R}."));
            }

            var provenance = new JsonObject
            {
                ["run"] = Path.GetFullPath(folder),
                ["checkpoint_sha256"] = Convert.ToHexStringLower(SHA256.HashData(weights)),
                ["run_final_loss"] = recorded,
                ["recomputed_final_loss"] = recomputed,
                ["run_model"] = configuration["model"]?.DeepClone(),
            };
            context.Error.WriteLine(FormattableString.Invariant($"net spectrum: the {configuration["model"]} network of {folder} at its checkpoint (final loss {recomputed:G6}, as recorded)"));
            return new TrainedRun(folder, model, splits, settings, provenance);
        }
        catch
        {
            model?.Dispose();
            splits.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Model.Dispose();
        _splits.Dispose();
    }
}
