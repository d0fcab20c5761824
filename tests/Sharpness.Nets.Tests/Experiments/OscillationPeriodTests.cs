using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class OscillationPeriodTests
{
    [Fact]
    public void AnExactTwoCycleHasPeriodTwoWithTheHandMisfitAtOne()
    {
        // 21 points 1, 3, 1, …, 1: the fitted slope is 0 by symmetry, the mean 41/21, so e is −20/21
        // (11 times) and 22/21 (10 times), rms(e)² = 9240/9261, and e_t − e_{t−1} = ±2.
        double[] series = Enumerable.Range(0, 21).Select(t => t % 2 == 0 ? 1.0 : 3.0).ToArray();

        var estimate = OscillationPeriod.Detect(series);

        Assert.Equal(2, estimate.Period);
        Assert.Equal(2 / (Math.Sqrt(2) * Math.Sqrt(9240.0 / 9261)), estimate.Misfits[0], 12);
        Assert.Equal(0, estimate.Misfits[1], 12);
        Assert.Equal(1, estimate.AlternationFraction);
    }

    [Fact]
    public void ATwoCycleOnADriftIsStillPeriodTwo()
    {
        double[] series = Enumerable.Range(0, 40).Select(t => 5 + (0.01 * t) + (t % 2 == 0 ? 0.5 : -0.5)).ToArray();

        var estimate = OscillationPeriod.Detect(series);

        Assert.Equal(2, estimate.Period);
        Assert.True(estimate.Misfits[1] < 0.05, $"misfit at 2: {estimate.Misfits[1]}");
        Assert.Equal(1, estimate.AlternationFraction);
    }

    [Fact]
    public void TheLogisticMapAtThreePointFiveHasPeriodFour()
    {
        double[] series = Logistic(3.5, 0.3, transient: 2000, count: 40);

        var estimate = OscillationPeriod.Detect(series);

        Assert.Equal(4, estimate.Period);
        Assert.True(estimate.Misfits[1] > 0.2, $"misfit at 2: {estimate.Misfits[1]}");
    }

    [Fact]
    public void TheChaoticLogisticMapHasNoPeriod()
    {
        var estimate = OscillationPeriod.Detect(Logistic(4, 0.3, transient: 100, count: 200));

        Assert.Null(estimate.Period);
        Assert.All(estimate.Misfits, m => Assert.True(m > 0.5, $"misfit {m}"));
    }

    [Fact]
    public void ConstantAndSmoothSeriesArePeriodOne()
    {
        var constant = OscillationPeriod.Detect(Enumerable.Repeat(2.5, 30).ToArray());
        var decaying = OscillationPeriod.Detect(Enumerable.Range(0, 30).Select(t => Math.Exp(-0.05 * t)).ToArray());

        Assert.Equal(1, constant.Period);
        Assert.Equal(0, constant.RelativeAmplitude);
        Assert.Equal(1, decaying.Period);
        Assert.Equal(0, decaying.AlternationFraction);
    }

    [Fact]
    public void NonFiniteSeriesHaveNoPeriod()
    {
        Assert.Null(OscillationPeriod.Detect([1, 2, double.NaN, 4]).Period);
    }

    [Fact]
    public void DetrendingRemovesTheLeastSquaresLine()
    {
        // 1, 2, 4: the line is 5/6 + 1.5t, residuals 1/6, −1/3, 1/6.
        double[] e = OscillationPeriod.Detrend([1, 2, 4]);

        Assert.Equal(1.0 / 6, e[0], 14);
        Assert.Equal(-1.0 / 3, e[1], 14);
        Assert.Equal(1.0 / 6, e[2], 14);
    }

    internal static double[] Logistic(double r, double x0, int transient, int count)
    {
        double x = x0;
        var values = new double[count];
        for (int t = 0; t < transient + count; t++)
        {
            if (t >= transient)
            {
                values[t - transient] = x;
            }

            x = r * x * (1 - x);
        }

        return values;
    }
}
