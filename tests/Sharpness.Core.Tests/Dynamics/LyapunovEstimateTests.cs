using Sharpness.Core.Dynamics;

namespace Sharpness.Core.Tests.Dynamics;

public class LyapunovEstimateTests
{
    // The Feigenbaum point of the logistic map, where the period-doubling cascade accumulates (exponent 0).
    private const double LogisticAccumulation = 3.5699456718695445;

    [Fact]
    public void EqualBlocksHaveNoUncertainty()
    {
        var estimate = LyapunovEstimate.FromBlocks([0.5, 0.5, 0.5, 0.5, 0.5], [10, 10, 10, 10, 10]);

        Assert.Equal(0.05, estimate.Value, 15);
        Assert.Equal(0, estimate.Uncertainty);
    }

    [Fact]
    public void BlocksOnAStraightLineGiveHalfTheirChangeAcrossTheWindowInQuadratureWithTheirStandardError()
    {
        // Means 0, 1, ..., 9 (per step): the least-squares change across the window is 9, and the
        // standard deviation of 0..9 is √(82.5/9), so the standard error is √(82.5/9/10).
        double[] sums = Enumerable.Range(0, 10).Select(b => 2.0 * b).ToArray();
        int[] lengths = Enumerable.Repeat(2, 10).ToArray();

        var estimate = LyapunovEstimate.FromBlocks(sums, lengths);

        Assert.Equal(4.5, estimate.Value, 14);
        Assert.Equal(Math.Sqrt((82.5 / 9 / 10) + (4.5 * 4.5)), estimate.Uncertainty, 12);
    }

    [Fact]
    public void FewerThanFourBlocksCannotTellASign()
    {
        var estimate = LyapunovEstimate.FromBlocks([3.0, 3.0, 3.0], [1, 1, 1]);

        Assert.Equal(double.PositiveInfinity, estimate.Uncertainty);
        Assert.False(estimate.IsPositive());
        Assert.False(estimate.IsNegative);
        Assert.True(estimate.IsMarginal());
    }

    [Fact]
    public void TheAccumulatorsExponentIsTheRunningMeanExactlyAndItsBlocksCoverTheWindow()
    {
        var random = new System.Random(7);
        double[] values = Enumerable.Range(0, 37).Select(_ => random.NextDouble() - 0.3).ToArray();
        var accumulator = new LyapunovAccumulator(values.Length);
        double sum = 0;
        foreach (double v in values)
        {
            accumulator.Add(v);
            sum += v;
        }

        var estimate = accumulator.Estimate();
        // Step t falls in block ⌊10t/37⌋, so block b starts at ⌈3.7b⌉: 0, 4, 8, 12, 15, 19, 23, 26, 30, 34.
        int[] lengths = [4, 4, 4, 3, 4, 4, 3, 4, 4, 3];
        double[] blockSums = new double[lengths.Length];
        int start = 0;
        for (int b = 0; b < lengths.Length; b++)
        {
            blockSums[b] = values.Skip(start).Take(lengths[b]).Sum();
            start += lengths[b];
        }

        Assert.Equal(sum / values.Length, estimate.Value);
        Assert.Equal(LyapunovEstimate.FromBlocks(blockSums, lengths).Uncertainty, estimate.Uncertainty, 12);
        Assert.Throws<InvalidOperationException>(() => accumulator.Add(0));
    }

    [Theory]
    [InlineData(4.0)]
    [InlineData(3.7)]
    [InlineData(3.9)]
    public void ChaoticLogisticExponentIsPositiveAndItsUncertaintyCoversALongRunsValue(double a)
    {
        // The reference is the same orbit averaged 100 times longer; at a = 4 it is ln 2 exactly.
        var shortRun = LyapunovSpectrum.Compute(new LogisticMap(), a, [0.3], transient: 1000, steps: 10_000);
        var longRun = LyapunovSpectrum.Compute(new LogisticMap(), a, [0.3], transient: 1000, steps: 1_000_000);
        double reference = a == 4.0 ? Math.Log(2) : longRun.Exponents[0];
        var estimate = shortRun.Largest!.Value;

        Assert.True(estimate.IsPositive(), $"a = {a}: {estimate}");
        Assert.InRange(Math.Abs(estimate.Value - reference), 0, LyapunovEstimate.Significance * estimate.Uncertainty);
        Assert.True(longRun.Uncertainties[0] < estimate.Uncertainty, "a window 100 times longer is more certain");
        Assert.Equal("chaos", LongRunClassifier.Classify(new LogisticMap(), a, [0.3]).Label);
    }

    [Fact]
    public void PeriodicWindowHasANegativeExponentBeyondItsUncertainty()
    {
        // a = 3.835 lies in the period-3 window: the exponent is the orbit's log-multiplier per step.
        var result = LongRunClassifier.Classify(new LogisticMap(), 3.835, [0.3], transient: 5000, steps: 30_000);
        var orbit = PeriodicOrbitFinder.Find(new LogisticMap(), 3.835, 3, result.FinalState);

        Assert.Equal("period-3", result.Label);
        Assert.True(new LyapunovEstimate(result.Exponents[0], result.Uncertainties[0]).IsNegative);
        Assert.Equal(orbit.LargestLyapunovExponent, result.Exponents[0], 6);
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(LogisticAccumulation)]
    public void MarginalPointsOfTheLogisticCascadeAreMarginalNeverChaos(double a)
    {
        // a = 3: the fixed point's multiplier is exactly −1 (the first flip), the orbit approaches it
        // algebraically and its finite-time exponent creeps towards 0. At the accumulation point the
        // exponent is 0 and the orbit is aperiodic. Neither is chaos, and neither has settled.
        var result = LongRunClassifier.Classify(new LogisticMap(), a, [0.3]);

        Assert.Null(result.Period);
        Assert.Equal(LongRunClass.Marginal, result.Label);
        Assert.InRange(Math.Abs(result.Exponents[0]), 0, LyapunovEstimate.Significance * result.Uncertainties[0]);
    }

    [Fact]
    public void JustPastTheFirstFlipTheTwoCycleIsResolved()
    {
        var result = LongRunClassifier.Classify(new LogisticMap(), 3.2, [0.3]);

        Assert.Equal("period-2", result.Label);
        Assert.True(new LyapunovEstimate(result.Exponents[0], result.Uncertainties[0]).IsNegative);
    }

    [Fact]
    public void SpectrumUncertaintiesFollowTheSortedExponents()
    {
        var result = LyapunovSpectrum.Compute(new HenonMap(), 1.4, [0.1, 0.1], transient: 1000, steps: 20_000);

        Assert.Equal(2, result.Uncertainties.Count);
        Assert.All(result.Uncertainties, u => Assert.InRange(u, 1e-6, 0.05));
        Assert.True(result.Largest!.Value.IsPositive());
        Assert.True(new LyapunovEstimate(result.Exponents[1], result.Uncertainties[1]).IsNegative);
    }
}
