using Sharpness.Nets.Tensors;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Tensors;

public sealed class FlatVectorsTests
{
    private static double[] Values(int n) => Enumerable.Range(0, n).Select(i => Math.Sqrt(i + 1) * (i % 2 == 0 ? 1 : -1)).ToArray();

    private static double[] ElementByElement(Tensor t)
    {
        Tensor flat = t.to(ScalarType.Float64).reshape(-1);
        return Enumerable.Range(0, (int)flat.numel()).Select(i => flat[i].item<double>()).ToArray();
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    public void SplitGivesPiecesShapedLikeTheTensorsInOrder(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        Tensor[] like = [zeros(2, 3), zeros(4), zeros(1, 2, 2)];
        double[] source = Values(14);

        Tensor[] pieces = FlatVectors.Split(source, like, dtype);

        Assert.Equal([[2L, 3], [4L], [1L, 2, 2]], pieces.Select(p => p.shape));
        Assert.All(pieces, p => Assert.Equal(dtype, p.dtype));
        double[] read = pieces.SelectMany(ElementByElement).ToArray();
        double tolerance = dtype == ScalarType.Float64 ? 0 : 1e-6;
        Assert.Equal(source.Length, read.Length);
        for (int i = 0; i < source.Length; i++)
        {
            Assert.Equal(source[i], read[i], tolerance);
        }
    }

    [Fact]
    public void CopyToReadsViewsWithAnOffsetTransposesAndFloat32()
    {
        using var scope = NewDisposeScope();
        Tensor matrix = tensor(Values(12), [3, 4], ScalarType.Float64);
        Tensor[] pieces = [matrix.narrow(0, 1, 2), matrix.t(), matrix.to(ScalarType.Float32), matrix.narrow(1, 2, 1)];
        double[] expected = pieces.SelectMany(ElementByElement).ToArray();
        var destination = new double[expected.Length];

        FlatVectors.CopyTo(pieces, destination);

        Assert.Equal(expected, destination);
    }

    [Fact]
    public void SplitThenCopyToIsTheIdentityInFloat64()
    {
        using var scope = NewDisposeScope();
        Tensor[] like = [zeros(5, 7), zeros(3)];
        double[] source = Values(38);
        var back = new double[38];

        FlatVectors.CopyTo(FlatVectors.Split(source, like, ScalarType.Float64), back);

        Assert.Equal(source, back);
    }

    [Fact]
    public void WrongLengthsAreRefusedWithTheExpectedSize()
    {
        using var scope = NewDisposeScope();
        Tensor[] like = [zeros(2, 3)];

        var split = Assert.Throws<ArgumentException>(() => FlatVectors.Split(new double[5], like, ScalarType.Float64));
        var copy = Assert.Throws<ArgumentException>(() => FlatVectors.CopyTo(like, new double[7]));

        Assert.Contains("Expected 6 values", split.Message);
        Assert.Contains("room for 6 values", copy.Message);
    }
}
