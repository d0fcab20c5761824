using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Core.Tests.TestSupport;

namespace Sharpness.Core.Tests.LinearAlgebra;

public class ScaledOperatorTests
{
    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(2.5, 0.0)]
    [InlineData(-1.0, 3.0)]
    [InlineData(0.0, -2.0)]
    public void ComputesScaleTimesAPlusShiftTimesInput(double scale, double shift)
    {
        var random = new DeterministicRandom(1);
        double[,] a = TestMatrices.Goe(9, random);
        var x = new double[9];
        random.FillGaussian(x);
        var op = new ScaledOperator(new DenseSymmetricOperator(a), scale, shift);

        double[] result = Vectors.Apply(op, x);

        double[] ax = Vectors.Apply(a, x);
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(scale * ax[i] + shift * x[i], result[i], 12);
        }

        Assert.Equal(9, op.Size);
        Assert.Equal(scale, op.Scale);
        Assert.Equal(shift, op.Shift);
    }

    [Fact]
    public void AppliesTheInnerOperatorOncePerCall()
    {
        var counting = new CountingOperator(new DenseSymmetricOperator(TestMatrices.Identity(4)));
        var op = new ScaledOperator(counting, 2, 1);

        Vectors.Apply(op, [1, 2, 3, 4]);
        Vectors.Apply(op, [1, 2, 3, 4]);

        Assert.Equal(2, counting.Count);
    }

    [Fact]
    public void RejectsNullAndNonFiniteArguments()
    {
        var inner = new DenseSymmetricOperator(TestMatrices.Identity(2));
        Assert.Equal("inner", Assert.Throws<ArgumentNullException>(() => new ScaledOperator(null!, 1)).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => new ScaledOperator(inner, double.NaN)).ParamName);
        Assert.Equal("shift", Assert.Throws<ArgumentOutOfRangeException>(() => new ScaledOperator(inner, 1, double.PositiveInfinity)).ParamName);
    }
}
