using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class LearningRateConstantGridTests
{
    [Fact]
    public void TheGridIsGeometricWithTwoOnIt()
    {
        var grid = LearningRateConstantGrid.Create(0.5, 64, 0.1);

        // x = -1, -0.9, ..., 6: 71 values, c = 2 at x = 1 (index 20), exactly.
        Assert.Equal(71, grid.Count);
        Assert.Equal(0.5, grid[0]);
        Assert.Equal(2.0, grid[20]);
        Assert.Equal(64.0, grid[70], 12);
        for (int i = 1; i < grid.Count; i++)
        {
            Assert.Equal(Math.Pow(2, 0.1), grid[i] / grid[i - 1], 12);
        }
    }

    [Fact]
    public void TheLastValueDoesNotPassCMax()
    {
        var grid = LearningRateConstantGrid.Create(1, 10, 0.5);

        // x = 0, 0.5, ..., 3 (c = 8); 2^3.5 = 11.3 > 10.
        Assert.Equal(7, grid.Count);
        Assert.Equal(8.0, grid[^1], 12);
        Assert.Single(LearningRateConstantGrid.Create(3, 3, 0.2).Values);
    }

    [Theory]
    [InlineData(0.0, 4.0, 0.1)]
    [InlineData(4.0, 2.0, 0.1)]
    [InlineData(1.0, 4.0, 0.0)]
    [InlineData(1.0, 4.0, double.NaN)]
    [InlineData(1.0, 1e6, 1e-4)]
    public void BadGridsAreRejected(double cMin, double cMax, double step) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateConstantGrid.Create(cMin, cMax, step));
}
