using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Checkpoints;

public sealed class SafetensorsTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void WeightsRoundTripExactlyUnderTheirParameterNames(ScalarType dtype)
    {
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 4, OutputDimension = 3, Depth = 3, Width = 5, Seed = 9, DType = dtype });

        byte[] file = Safetensors.Serialise(network, new Dictionary<string, string> { ["architecture"] = "{\"depth\": 3}" });
        var tensors = Safetensors.Read(file);

        var parameters = ParameterVector.Ordered(network);
        Assert.Equal(parameters.Select(p => p.Name), tensors.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, parameter) in parameters)
        {
            Assert.Equal(parameter.shape, tensors[name].Shape);
            double[] expected = parameter.to_type(ScalarType.Float64).data<double>().ToArray();
            Assert.Equal(expected, tensors[name].Values);
        }

        Assert.Equal("{\"depth\": 3}", Safetensors.Metadata(file)["architecture"]);
        ulong headerLength = BitConverter.ToUInt64(file, 0);
        Assert.Equal(0UL, (8 + headerLength) % 8);
    }

    [Fact]
    public void ATruncatedFileIsRejected() =>
        Assert.Throws<InvalidDataException>(() => Safetensors.Read([1, 0, 0, 0, 0, 0, 0, 0]));

    [Theory]
    [InlineData(ScalarType.Float32, 3, 5)]
    [InlineData(ScalarType.Float64, 4, 64)]
    public void TheEstimatedSizeBoundsTheFileFromAbove(ScalarType dtype, int depth, int width)
    {
        // The disk check before training uses the estimate: it must not be smaller than the file, nor much larger.
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 7, OutputDimension = 3, Depth = depth, Width = width, Seed = 1, DType = dtype });
        string architecture = ModelDescription.Describe(network).ToJsonString();
        long actual = Safetensors.Serialise(network, new Dictionary<string, string> { ["architecture"] = architecture }).LongLength;

        double estimate = Safetensors.EstimatedBytes(network);

        Assert.InRange(estimate, actual, actual + (64 * 1024));
    }
}
