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
        Assert.Equal(16, json.RootElement.GetProperty("configuration").GetProperty("train_size").GetInt32());
        Assert.Equal("cnn", json.RootElement.GetProperty("configuration").GetProperty("model").GetString());
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
