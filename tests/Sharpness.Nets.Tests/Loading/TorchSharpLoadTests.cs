using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Loading;

public sealed class TorchSharpLoadTests
{
    [Fact]
    public void Float64MatmulEqualsHandComputation()
    {
        using var scope = NewDisposeScope();
        var a = tensor(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3], ScalarType.Float64);
        var b = tensor(new double[] { 7, 8, 9, 10, 11, 12 }, [3, 2], ScalarType.Float64);
        double[] product = a.matmul(b).data<double>().ToArray();
        Assert.Equal([58.0, 64.0, 139.0, 154.0], product);
    }
}
