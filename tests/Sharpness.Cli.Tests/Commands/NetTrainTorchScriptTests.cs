using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Nets.Checkpoints;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>Runs only where Debian's Python has PyTorch (python3-torch), the live oracle of the checkpoint check.</summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public PyTorchFactAttribute()
    {
        if (!File.Exists(Python) || !Directory.Exists("/usr/lib/python3/dist-packages/torch"))
        {
            Skip = "Debian's python3-torch is not installed; the checkpoint is not loaded back into PyTorch.";
        }
    }
}

/// <summary>
/// <c>net train --torchscript</c> and <c>net eos --torchscript</c> on modules exported by PyTorch 1.13: the losses of
/// gradient descent (with and without momentum) equal torch.optim.SGD's on the same module, the tracked sharpness
/// equals the dense Hessian's top eigenvalue, and the checkpoint holds the module's state_dict under its names.
/// </summary>
public class NetTrainTorchScriptTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "TorchScript", file);

    private static double[] Column(string metrics, int column) =>
        File.ReadAllLines(metrics).Skip(1).Select(l => double.Parse(l.Split(',')[column], CultureInfo.InvariantCulture)).ToArray();

    [Theory]
    [InlineData("mlp", "mse-sum", "gradient_descent")]
    [InlineData("mlp", "mse-sum", "momentum")]
    [InlineData("cnn", "ce", "gradient_descent")]
    public void TheLossesAndTheFinalSharpnessEqualThoseOfTorchOptimSgd(string name, string loss, string run)
    {
        JsonNode reference = JsonNode.Parse(File.ReadAllText(Fixture(name + ".json")))![run]!;
        string lr = reference["lr"]!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture);
        string momentum = reference["momentum"]!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture);
        string dir = CliRunner.NewTemporaryFolder();

        var (code, _, error) = CliRunner.Run(
            "net", "train", "--torchscript", Fixture(name + ".pt"), "--data", Fixture(name + ".safetensors"), "--loss", loss, "--dtype", "float64",
            "--lr", lr, "--momentum", momentum, "--steps", "5", "--sharpness-every", "5", "--lanczos-tolerance", "1e-10", "--out", dir);

        Assert.True(code == 0, error);
        double[] losses = Column(Path.Combine(dir, "metrics.csv"), 1);
        double[] expected = reference["losses"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        Assert.Equal(expected.Length, losses.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - losses[i]) <= 1e-10 * expected[i], $"step {i}: {expected[i]:R} vs {losses[i]:R}");
        }

        double sharpness = Column(Path.Combine(dir, "metrics.csv"), 4)[^1];
        Assert.Equal(reference["final_top_eigenvalue"]!.GetValue<double>(), sharpness, 1e-8);
    }

    [Fact]
    public void TheCheckpointHoldsTheModulesStateDictUnderItsNamesAndTheTrainedModule()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run(
            "net", "train", "--torchscript", Fixture("cnn.pt"), "--data", Fixture("cnn.safetensors"), "--loss", "ce",
            "--lr", "0.5", "--steps", "3", "--sharpness-every", "3", "--checkpoint", "--out", dir, "--json");

        Assert.True(code == 0, error);
        var entries = Safetensors.ReadEntries(File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        var expected = JsonNode.Parse(File.ReadAllText(Fixture("cnn.json")))!["state_dict"]!.AsArray();
        Assert.Equal(expected.Select(e => e!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal), entries.Select(e => e.Name));
        foreach (JsonNode? e in expected)
        {
            var entry = entries.Single(x => x.Name == e!["name"]!.GetValue<string>());
            Assert.Equal(e!["shape"]!.AsArray().Select(d => d!.GetValue<long>()), entry.Shape);
            Assert.Equal(e["dtype"]!.GetValue<string>() switch { "float32" => "F32", "float64" => "F64", _ => "I64" }, entry.DType);
        }

        Assert.True(File.Exists(Path.Combine(dir, "model.pt")));
        using var json = JsonDocument.Parse(output);
        JsonElement configuration = json.RootElement.GetProperty("configuration");
        Assert.Equal("torchscript", configuration.GetProperty("model").GetString());
        Assert.Equal(64, configuration.GetProperty("torchscript_sha256").GetString()!.Length);
        Assert.Equal(JsonValueKind.Null, configuration.GetProperty("width").ValueKind);
    }

    [PyTorchFact]
    public void PyTorchLoadsTheCheckpointStrictlyAndGetsTheRunsFinalLoss()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run(
            "net", "train", "--torchscript", Fixture("cnn.pt"), "--data", Fixture("cnn.safetensors"), "--loss", "ce",
            "--lr", "0.5", "--steps", "4", "--sharpness-every", "0", "--checkpoint", "--out", dir);
        Assert.True(code == 0, error);

        var start = new ProcessStartInfo(PyTorchFactAttribute.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { Path.Combine(Root(), "bench", "pytorch", "torchscript_checkpoint_check.py"), dir })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string report = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, report);
        Assert.Contains("load_state_dict(model.safetensors)", report, StringComparison.Ordinal);
    }

    [Fact]
    public void NetEosTrainsTheModuleAtEveryLearningRateFromTheSameWeights()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run(
            "net", "eos", "--torchscript", Fixture("mlp.pt"), "--data", Fixture("mlp.safetensors"), "--lrs", "0.3,0.5", "--steps", "6",
            "--sharpness-every", "3", "--dtype", "float64", "--out", dir);

        Assert.True(code == 0, error);
        double initial = JsonNode.Parse(File.ReadAllText(Fixture("mlp.json")))!["spectrum"]!.AsArray()[^1]!.GetValue<double>();
        foreach (string folder in new[] { "eta-0.3", "eta-0.5" })
        {
            Assert.Equal(initial, Column(Path.Combine(dir, folder, "metrics.csv"), 4)[0], 1e-5);
        }

        double[] gd = JsonNode.Parse(File.ReadAllText(Fixture("mlp.json")))!["gradient_descent"]!["losses"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        double[] losses = Column(Path.Combine(dir, "eta-0.3", "metrics.csv"), 1);
        Assert.Equal(gd[5], losses[5], 1e-10);
        Assert.Contains("torchscript on mlp.safetensors", File.ReadAllText(Path.Combine(dir, "summary.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--width", "64" }, "--width", "has no effect with --torchscript")]
    [InlineData(new[] { "--init", "torch" }, "--init", "has no effect with --torchscript")]
    [InlineData(new[] { "--out-exp", "0.5" }, "--out-exp", "has no effect with --torchscript")]
    [InlineData(new[] { "--dataset", "synthetic" }, "--dataset", "excludes --data")]
    [InlineData(new[] { "--standardise", "per-example" }, "--standardise", "excludes --data")]
    [InlineData(new[] { "--input-shape", "5" }, "--input-shape", "has 5 values per example but the data has 6")]
    public void OptionsThatCannotApplyToATorchScriptModuleAreRefused(string[] extra, string option, string words)
    {
        var (code, _, error) = CliRunner.Run(["net", "train", "--torchscript", Fixture("mlp.pt"), "--data", Fixture("mlp.safetensors"), "--steps", "1", "--out", CliRunner.NewTemporaryFolder(), .. extra]);

        Assert.Equal(2, code);
        Assert.StartsWith($"error: {option}: ", error, StringComparison.Ordinal);
        Assert.Contains(words, error, StringComparison.Ordinal);
    }

    [Fact]
    public void DataWithoutTorchScriptIsRefused()
    {
        var (code, _, error) = CliRunner.Run("net", "train", "--data", Fixture("mlp.safetensors"), "--steps", "1", "--out", CliRunner.NewTemporaryFolder());

        Assert.Equal(2, code);
        Assert.StartsWith("error: --data: needs --torchscript", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AModuleTrainsOnAToolkitDatasetInItsImageShape()
    {
        // The CNN takes [B, 1, 8, 8]: synthetic images of that shape do not exist, so this uses the flat synthetic data
        // with the MLP, whose 6 inputs do not fit the 20 synthetic features: a clear forward error, not a crash.
        var (code, _, error) = CliRunner.Run("net", "train", "--torchscript", Fixture("mlp.pt"), "--dataset", "synthetic", "--train-size", "30", "--steps", "1", "--out", CliRunner.NewTemporaryFolder());

        Assert.Equal(2, code);
        Assert.StartsWith("error: --torchscript: ", error, StringComparison.Ordinal);
        Assert.Contains("forward failed on inputs of shape [2, 20]", error, StringComparison.Ordinal);
    }

    private static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sharpness.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
