using Sharpness.Experiments.Progress;

namespace Sharpness.Experiments.Tests.Progress;

public class ExperimentProgressTests
{
    [Fact]
    public void RemainingTimeIsElapsedPerUnitTimesUnitsLeft()
    {
        var progress = new ExperimentProgress { Task = "t", Completed = 25, Total = 100, Elapsed = TimeSpan.FromSeconds(10) };

        Assert.Equal(TimeSpan.FromSeconds(30), progress.Remaining);
        Assert.Equal(0.25, progress.Fraction);
    }

    [Fact]
    public void RemainingTimeIsUnknownWithoutATotalOrBeforeTheFirstUnit()
    {
        Assert.Null(new ExperimentProgress { Task = "t", Completed = 5, Elapsed = TimeSpan.FromSeconds(1) }.Remaining);
        Assert.Null(new ExperimentProgress { Task = "t", Completed = 0, Total = 10, Elapsed = TimeSpan.FromSeconds(1) }.Remaining);
    }

    [Fact]
    public void AMetricMeasuredBeforeTheCurrentStepIsStale()
    {
        var metric = new ProgressMetric("sharpness", 12.5, At: 10);

        Assert.True(metric.IsStaleAt(13));
        Assert.False(metric.IsStaleAt(10));
        Assert.False(new ProgressMetric("loss", 0.3).IsStaleAt(13));
    }
}
