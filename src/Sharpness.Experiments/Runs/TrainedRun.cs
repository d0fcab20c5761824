using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Runs;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Runs;

/// <summary>
/// A finished <c>net train</c> run with a checkpoint, opened again: its network rebuilt from the manifest's settings
/// (or, for a TorchScript run, the trained module it saved), its weights from model.safetensors, and its training
/// examples; checked by recomputing the run's final loss. <c>net spectrum --run</c> measures the Hessian of such a run.
/// </summary>
/// <remarks>
/// The settings are read back from the manifest's configuration by the caller's reader (the command line hands every
/// key to the option of <c>net train</c> whose name it carries, so new options are read back without changes). The
/// recomputed loss guards that: a network that does not compute what the run's did (a setting not read back, a
/// changed data file) gives another loss and is refused.
/// </remarks>
public sealed class TrainedRun : IDisposable
{
    /// <summary>Relative difference allowed between the recomputed (float64) and the recorded (training's type, float32 by default) final loss.</summary>
    public const double LossTolerance = 1e-5;

    /// <summary>The option the errors name: the command line's <c>--run</c>.</summary>
    public const string Option = "--run";

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

    /// <summary>Where the network came from, for a manifest: the folder, the checkpoint's SHA-256, the recorded and recomputed losses, the run's model.</summary>
    public JsonObject Provenance { get; }

    /// <summary>The final loss recomputed at the checkpoint (float64), which matches the recorded one.</summary>
    public double RecomputedLoss => Provenance["recomputed_final_loss"]!.GetValue<double>();

    /// <summary>Opens the run in <paramref name="folder"/>.</summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="readSettings">Reads the run's settings back from (the folder, its manifest's configuration); throws <see cref="InvalidOptionException"/> naming <see cref="Option"/> when they cannot be.</param>
    /// <exception cref="InvalidOptionException">The folder holds no finished net train run with a checkpoint, or its network cannot be rebuilt exactly (<see cref="Option"/>).</exception>
    public static TrainedRun Open(string folder, Func<string, JsonObject, NetworkSettings> readSettings)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(readSettings);
        string manifestPath = Path.Combine(folder, RunDirectory.ManifestFileName);
        string checkpoint = Path.Combine(folder, "model.safetensors");
        if (!File.Exists(manifestPath))
        {
            throw new InvalidOptionException(Option, $"'{folder}' holds no finished run ({RunDirectory.ManifestFileName} is missing).");
        }

        JsonObject manifest;
        try
        {
            manifest = JsonNode.Parse(Sharpness.Runs.Safety.BoundedFile.ReadAllText(manifestPath, Sharpness.Runs.Safety.FileKindLimit.Manifest))!.AsObject();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or Sharpness.Runs.Safety.InputFileException)
        {
            throw new InvalidOptionException(Option, $"'{manifestPath}' is not a manifest ({e.Message}).");
        }

        if (manifest["command"]?.GetValue<string>() != "net train" || manifest["configuration"] is not JsonObject configuration)
        {
            throw new InvalidOptionException(Option, $"'{folder}' is not a net train run (its manifest is from '{manifest["command"]}').");
        }

        if (!File.Exists(checkpoint))
        {
            throw new InvalidOptionException(Option, $"'{folder}' has no checkpoint (model.safetensors): train with --checkpoint.");
        }

        NetworkSettings settings = readSettings(folder, configuration);
        if (configuration["data_sha256"]?.GetValue<string>() is { } dataSha256 && settings.TorchScript?.DataFile is { } dataFile
            && (!File.Exists(dataFile) || Convert.ToHexStringLower(CheckpointWeights.Sha256(dataFile)) != dataSha256))
        {
            throw new InvalidOptionException(Option, $"the run's data file '{dataFile}' is missing or has changed since the run (its SHA-256 differs).");
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
                throw new InvalidOptionException(
                    Option,
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
            return new TrainedRun(folder, model, splits, settings, provenance);
        }
        catch
        {
            model?.Dispose();
            splits.Dispose();
            throw;
        }
    }

    /// <summary>Releases the network and the data.</summary>
    public void Dispose()
    {
        Model.Dispose();
        _splits.Dispose();
    }
}
