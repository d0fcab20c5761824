using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;

namespace Sharpness.Experiments.Tests.Runs;

/// <summary>
/// A trained run opened again from the library: the network rebuilt from the settings the caller reads back and the
/// checkpoint, checked against the loss the training recorded; every refusal names <c>--run</c>.
/// </summary>
public sealed class TrainedRunTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));

    private static NetworkOptions Small => new() { Dataset = "synthetic", TrainSize = 60, TestSize = 20, Width = 8, Lr = 0.1, Steps = 6, SharpnessEvery = 0 };

    private string Train()
    {
        string folder = Path.Combine(_root, "train");
        var settings = Small.Resolve();
        var plan = new CheckpointPlan([], true);
        NetTrainWriter.Run(NetTrainWriter.Prepare(folder, settings, plan), settings, plan);
        return folder;
    }

    [Fact]
    public void TheRebuiltNetworkHasTheRecordedLossAndItsProvenanceNamesTheCheckpoint()
    {
        string folder = Train();
        JsonObject? configuration = null;

        using var run = TrainedRun.Open(folder, (_, c) => { configuration = c; return Small.Resolve(); });

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, RunDirectory.ManifestFileName)))!;
        double recorded = manifest["results"]!["final_loss"]!.GetValue<double>();
        Assert.True(JsonNode.DeepEquals(manifest["configuration"], configuration));
        Assert.Equal(recorded, run.RecomputedLoss, recorded * TrainedRun.LossTolerance);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, "model.safetensors")))), run.Provenance["checkpoint_sha256"]!.GetValue<string>());
        Assert.Equal(60, run.Train.Count);
    }

    [Fact]
    public void ANetworkThatDoesNotComputeTheRunsLossIsRefused()
    {
        string folder = Train();

        // Other training examples: the same architecture loads the weights but gives another loss.
        var e = Assert.Throws<InvalidOptionException>(() => TrainedRun.Open(folder, (_, _) => (Small with { TrainSize = 50 }).Resolve()));

        Assert.Equal("--run", e.Option);
        Assert.Contains("does not reproduce the run", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderWithoutAFinishedRunOrWithoutACheckpointIsRefused()
    {
        Directory.CreateDirectory(_root);
        var missing = Assert.Throws<InvalidOptionException>(() => TrainedRun.Open(_root, (_, _) => throw new InvalidOperationException("not reached")));
        Assert.Equal(("--run", $"'{_root}' holds no finished run (manifest.json is missing)."), (missing.Option, missing.Message));

        string folder = Train();
        File.Delete(Path.Combine(folder, "model.safetensors"));
        var noCheckpoint = Assert.Throws<InvalidOptionException>(() => TrainedRun.Open(folder, (_, _) => throw new InvalidOperationException("not reached")));
        Assert.Equal("--run", noCheckpoint.Option);
        Assert.Contains("has no checkpoint", noCheckpoint.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
