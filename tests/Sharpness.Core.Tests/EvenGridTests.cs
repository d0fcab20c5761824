using CsCheck;

namespace Sharpness.Core.Tests;

public class EvenGridTests
{
    [Fact]
    public void OrdinaryEndsGiveExactlyTheFormulaEverySweepUsed()
    {
        Gen.Select(Gen.Double[-1e6, 1e6], Gen.Double[-1e6, 1e6], Gen.Int[2, 500]).Sample((min, max, count) =>
        {
            double[] values = EvenGrid.Values(min, max, count);
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(min + ((max - min) * i / (count - 1)), values[i]);
            }
        });
    }

    [Theory]
    [InlineData(0.02, 1e308, 3)]
    [InlineData(-1.7e308, 1.7e308, 5)]
    [InlineData(0, 1.7976931348623157e308, 1000)]
    public void EndsNearTheLargestDoubleStayFiniteOrderedAndExactAtTheEnds(double min, double max, int count)
    {
        double[] values = EvenGrid.Values(min, max, count);

        Assert.All(values, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(min, values[0]);
        Assert.Equal(max, values[^1], max * 1e-15);
        for (int i = 1; i < count; i++)
        {
            Assert.True(values[i] >= values[i - 1]);
        }
    }

    [Fact]
    public void OneValueIsTheFirstEnd() => Assert.Equal([3.5], EvenGrid.Values(3.5, 9, 1));
}
