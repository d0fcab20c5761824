using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Data;
using Sharpness.Nets.Tests.TestSupport;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Data;

/// <summary>The .npy reader on files written by numpy.save (tests/Fixtures/TorchScript/make_fixtures.py).</summary>
public sealed class NpyArrayTests
{
    [Fact]
    public void ArraysSavedByNumPyReadBackWithTheirTypesShapesAndValues()
    {
        using var scope = NewDisposeScope();
        var entries = Safetensors.ReadEntries(File.ReadAllBytes(TorchScriptFixture.PathOf("mlp.safetensors")));
        Tensor expectedInputs = entries.Single(e => e.Name == "inputs").ToTensor();
        Tensor oneHot = entries.Single(e => e.Name == "targets").ToTensor();

        Tensor inputs = NpyArray.Read(TorchScriptFixture.PathOf("mlp_inputs.npy"));
        Tensor labels = NpyArray.Read(TorchScriptFixture.PathOf("mlp_labels.npy"));

        Assert.Equal(ScalarType.Float32, inputs.dtype);
        Assert.Equal(new long[] { 24, 6 }, inputs.shape);
        Assert.True(inputs.equal(expectedInputs).all().item<bool>());
        Assert.Equal(ScalarType.Int64, labels.dtype);
        Assert.Equal(new long[] { 24 }, labels.shape);
        Assert.True(labels.equal(oneHot.argmax(1)).all().item<bool>());
    }

    [Theory]
    [InlineData("fortran.npy", "Fortran order")]
    [InlineData("big_endian.npy", "'>f8'")]
    [InlineData("mlp.safetensors", "is not an .npy file")]
    public void ArraysTheReaderCannotTakeAreRefusedWithTheReason(string file, string words)
    {
        var e = Assert.Throws<DatasetException>(() => NpyArray.Read(TorchScriptFixture.PathOf(file)));

        Assert.Contains(words, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(TorchScriptFixture.PathOf(file), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedFileIsRefused()
    {
        byte[] content = File.ReadAllBytes(TorchScriptFixture.PathOf("mlp_inputs.npy"));
        string path = Path.Combine(Path.GetTempPath(), $"truncated-{Guid.NewGuid():N}.npy");
        File.WriteAllBytes(path, content[..^8]);

        var e = Assert.Throws<DatasetException>(() => NpyArray.Read(path));

        Assert.Contains("should hold 576 data bytes", e.Message, StringComparison.Ordinal);
    }
}
