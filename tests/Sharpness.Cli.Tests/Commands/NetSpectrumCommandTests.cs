using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Nets.Checkpoints;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>
/// <c>sharpness net spectrum</c> on TorchScript fixtures exported by PyTorch 1.13: the numbers PyTorch computed for them
/// (tests/Fixtures/TorchScript/make_fixtures.py), the run folder, and one line with exit code 2 for every bad input.
/// </summary>
public class NetSpectrumCommandTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "TorchScript", file);

    [Fact]
    public void TheJsonHoldsPyTorchsEigenvaluesAndTheRunFolderRecordsTheFilesHashes()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run(
            "net", "spectrum", "--torchscript", Fixture("attention.pt"), "--data", Fixture("attention.safetensors"), "--loss", "ce",
            "--top-k", "3", "--bottom-k", "1", "--tolerance", "1e-10", "--trace", "--trace-max-probes", "12", "--density", "--density-steps", "20",
            "--density-points", "500", "--out", dir, "--json");

        Assert.True(code == 0, error);
        var reference = JsonNode.Parse(File.ReadAllText(Fixture("attention.json")))!;
        double[] spectrum = reference["spectrum"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        using var json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        double[] eigenvalues = root.GetProperty("eigenvalues").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(3, eigenvalues.Length);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(spectrum[^(i + 1)], eigenvalues[i], 1e-8);
        }

        Assert.Equal(spectrum[0], root.GetProperty("bottom_eigenvalues")[0].GetDouble(), 1e-8);
        Assert.Equal(3, root.GetProperty("residuals").GetArrayLength());
        Assert.Equal(reference["gauss_newton_top"]!.GetValue<double>(), root.GetProperty("gauss_newton").GetProperty("eigenvalue").GetDouble(), 1e-8);
        Assert.Equal(reference["loss"]!.GetValue<double>(), root.GetProperty("loss").GetDouble(), 1e-12);
        Assert.Equal(12, root.GetProperty("trace").GetProperty("probes").GetInt32());
        Assert.True(root.GetProperty("trace").GetProperty("standard_error").GetDouble() > 0);
        Assert.Equal(Path.GetFullPath(dir), root.GetProperty("out").GetString());

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        JsonElement configuration = manifest.RootElement.GetProperty("configuration");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Fixture("attention.pt")))), configuration.GetProperty("torchscript_sha256").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Fixture("attention.safetensors")))), configuration.GetProperty("data_sha256").GetString());
        Assert.Equal("cross-entropy", configuration.GetProperty("loss").GetString());
        Assert.Equal(20, configuration.GetProperty("density_steps").GetInt32());
        foreach (string file in new[] { "eigenvalues.csv", "trace.csv", "density.csv", "density_nodes.csv", "density.png" })
        {
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        }

        string[] density = File.ReadAllLines(Path.Combine(dir, "density.csv"));
        Assert.Equal(501, density.Length);
        Assert.Equal("lambda,density,count", density[0]);
        double[][] rows = density.Skip(1).Select(l => l.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        double probability = 0, count = 0;
        for (int i = 1; i < rows.Length; i++)
        {
            probability += 0.5 * (rows[i][1] + rows[i - 1][1]) * (rows[i][0] - rows[i - 1][0]);
            count += 0.5 * (rows[i][2] + rows[i - 1][2]) * (rows[i][0] - rows[i - 1][0]);
        }

        Assert.Equal(1, probability, 1e-6);
        Assert.Equal(reference["parameter_count"]!.GetValue<int>(), count, 1e-3);
    }

    [Fact]
    public void WithoutOutNothingIsWrittenAndTheSummaryStatesTheLossConvention()
    {
        string cwd = Directory.GetCurrentDirectory();
        int before = Directory.GetFileSystemEntries(cwd).Length;
        var (code, output, error) = CliRunner.Run("net", "spectrum", "--torchscript", Fixture("mlp.pt"), "--data", Fixture("mlp.safetensors"));

        Assert.True(code == 0, error);
        Assert.Contains("mse-sum (0.5 * sum over outputs", output, StringComparison.Ordinal);
        Assert.Contains("Hessian top eigenvalues: 2.21968", output, StringComparison.Ordinal);
        Assert.Contains("Gauss-Newton (NTK) top eigenvalue: 2.26211", output, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFileSystemEntries(cwd).Length);
    }

    [Theory]
    [InlineData("mlp.json", "mlp.safetensors", "--torchscript", "not a TorchScript module")]
    [InlineData("needs_gpu.pt", "mlp.safetensors", "--torchscript", "needs a GPU")]
    [InlineData("cdist.pt", "mlp.safetensors", "--torchscript", "_cdist_backward")]
    [InlineData("random_output.pt", "mlp.safetensors", "--torchscript", "model.eval()")]
    [InlineData("mlp.pt", "two-targets", "--torchscript", "3 output(s) per example but the targets")]
    [InlineData("mlp.pt", "no-targets", "--data", "has no tensor named 'targets'")]
    [InlineData("mlp.pt", "mlp.pt", "--data", "is not a safetensors file")]
    [InlineData("mlp.pt", "residual.safetensors", "--torchscript", "forward failed on inputs of shape [2, 5]")]
    public void BadInputIsOneLineNamingTheOptionWithExitCode2AndNothingWritten(string model, string data, string option, string words)
    {
        string dir = CliRunner.NewTemporaryFolder();
        string dataFile = data switch
        {
            "two-targets" => WriteData(("inputs", MlpInputs()), ("targets", TorchSharp.torch.zeros(24, 2))),
            "no-targets" => WriteData(("inputs", MlpInputs()), ("labels", TorchSharp.torch.zeros(24, 3))),
            _ => Fixture(data),
        };

        var (code, output, error) = CliRunner.Run("net", "spectrum", "--torchscript", Fixture(model), "--data", dataFile, "--out", dir);

        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("net spectrum/", StringComparison.Ordinal)).ToArray();
        Assert.Single(lines);
        Assert.StartsWith($"error: {option}: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(words, lines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void AMissingModelOrDataIsAUsageError()
    {
        var (code, _, error) = CliRunner.Run("net", "spectrum", "--data", Fixture("mlp.safetensors"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --torchscript: ", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("net", "spectrum", "--torchscript", Fixture("mlp.pt"), "--top-k", "0");
        Assert.Equal(2, code);
        Assert.StartsWith("error: --data: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("builtin")]
    [InlineData("torchscript")]
    public void ARunFolderGivesTheSharpnessTheRunTrackedAtItsLastStep(string kind)
    {
        string run = CliRunner.NewTemporaryFolder();
        string[] train = kind == "builtin"
            ? ["net", "train", "--dataset", "synthetic", "--train-size", "80", "--test-size", "10", "--width", "12", "--lr", "0.2"]
            : ["net", "train", "--torchscript", Fixture("cnn.pt"), "--data", Fixture("cnn.safetensors"), "--loss", "ce", "--lr", "0.5"];
        var trained = CliRunner.Run([.. train, "--steps", "6", "--sharpness-every", "3", "--lanczos-tolerance", "1e-10", "--checkpoint", "--out", run]);
        Assert.True(trained.ExitCode == 0, trained.Error);
        string[] last = File.ReadAllLines(Path.Combine(run, "metrics.csv"))[^1].Split(',');
        double tracked = double.Parse(last[4], CultureInfo.InvariantCulture);

        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run("net", "spectrum", "--run", run, "--tolerance", "1e-10", "--out", dir, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(tracked, json.RootElement.GetProperty("eigenvalues")[0].GetDouble(), 1e-8);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        JsonElement configuration = manifest.RootElement.GetProperty("configuration");
        Assert.Equal(Path.GetFullPath(run), configuration.GetProperty("run").GetString());
        Assert.Equal(configuration.GetProperty("run_final_loss").GetDouble(), configuration.GetProperty("recomputed_final_loss").GetDouble(), 1e-6);
    }

    [Fact]
    public void ARunWithoutACheckpointOrWithChangedWeightsIsRefused()
    {
        string run = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, CliRunner.Run("net", "train", "--dataset", "synthetic", "--train-size", "40", "--test-size", "10", "--width", "8", "--steps", "2", "--sharpness-every", "0", "--out", run).ExitCode);

        var (code, _, error) = CliRunner.Run("net", "spectrum", "--run", run);
        Assert.Equal(2, code);
        Assert.StartsWith("error: --run: ", error, StringComparison.Ordinal);
        Assert.Contains("has no checkpoint", error, StringComparison.Ordinal);

        // Weights that are not the run's: the recomputed loss differs from the recorded one.
        string other = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, CliRunner.Run("net", "train", "--dataset", "synthetic", "--train-size", "40", "--test-size", "10", "--width", "8", "--steps", "2", "--seed", "5", "--sharpness-every", "0", "--checkpoint", "--out", other).ExitCode);
        File.Copy(Path.Combine(other, "model.safetensors"), Path.Combine(run, "model.safetensors"));
        (code, _, error) = CliRunner.Run("net", "spectrum", "--run", run);
        Assert.Equal(2, code);
        Assert.Contains("does not reproduce the run", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("net", "spectrum", "--run", other, "--torchscript", Fixture("mlp.pt"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --torchscript: excludes --run", error, StringComparison.Ordinal);
    }

    private static TorchSharp.torch.Tensor MlpInputs() =>
        Safetensors.ReadEntries(File.ReadAllBytes(Fixture("mlp.safetensors"))).Single(e => e.Name == "inputs").ToTensor();

    private static string WriteData(params (string Name, TorchSharp.torch.Tensor Value)[] tensors)
    {
        string path = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N") + ".safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Safetensors.Serialise(tensors));
        return path;
    }
}
