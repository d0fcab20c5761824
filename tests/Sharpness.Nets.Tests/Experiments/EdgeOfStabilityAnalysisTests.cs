using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public class EdgeOfStabilityAnalysisTests
{
    private static int[] Steps(int n) => Enumerable.Range(0, n).ToArray();

    [Fact]
    public void ProgressiveSharpeningThenHoveringAtTheThreshold()
    {
        // Threshold 20, reach level 0.9·20 = 18, first met at step 4.
        double[] sharpness = [10, 12, 14, 16, 18, 19, 21, 20, 19.5, 20.5];
        double[] loss = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.55, 0.45, 0.4, 0.35];

        var report = EdgeOfStabilityAnalysis.Analyse(Steps(10), loss, sharpness, 20);

        Assert.False(report.StartedAboveThreshold);
        Assert.Equal(0.5, report.InitialRatio, 15);
        Assert.Equal(4, report.ReachStep);
        Assert.Equal(6, report.MeasurementsAfterReach);
        // Ratios after reaching: 0.9, 0.95, 1.05, 1, 0.975, 1.025.
        Assert.Equal(5.9 / 6, report.MeanRatio, 12);
        double mean = 5.9 / 6;
        double variance = new[] { 0.9, 0.95, 1.05, 1, 0.975, 1.025 }.Sum(r => (r - mean) * (r - mean)) / 5;
        Assert.Equal(Math.Sqrt(variance), report.RatioStandardDeviation, 12);
        Assert.Equal(0.9, report.MinRatio, 12);
        Assert.Equal(1.05, report.MaxRatio, 12);
        Assert.Equal(1.0, report.FractionInBand);
        Assert.Equal(0.6, report.LossAtReach);
        Assert.Equal(0.35, report.FinalLoss);
        Assert.Equal(1, report.LossIncreasesAfterReach);
        Assert.True(report.LossFellNonMonotonically);
        Assert.Equal(EarlySharpnessTrend.Sharpening, report.EarlyTrend);
    }

    [Fact]
    public void CatapultStartCountsReachingOnlyAfterTheSharpnessDropped()
    {
        // Starts at 1.5·(2/η), drops to 0.75 at step 2, climbs back to 0.9 at step 5.
        double[] sharpness = [30, 25, 15, 10, 12, 18, 21];
        double[] loss = [1, 3, 2, 1, 0.8, 0.7, 0.6];

        var report = EdgeOfStabilityAnalysis.Analyse(Steps(7), loss, sharpness, 20);

        Assert.True(report.StartedAboveThreshold);
        Assert.Equal(5, report.ReachStep);
        Assert.Equal(2, report.MeasurementsAfterReach);
        Assert.Equal((0.9 + 1.05) / 2, report.MeanRatio, 12);
        Assert.Equal(EarlySharpnessTrend.Reduction, report.EarlyTrend);
        // The loss only fell after reaching: not the non-monotone progress of the edge of stability.
        Assert.Equal(0, report.LossIncreasesAfterReach);
        Assert.False(report.LossFellNonMonotonically);
    }

    [Fact]
    public void MeasurementsEveryFewStepsAreReadAtTheMeasuredStepsOnly()
    {
        int[] steps = [0, 1, 2, 3, 4, 5, 6, 7, 8];
        double[] sharpness = [5, double.NaN, double.NaN, 9.5, double.NaN, double.NaN, 11, double.NaN, double.NaN];
        double[] loss = [2, 1.9, 1.8, 1.7, 1.75, 1.6, 1.5, 1.55, 1.4];

        var report = EdgeOfStabilityAnalysis.Analyse(steps, loss, sharpness, 10);

        Assert.Equal(3, report.Measurements);
        Assert.Equal(3, report.ReachStep);
        Assert.Equal(2, report.MeasurementsAfterReach);
        Assert.Equal(1.025, report.MeanRatio, 12);
        // Rises at steps 4 and 7, both after the reach step.
        Assert.Equal(2, report.LossIncreasesAfterReach);
        Assert.True(report.LossFellNonMonotonically);
    }

    [Fact]
    public void NeverReachingLeavesTheStatisticsUndefined()
    {
        double[] sharpness = [10, 10.2, 9.9, 10.1];
        var report = EdgeOfStabilityAnalysis.Analyse(Steps(4), [1, 0.9, 0.8, 0.7], sharpness, 100);

        Assert.Null(report.ReachStep);
        Assert.True(double.IsNaN(report.MeanRatio));
        Assert.True(double.IsNaN(report.FractionInBand));
        Assert.False(report.LossFellNonMonotonically);
        Assert.Equal(EarlySharpnessTrend.Flat, report.EarlyTrend);
    }

    [Fact]
    public void BandAndReachLevelFollowTheCriteria()
    {
        double[] sharpness = [5, 8, 10, 14, 10];
        var criteria = new EdgeOfStabilityCriteria { ReachFraction = 0.8, BandLow = 0.95, BandHigh = 1.2 };

        var report = EdgeOfStabilityAnalysis.Analyse(Steps(5), [5, 4, 3, 2, 1], sharpness, 10, criteria);

        Assert.Equal(1, report.ReachStep);
        // Ratios 0.8, 1.0, 1.4, 1.0: two of four in [0.95, 1.2].
        Assert.Equal(0.5, report.FractionInBand);
    }

    [Fact]
    public void SingleMeasurementHasNoTrend()
    {
        var report = EdgeOfStabilityAnalysis.Analyse(Steps(3), [1, 2, 3], [5, double.NaN, double.NaN], 10);
        Assert.Equal(EarlySharpnessTrend.Unknown, report.EarlyTrend);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => EdgeOfStabilityAnalysis.Analyse(Steps(3), [1, 2], [1, 2, 3], 1));
        Assert.Throws<ArgumentException>(() => EdgeOfStabilityAnalysis.Analyse([0, 2, 1], [1, 2, 3], [1, 2, 3], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EdgeOfStabilityAnalysis.Analyse(Steps(3), [1, 2, 3], [1, 2, 3], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => EdgeOfStabilityAnalysis.Analyse(Steps(3), [1, 2, 3], [1, 2, 3], 1, new EdgeOfStabilityCriteria { BandLow = 1.5, BandHigh = 1.2 }));
    }
}
