using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class LateOscillationTests
{
    private static readonly double[] Misfits = [1, 1];

    [Fact]
    public void LabelsFollowThePrecedence()
    {
        var periodTwo = new PeriodEstimate(2, Misfits, 0.1, 1, 20, 1.1);
        var none = new PeriodEstimate(null, Misfits, 0.1, 0.6, 20, 1.2);
        var growing = none with { AmplitudeGrowth = 3 };
        var positive = new LyapunovEstimate(0.4, [0, 0.4], 30, 2, 1);
        var fewPairs = positive with { Pairs = 3 };
        var zero = positive with { Exponent = 0.01 };

        Assert.Equal("diverged", LateOscillation.Label(true, periodTwo, positive));
        Assert.Equal("diverged", LateOscillation.Label(false, null, null));
        Assert.Equal("period-2", LateOscillation.Label(false, periodTwo, positive));
        Assert.Equal("chaos", LateOscillation.Label(false, none, positive));
        Assert.Equal("aperiodic", LateOscillation.Label(false, none, fewPairs));
        Assert.Equal("aperiodic", LateOscillation.Label(false, none, zero));
        Assert.Equal("aperiodic", LateOscillation.Label(false, none, null));
        Assert.Equal("transient", LateOscillation.Label(false, growing, positive));
        Assert.Equal("period-2", LateOscillation.Label(false, periodTwo with { AmplitudeGrowth = 3 }, null));
        Assert.Equal("growing", LateOscillation.AmplitudeTrend(growing));
        Assert.Equal("decaying", LateOscillation.AmplitudeTrend(none with { AmplitudeGrowth = 0.4 }));
        Assert.Equal("steady", LateOscillation.AmplitudeTrend(none));
    }

    [Fact]
    public void PeriodDoublingsAreFoundInIncreasingLearningRate()
    {
        var changes = LateOscillation.PeriodDoublings([(0.3, 4), (0.1, 1), (0.2, 2), (0.4, null), (0.5, 8)]);

        Assert.Equal([new PeriodChange(1, 2, 0.1, 0.2), new PeriodChange(2, 4, 0.2, 0.3)], changes);
    }
}
