using Sharpness.Core.Dynamics;

namespace Sharpness.Core.Tests.Dynamics;

public class PeriodDetectorTests
{
    private static double[] Cycle(int period, int length, double noise = 0)
    {
        var rng = new Sharpness.Core.Random.DeterministicRandom(3);
        double[] pattern = Enumerable.Range(0, period).Select(k => Math.Sin(1.7 * k) + (0.1 * k)).ToArray();
        return Enumerable.Range(0, length).Select(t => pattern[t % period] + (noise * (rng.NextDouble() - 0.5))).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(64)]
    public void FindsTheSmallestPeriodOfAConstructedCycle(int period)
    {
        Assert.Equal(period, PeriodDetector.Detect([Cycle(period, 2000)], maxPeriod: 64, tailLength: 1024));
    }

    [Fact]
    public void TransientBeforeTheTailIsIgnored()
    {
        double[] series = Cycle(4, 1000);
        for (int t = 0; t < 500; t++)
        {
            series[t] += 1.0 / (t + 1);
        }

        Assert.Equal(4, PeriodDetector.Detect([series], tailLength: 400));
    }

    [Fact]
    public void PeriodLongerThanTheMaximumOrAperiodicSeriesGivesNull()
    {
        Assert.Null(PeriodDetector.Detect([Cycle(65, 3000)], maxPeriod: 64, tailLength: 1024));
        double x = 0.3;
        double[] chaotic = Enumerable.Range(0, 2000).Select(_ => x = 4 * x * (1 - x)).ToArray();
        Assert.Null(PeriodDetector.Detect([chaotic]));
    }

    [Fact]
    public void EveryComponentMustRepeat()
    {
        double[] first = Cycle(2, 1000);
        double[] second = Cycle(3, 1000);

        Assert.Equal(6, PeriodDetector.Detect([first, second]));
    }

    [Fact]
    public void NoiseAboveTheToleranceBreaksPeriodicityAndBelowItDoesNot()
    {
        Assert.Equal(2, PeriodDetector.Detect([Cycle(2, 1000, noise: 1e-9)], relativeTolerance: 1e-6));
        Assert.Null(PeriodDetector.Detect([Cycle(2, 1000, noise: 1e-3)], relativeTolerance: 1e-6));
    }

    [Fact]
    public void NonFiniteTailGivesNull() =>
        Assert.Null(PeriodDetector.Detect([Enumerable.Repeat(double.NaN, 100).ToArray()]));
}
