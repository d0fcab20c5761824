using System.Globalization;
using System.Text.Json;
using Sharpness.Nets.Checkpoints;

namespace Sharpness.Cli.Tests.Commands;

public class NetTrainCommandTests
{
    private static readonly string[] Small = ["net", "train", "--dataset", "synthetic", "--train-size", "120", "--test-size", "60", "--width", "16", "--lr", "0.2", "--steps", "30", "--sharpness-every", "5"];

    [Fact]
    public void TrainsWithSharpnessMeasuredEveryKStepsAndWritesTheRun()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run([.. Small, "--out", dir, "--checkpoint", "--json"]);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(30, results.GetProperty("steps_completed").GetInt32());
        Assert.Equal(7, results.GetProperty("measurements").GetInt32());
        string[] lines = File.ReadAllLines(Path.Combine(dir, "metrics.csv"));
        Assert.Equal(32, lines.Length);
        string[] header = lines[0].Split(',');
        Assert.Equal(["step", "loss", "accuracy", "lr", "sharpness", "threshold", "residual", "matvecs"], header[..8]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        foreach (var row in rows)
        {
            int step = int.Parse(row[0], CultureInfo.InvariantCulture);
            bool measured = row[4] != "nan";
            Assert.Equal(step % 5 == 0, measured);
            if (measured)
            {
                Assert.Equal(2 / 0.2, double.Parse(row[5], CultureInfo.InvariantCulture), 12);
                Assert.True(double.Parse(row[4], CultureInfo.InvariantCulture) > 0);
            }
        }

        var weights = Safetensors.Read(File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Contains(weights.Keys, k => k.EndsWith("weight", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(dir, "sharpness.png")));
        Assert.True(File.Exists(Path.Combine(dir, "manifest.json")));
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void TwoThreadsGiveTheSameRunUpToRounding()
    {
        string one = CliRunner.NewTemporaryFolder();
        string two = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, CliRunner.Run([.. Small, "--out", one]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. Small, "--threads", "2", "--out", two]).ExitCode);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(two, "manifest.json")));
        Assert.Equal(2, manifest.RootElement.GetProperty("configuration").GetProperty("threads").GetInt32());
        string[] a = File.ReadAllLines(Path.Combine(one, "metrics.csv")), b = File.ReadAllLines(Path.Combine(two, "metrics.csv"));
        Assert.Equal(a.Length, b.Length);
        for (int i = 1; i < a.Length; i++)
        {
            // loss and sharpness (columns 1 and 4) agree to float32 training's rounding
            foreach (int column in new[] { 1, 4 })
            {
                double x = double.Parse(a[i].Split(',')[column], CultureInfo.InvariantCulture), y = double.Parse(b[i].Split(',')[column], CultureInfo.InvariantCulture);
                Assert.True(x.Equals(y) || Math.Abs(x - y) <= 1e-4 * Math.Abs(x), $"step {i - 1}, column {column}: {x} vs {y}");
            }
        }

        // Every run sets the thread count it asks for (1 by default), so later runs are unaffected.
    }

    [Fact]
    public void SameSeedGivesIdenticalMetrics()
    {
        string a = CliRunner.NewTemporaryFolder();
        string b = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, CliRunner.Run([.. Small, "--seed", "4", "--out", a]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. Small, "--seed", "4", "--out", b]).ExitCode);

        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "metrics.csv")), File.ReadAllBytes(Path.Combine(b, "metrics.csv")));
    }

    [Fact]
    public void LearningRateConstantSetsEtaFromTheMeasuredInitialSharpness()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run(["net", "train", "--dataset", "synthetic", "--train-size", "80", "--width", "8", "--lr-constant", "1.5", "--steps", "3", "--sharpness-every", "1", "--out", dir, "--json"]);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(1.5, results.GetProperty("learning_rate").GetDouble() * results.GetProperty("initial_sharpness").GetDouble(), 9);
    }

    [Fact]
    public void DivergenceIsAResultWithTheDataKept()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run(["net", "train", "--dataset", "synthetic", "--train-size", "80", "--width", "8", "--lr", "50", "--steps", "200", "--sharpness-every", "0", "--out", dir, "--json"]);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("results").GetProperty("diverged").GetBoolean());
        Assert.True(File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Length >= 2);
    }

    [Fact]
    public void ConvolutionalNetworkTrainsOnFashionMnistImages()
    {
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist"))
        {
            Assert.Fail("Fashion-MNIST is not installed; scripts/setup.sh installs it (apt-get install dataset-fashion-mnist).");
        }

        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run(["net", "train", "--model", "cnn", "--width", "4", "--train-size", "16", "--test-size", "0", "--lr", "0.01", "--steps", "2", "--sharpness-every", "2", "--max-matvecs", "40", "--out", dir, "--json"]);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.GetProperty("results").GetProperty("measurements").GetInt32());
        var configuration = json.RootElement.GetProperty("configuration");
        Assert.Equal(16, configuration.GetProperty("train_size").GetInt32());
        Assert.Equal("cnn", configuration.GetProperty("model").GetString());
        // The CNN is Cohen et al.'s cnn-relu by default; the fully connected network's options do not apply.
        Assert.Equal("relu", configuration.GetProperty("activation").GetString());
        Assert.Equal("max", configuration.GetProperty("pooling").GetString());
        Assert.Equal(JsonValueKind.Null, configuration.GetProperty("depth").ValueKind);
        Assert.Equal(JsonValueKind.Null, configuration.GetProperty("param").ValueKind);
    }

    [Fact]
    public void ACnnCheckpointDescribesItsPoolingInputShapeAndData()
    {
        if (!Directory.Exists("/usr/share/datasets/fashion-mnist"))
        {
            Assert.Fail("Fashion-MNIST is not installed; scripts/setup.sh installs it (apt-get install dataset-fashion-mnist).");
        }

        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run(["net", "train", "--model", "cnn", "--width", "3", "--pooling", "avg", "--init", "torch", "--train-size", "8", "--test-size", "0",
            "--classes", "3,5", "--steps", "1", "--sharpness-every", "0", "--checkpoint", "--out", dir]);

        Assert.True(code == 0, error);
        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model.json")));
        var root = model.RootElement;
        Assert.Equal("cnn", root.GetProperty("model").GetString());
        Assert.Equal("avg", root.GetProperty("pooling").GetString());
        Assert.Equal("relu", root.GetProperty("activation").GetString());
        Assert.Equal([1, 28, 28], root.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("torch", root.GetProperty("initialisation").GetProperty("scheme").GetString());
        foreach (string key in new[] { "depth", "width", "parameterisation", "weight_multipliers", "output_multiplier" })
        {
            Assert.False(root.TryGetProperty(key, out _), key);
        }

        var ops = root.GetProperty("forward").EnumerateArray().Select(o => o.GetProperty("op").GetString()!).ToArray();
        Assert.Equal(["reshape", "conv2d", "relu", "avg_pool2d", "conv2d", "relu", "avg_pool2d", "flatten", "linear"], ops);
        var data = root.GetProperty("data");
        Assert.Equal("fashion-mnist", data.GetProperty("dataset").GetString());
        Assert.Equal(8, data.GetProperty("train_count").GetInt32());
        Assert.Equal([3, 5], data.GetProperty("classes").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("training-split", data.GetProperty("statistics").GetString());
        Assert.Equal(1, root.GetProperty("checkpoints").GetProperty("model.safetensors").GetInt32());
    }

    [Fact]
    public void CheckpointStepsSaveTheWeightsOfEachListedStepAndTheFinalOnes()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run([.. Small, "--dtype", "float64", "--checkpoint-steps", "0,7,final,99", "--out", dir]);

        Assert.True(code == 0, error);
        var step0 = Safetensors.Read(File.ReadAllBytes(Path.Combine(dir, "model-step-0.safetensors")));
        var step7 = Safetensors.Read(File.ReadAllBytes(Path.Combine(dir, "model-step-7.safetensors")));
        var final = Safetensors.Read(File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.False(File.Exists(Path.Combine(dir, "model-step-99.safetensors")));
        Assert.NotEqual(step0["layers.0.weight"].Values, step7["layers.0.weight"].Values);
        Assert.NotEqual(step7["layers.0.weight"].Values, final["layers.0.weight"].Values);

        // The step-0 weights are the initial weights of the same configuration: a zero-step run gives them as its final weights.
        string initial = CliRunner.NewTemporaryFolder();
        string[] zeroStepRun = [.. Small[..Array.IndexOf(Small, "--steps")], .. Small[(Array.IndexOf(Small, "--steps") + 2)..], "--steps", "0"];
        var (zeroCode, _, zeroError) = CliRunner.Run([.. zeroStepRun, "--dtype", "float64", "--checkpoint", "--out", initial]);
        Assert.True(zeroCode == 0, zeroError);
        var zeroSteps = Safetensors.Read(File.ReadAllBytes(Path.Combine(initial, "model.safetensors")));
        Assert.All(step0, p => Assert.Equal(zeroSteps[p.Key].Values, p.Value.Values));

        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model.json")));
        var checkpoints = model.RootElement.GetProperty("checkpoints");
        Assert.Equal(0, checkpoints.GetProperty("model-step-0.safetensors").GetInt32());
        Assert.Equal(7, checkpoints.GetProperty("model-step-7.safetensors").GetInt32());
        Assert.Equal(30, checkpoints.GetProperty("model.safetensors").GetInt32());
        Assert.Equal(3, checkpoints.EnumerateObject().Count());
        Assert.Equal("synthetic", model.RootElement.GetProperty("data").GetProperty("dataset").GetString());
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        Assert.Contains("model-step-7.safetensors", manifest.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public void TheEosPresetInitialisesAsPyTorchAndRecordsIt()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run(["net", "train", "--preset", "eos", "--dataset", "synthetic", "--train-size", "50", "--width", "12", "--steps", "0",
            "--sharpness-every", "0", "--accuracy-goal", "1", "--checkpoint", "--out", dir, "--json"]);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("torch", json.RootElement.GetProperty("configuration").GetProperty("init").GetString());
        var weights = Safetensors.Read(File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        // U(±1/sqrt(fan_in)): the biases are drawn too, and every value lies inside its layer's bound.
        Assert.Contains(weights["layers.0.bias"].Values, v => v != 0);
        Assert.All(weights["layers.0.weight"].Values, v => Assert.InRange(Math.Abs(v), 0, 1 / Math.Sqrt(20)));
        Assert.All(weights["layers.1.bias"].Values, v => Assert.InRange(Math.Abs(v), 0, 1 / Math.Sqrt(12)));
    }

    [Theory]
    [InlineData(new[] { "--init", "torch", "--param", "ntp" }, "--param")]
    [InlineData(new[] { "--init", "torch", "--init-scale", "2" }, "--init-scale")]
    [InlineData(new[] { "--preset", "eos", "--param", "mup-abc" }, "--param")]
    [InlineData(new[] { "--init", "uniform" }, "--init")]
    [InlineData(new[] { "--param", "mup" }, "--param")]
    [InlineData(new[] { "--model", "cnn", "--zero-readout" }, "--zero-readout")]
    [InlineData(new[] { "--model", "myrtle", "--output-multiplier", "2" }, "--output-multiplier")]
    [InlineData(new[] { "--model", "cnn", "--param", "ntp" }, "--param")]
    [InlineData(new[] { "--model", "cnn", "--depth", "4" }, "--depth")]
    [InlineData(new[] { "--pooling", "avg" }, "--pooling")]
    [InlineData(new[] { "--out-exp", "1e400" }, "--out-exp")]
    [InlineData(new[] { "--output-multiplier", "0" }, "--output-multiplier")]
    [InlineData(new[] { "--checkpoint-steps", "3,x" }, "--checkpoint-steps")]
    [InlineData(new[] { "--checkpoint-steps", "-1" }, "--checkpoint-steps")]
    [InlineData(new[] { "--standardise", "per-feature" }, "--standardise")]
    public void MeaninglessModelCombinationsExitWithTwoNamingTheOption(string[] options, string named)
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run(["net", "train", "--dataset", "synthetic", .. options, "--out", dir]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: " + named, error.Trim());
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(Directory.Exists(dir));
    }

    [Theory]
    [InlineData("--model", "rnn")]
    [InlineData("--loss", "hinge")]
    [InlineData("--optimizer", "adam")]
    [InlineData("--momentum", "1.5")]
    [InlineData("--lr", "-1")]
    [InlineData("--preset", "fast")]
    [InlineData("--dtype", "float16")]
    [InlineData("--dataset", "imagenet")]
    public void BadOptionsExitWithTwoAndWriteNothing(string option, string value)
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run(["net", "train", "--dataset", "synthetic", option, value, "--out", dir]);

        Assert.Equal(2, code);
        Assert.Contains(option, error);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void MissingDatasetFilesNameTheFile()
    {
        string empty = CliRunner.NewTemporaryFolder();
        Directory.CreateDirectory(empty);
        var (code, _, error) = CliRunner.Run(["net", "train", "--dataset", "mnist", "--data-dir", empty, "--out", CliRunner.NewTemporaryFolder()]);

        Assert.Equal(2, code);
        Assert.Contains("--data-dir", error);
        Assert.Contains(empty, error);
    }
}
