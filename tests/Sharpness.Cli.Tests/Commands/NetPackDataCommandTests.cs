using Sharpness.Nets.Checkpoints;

namespace Sharpness.Cli.Tests.Commands;

/// <summary><c>net pack-data</c> on arrays saved by numpy.save: the file it writes holds the same tensors as the one PyTorch's fixture script wrote.</summary>
public class NetPackDataCommandTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "TorchScript", file);

    [Fact]
    public void PackedArraysGiveTheSameSpectrumAsTheSafetensorsFileWrittenInPython()
    {
        string file = Path.Combine(CliRunner.NewTemporaryFolder() + ".safetensors");
        var (code, output, error) = CliRunner.Run("net", "pack-data", "--inputs", Fixture("mlp_inputs.npy"), "--targets", Fixture("mlp_labels.npy"), "--out", file);

        Assert.True(code == 0, error);
        Assert.Contains("'inputs' Float32 [24, 6], 'targets' Int64 [24]", output, StringComparison.Ordinal);
        var packed = Safetensors.ReadEntries(File.ReadAllBytes(file));
        var original = Safetensors.ReadEntries(File.ReadAllBytes(Fixture("mlp.safetensors")));
        Assert.Equal(original.Single(e => e.Name == "inputs").Data.ToArray(), packed.Single(e => e.Name == "inputs").Data.ToArray());

        // Class indices and the one-hot rows of the fixture are the same targets for mse-sum.
        var fromPacked = CliRunner.Run("net", "spectrum", "--torchscript", Fixture("mlp.pt"), "--data", file, "--json");
        var fromOriginal = CliRunner.Run("net", "spectrum", "--torchscript", Fixture("mlp.pt"), "--data", Fixture("mlp.safetensors"), "--json");
        Assert.Equal(0, fromPacked.ExitCode);
        string Eigenvalues(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("eigenvalues").GetRawText();
        Assert.Equal(Eigenvalues(fromOriginal.Output), Eigenvalues(fromPacked.Output));
    }

    [Theory]
    [InlineData("fortran.npy", "mlp_labels.npy", "--inputs", "Fortran order")]
    [InlineData("mlp_labels.npy", "mlp_labels.npy", "--inputs", "expected a floating-point array [N, ...]")]
    [InlineData("mlp_inputs.npy", "fortran.npy", "--targets", "Fortran order")]
    [InlineData("mlp_inputs.npy", "big_endian.npy", "--targets", "'>f8'")]
    public void BadArraysAreOneLineNamingTheOption(string inputs, string targets, string option, string words)
    {
        string file = CliRunner.NewTemporaryFolder() + ".safetensors";
        var (code, _, error) = CliRunner.Run("net", "pack-data", "--inputs", Fixture(inputs), "--targets", Fixture(targets), "--out", file);

        Assert.Equal(2, code);
        Assert.StartsWith($"error: {option}: ", error, StringComparison.Ordinal);
        Assert.Contains(words, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(file));
    }
}
