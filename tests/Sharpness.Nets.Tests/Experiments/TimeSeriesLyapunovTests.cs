using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class TimeSeriesLyapunovTests
{
    [Fact]
    public void TheLogisticMapAtFourGivesLnTwo()
    {
        var estimate = TimeSeriesLyapunov.Estimate(OscillationPeriodTests.Logistic(4, 0.3, transient: 100, count: 400));

        Assert.True(Math.Abs(estimate.Exponent - Math.Log(2)) < 0.05, $"estimate {estimate.Exponent}, ln 2 = {Math.Log(2)}");
        Assert.True(estimate.Pairs > 300);
    }

    [Fact]
    public void ThePeriodThreeWindowGivesANegativeExponentNearTheExactOne()
    {
        // r = 3.83: stable 3-cycle. The exact exponent is the mean of ln|r(1 − 2x)| over the cycle.
        const double r = 3.83;
        double[] cycle = OscillationPeriodTests.Logistic(r, 0.3, transient: 5000, count: 3);
        double exact = cycle.Average(x => Math.Log(Math.Abs(r * (1 - (2 * x)))));

        var estimate = TimeSeriesLyapunov.Estimate(OscillationPeriodTests.Logistic(r, 0.3, transient: 50, count: 100));

        Assert.True(exact < -0.3, $"exact {exact}");
        Assert.True(estimate.Exponent < 0, $"estimate {estimate.Exponent}");
        Assert.True(Math.Abs(estimate.Exponent - exact) < 0.1, $"estimate {estimate.Exponent}, exact {exact}");
    }

    [Fact]
    public void ThePeriodTwoRegimeGivesANegativeExponent()
    {
        // r = 3.2: exact exponent ln|4 + 2r − r²|/2 = ln(0.16)/2 ≈ −0.92; the estimate sees the approach.
        var estimate = TimeSeriesLyapunov.Estimate(OscillationPeriodTests.Logistic(3.2, 0.3, transient: 0, count: 100));

        Assert.True(estimate.Exponent < -0.2, $"estimate {estimate.Exponent}");
    }

    [Fact]
    public void AnExactlyRepeatingSeriesGivesZero()
    {
        // Exact repeats are skipped; the nearest distinct neighbour is the other phase, at distance
        // 2√2 in two dimensions for ever: no divergence.
        double[] series = Enumerable.Range(0, 30).Select(t => t % 2 == 0 ? 1.0 : 3.0).ToArray();

        var estimate = TimeSeriesLyapunov.Estimate(series);

        Assert.True(estimate.Pairs > 20);
        Assert.Equal(0, estimate.Exponent);
        Assert.All(estimate.Divergence, d => Assert.Equal(Math.Log(2 * Math.Sqrt(2)), d, 14));
    }

    [Fact]
    public void AConstantSeriesHasNoPairs()
    {
        var estimate = TimeSeriesLyapunov.Estimate(Enumerable.Repeat(1.5, 20).ToArray());

        Assert.Equal(0, estimate.Pairs);
        Assert.True(double.IsNaN(estimate.Exponent));
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => TimeSeriesLyapunov.Estimate([1, double.NaN, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesLyapunov.Estimate([1, 2, 3], embeddingDimension: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesLyapunov.Estimate([1, 2, 3], horizon: 0));
    }
}
