using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class OscillationPeriodTests
{
    [Fact]
    public void AnExactTwoCycleHasPeriodTwo()
    {
        double[] series = Enumerable.Range(0, 21).Select(t => t % 2 == 0 ? 1.0 : 3.0).ToArray();

        var estimate = OscillationPeriod.Detect(series);

        Assert.Equal(2, estimate.Period);
        Assert.True(estimate.Misfits[0] > 1.3, $"misfit at 1: {estimate.Misfits[0]}");
        Assert.True(estimate.Misfits[1] < 1e-12, $"misfit at 2: {estimate.Misfits[1]}");
        Assert.Equal(1, estimate.AlternationFraction);
    }

    [Fact]
    public void TheMisfitOfASeriesWithoutTrendIsTheHandValue()
    {
        // (1, −5, 10, −10, 5, −1) is orthogonal to every polynomial of degree ≤ 4 over 6 points, so
        // detrending leaves it unchanged: rms(e)² = 252/6 = 42. Its lag-1 differences
        // D = (−6, 15, −20, 15, −6) minus their cubic leave the projection on (1, −4, 6, −4, 1):
        // ⟨D, k⟩/‖k‖² = −252/70 = −3.6, rms² = 3.6² · 70/5 = 181.44; μ(1) = √(181.44/84) = √2.16.
        double[] series = [1, -5, 10, -10, 5, -1];

        var estimate = OscillationPeriod.Detect(series);

        Assert.Equal(Math.Sqrt(2.16), estimate.Misfits[0], 12);
        Assert.Null(estimate.Period);   // p = 2 leaves 4 differences for a cubic: only p = 1 is tried
        Assert.True(double.IsNaN(estimate.Misfits[1]));
        Assert.Equal(1, estimate.AlternationFraction);
        Assert.Equal(series, OscillationPeriod.Detrend(series), (x, y) => Math.Abs(x - y) < 1e-11);
        Assert.Equal(1, estimate.AmplitudeGrowth, 12);   // halves (1, −5, 10) and (−10, 5, −1)
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
    public void ATwoCycleWhoseAmplitudeDecaysIsStillPeriodTwo()
    {
        // Amplitude and level both shrink 5 % per step: the amplitude halves in the first 14 steps.
        double[] series = Enumerable.Range(0, 40).Select(t => Math.Exp(-0.05 * t) * (1 + (t % 2 == 0 ? 0.2 : -0.2))).ToArray();

        var estimate = OscillationPeriod.Detect(series);

        Assert.Equal(2, estimate.Period);
        Assert.True(estimate.AmplitudeGrowth < 0.5, $"growth {estimate.AmplitudeGrowth}");
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
        Assert.True(decaying.AlternationFraction < 0.2, $"alternation {decaying.AlternationFraction}");
    }

    [Fact]
    public void NonFiniteSeriesHaveNoPeriod()
    {
        Assert.Null(OscillationPeriod.Detect([1, 2, double.NaN, 4]).Period);
    }

    [Fact]
    public void DetrendingRemovesTheLeastSquaresPolynomial()
    {
        // (0, 1, 0, 1): with P1 = t − 1.5 and P2 = P1² − 1.25 the fit is 0.5 + 0.2 P1 + 0 P2
        // = (0.2, 0.4, 0.6, 0.8), residuals (−0.2, 0.6, −0.6, 0.2).
        double[] e = OscillationPeriod.Detrend([0, 1, 0, 1], degree: 2);

        Assert.Equal([-0.2, 0.6, -0.6, 0.2], e, (a, b) => Math.Abs(a - b) < 1e-14);
        Assert.All(OscillationPeriod.Detrend([3, 5, 9, 15, 23], degree: 2), x => Assert.True(Math.Abs(x) < 1e-12));   // 3 + t + t²
        double[] quartic = Enumerable.Range(0, 12).Select(t => 1 - (0.5 * t) + (0.1 * t * t * t) - (0.01 * t * t * t * t)).ToArray();
        Assert.All(OscillationPeriod.Detrend(quartic), x => Assert.True(Math.Abs(x) < 1e-9, $"residual {x}"));
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
