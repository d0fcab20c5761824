using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Parameters;

public sealed class ParameterVectorTests
{
    private static FullyConnectedConfig Small(ScalarType dtype) => new()
    {
        InputDimension = 3,
        OutputDimension = 2,
        Depth = 3,
        Width = 4,
        Seed = 7,
        DType = dtype,
    };

    [Fact]
    public void ParametersAreOrderedByNameWithOrdinalComparison()
    {
        using var network = new FullyConnectedNetwork(Small(ScalarType.Float64));

        var names = ParameterVector.Ordered(network).Select(p => p.Name).ToArray();

        Assert.Equal(["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight", "layers.2.bias", "layers.2.weight"], names);
    }

    [Fact]
    public void TheFlatVectorIsTheParametersRowMajorInNameOrder()
    {
        using var uv = new UvModule(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }, [7, 8], normaliser: 2);

        Assert.Equal([1.0, 2, 3, 4, 5, 6, 7, 8], ParameterVector.Flatten(uv));
        Assert.Equal(8, ParameterVector.Count(uv));
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void FlattenAfterUnflattenReturnsTheSameVector(ScalarType dtype)
    {
        using var network = new FullyConnectedNetwork(Small(dtype));
        int n = ParameterVector.Count(network);
        // Values exactly representable in float32, so the round trip is exact in both types.
        double[] theta = Enumerable.Range(0, n).Select(i => (i - 20) / 8.0).ToArray();

        ParameterVector.Unflatten(network, theta);

        Assert.Equal(theta, ParameterVector.Flatten(network));
        Assert.Equal(4 + (3 * 4) + 4 + 16 + 2 + 8, n);
    }

    [Fact]
    public void Float32ParametersWidenExactly()
    {
        using var single = new FullyConnectedNetwork(Small(ScalarType.Float32));

        double[] theta = ParameterVector.Flatten(single);

        Assert.All(theta, t => Assert.Equal(t, (double)(float)t));
        Assert.Contains(theta, t => t != 0);
    }

    [Fact]
    public void WrongLengthsAreRejected()
    {
        using var network = new FullyConnectedNetwork(Small(ScalarType.Float64));
        int n = ParameterVector.Count(network);

        Assert.Throws<ArgumentException>(() => ParameterVector.Unflatten(network, new double[n + 1]));
        Assert.Throws<ArgumentException>(() => ParameterVector.Flatten(network, new double[n - 1]));
    }

    [Fact]
    public void CopyValuesRequiresTheSameArchitecture()
    {
        using var a = new FullyConnectedNetwork(Small(ScalarType.Float64));
        using var b = new FullyConnectedNetwork(Small(ScalarType.Float64) with { Width = 5 });
        using var c = new FullyConnectedNetwork(Small(ScalarType.Float64) with { Bias = false });

        Assert.Throws<ArgumentException>(() => ParameterVector.CopyValues(a, b));
        Assert.Throws<ArgumentException>(() => ParameterVector.CopyValues(a, c));
    }

    [Fact]
    public void UnflattenDoesNotRecordGradients()
    {
        using var network = new FullyConnectedNetwork(Small(ScalarType.Float64));

        ParameterVector.Unflatten(network, new double[ParameterVector.Count(network)]);

        Assert.All(ParameterVector.Ordered(network), p =>
        {
            Assert.True(p.Parameter.requires_grad);
            Assert.True(p.Parameter.is_leaf);
        });
    }
}
