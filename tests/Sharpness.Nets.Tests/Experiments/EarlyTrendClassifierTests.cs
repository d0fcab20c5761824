using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class EarlyTrendClassifierTests
{
    [Fact]
    public void AFallBeyondTheToleranceAndLargerThanTheRiseIsSharpnessReduction()
    {
        // ratios 1, 0.99, 0.97, 0.9, 1.05: 0.97 is the first outside 1 ± 0.02; fall 0.1 > rise 0.05.
        var trend = EarlyTrendClassifier.Classify([0, 2, 4, 6, 8], [10, 9.9, 9.7, 9.0, 10.5]);

        Assert.Equal(EarlyRegime.SharpnessReduction, trend.Regime);
        Assert.Equal(4, trend.DecidedAtStep);
        Assert.Equal(EarlyRegime.SharpnessReduction, trend.FirstMove);
        Assert.Equal(4, trend.FirstMoveStep);
        Assert.Equal(10, trend.InitialValue);
        Assert.Equal(0.9, trend.MinimumRatio, 15);
        Assert.Equal(1.05, trend.MaximumRatio, 15);
        Assert.Equal(1.05, trend.FinalRatio, 15);
        Assert.Equal(5, trend.Measurements);
    }

    [Fact]
    public void ASmallTwitchUpBeforeALargeFallIsSharpnessReduction()
    {
        // ratios 1, 1.03, 0.98, 0.9, 0.7: the first exit is up (step 1), the dominant move is down.
        var trend = EarlyTrendClassifier.Classify([0, 1, 2, 3, 4], [100, 103, 98, 90, 70]);

        Assert.Equal(EarlyRegime.SharpnessReduction, trend.Regime);
        Assert.Equal(3, trend.DecidedAtStep);
        Assert.Equal(EarlyRegime.ProgressiveSharpening, trend.FirstMove);
        Assert.Equal(1, trend.FirstMoveStep);
    }

    [Fact]
    public void AFallFollowedByALargerRiseIsProgressiveSharpening()
    {
        var trend = EarlyTrendClassifier.Classify([0, 1, 2, 3], [10, 9.7, 10.5, 11.2]);

        Assert.Equal(EarlyRegime.ProgressiveSharpening, trend.Regime);
        Assert.Equal(2, trend.DecidedAtStep);
        Assert.Equal(EarlyRegime.SharpnessReduction, trend.FirstMove);
    }

    [Fact]
    public void ARiseBeyondTheToleranceIsProgressiveSharpening()
    {
        var trend = EarlyTrendClassifier.Classify([0, 1, 2, 3], [10, 10.1, 10.3, 10.2]);

        Assert.Equal(EarlyRegime.ProgressiveSharpening, trend.Regime);
        Assert.Equal(2, trend.DecidedAtStep);
    }

    [Fact]
    public void StayingWithinTheToleranceIsFlat()
    {
        var trend = EarlyTrendClassifier.Classify([0, 1, 2, 3], [10, 10.1, 9.9, 10.15]);

        Assert.Equal(EarlyRegime.Flat, trend.Regime);
        Assert.Null(trend.DecidedAtStep);
        Assert.Equal(EarlyRegime.Flat, trend.FirstMove);
        Assert.Equal(0.99, trend.MinimumRatio, 15);
        Assert.Equal(1.015, trend.MaximumRatio, 15);
    }

    [Fact]
    public void TheToleranceAndTheLastStepAreHonoured()
    {
        int[] steps = [0, 1, 2, 3];
        double[] values = [10, 10.1, 9.85, 8];

        // Up to step 2 the rise is 1 % and the fall 1.5 %: flat at 2 %, reduction at 0.5 %.
        Assert.Equal(EarlyRegime.SharpnessReduction, EarlyTrendClassifier.Classify(steps, values, tolerance: 0.005, lastStep: 2).Regime);
        Assert.Equal(EarlyRegime.Flat, EarlyTrendClassifier.Classify(steps, values, lastStep: 2).Regime);
        Assert.Equal(EarlyRegime.SharpnessReduction, EarlyTrendClassifier.Classify(steps, values).Regime);
    }

    [Fact]
    public void NonFiniteValuesAreSkipped()
    {
        var trend = EarlyTrendClassifier.Classify([0, 1, 2, 3], [double.NaN, 10, double.NaN, 9]);

        Assert.Equal(EarlyRegime.SharpnessReduction, trend.Regime);
        Assert.Equal(3, trend.DecidedAtStep);
        Assert.Equal(10, trend.InitialValue);
        Assert.Equal(2, trend.Measurements);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => EarlyTrendClassifier.Classify([0, 1], [1.0]));
        Assert.Throws<ArgumentException>(() => EarlyTrendClassifier.Classify([0, 0], [1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => EarlyTrendClassifier.Classify([0, 1], [double.NaN, double.NaN]));
        Assert.Throws<ArgumentException>(() => EarlyTrendClassifier.Classify([0, 1], [-1.0, 2.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => EarlyTrendClassifier.Classify([0, 1], [1.0, 2.0], tolerance: 0));
    }
}
