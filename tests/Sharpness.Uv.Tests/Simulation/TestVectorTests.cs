using Sharpness.Uv.Simulation;

namespace Sharpness.Uv.Tests.Simulation;

public class TestVectorTests
{
    [Theory]
    [InlineData(0, "-0.205", "0.59", "1.052326713", "0.0765188")]
    [InlineData(1, "0.1318709297", "0.5200309219", "0.7058624827", "0.0632606")]
    [InlineData(2, "0.3638094271", "0.6017664349", "0.5765447089", "0.0574414")]
    [InlineData(6, "0.9238900273", "1.03159905", "0.9978147833", "0.052656")]
    public void Tv1MatchesTheSpecification(int step, string f, string ntk, string sharpness, string q)
    {
        var run = UvGradientDescent.Run(TestVectors.Tv1Model, new UvTrainingConfig { LearningRate = LearningRateSpec.Absolute(0.5), Steps = 6 });

        var record = run.Records[step];
        TestVectors.AssertMatchesPrinted(f, record.Output, "f");
        TestVectors.AssertMatchesPrinted(ntk, record.Ntk, "λ");
        TestVectors.AssertMatchesPrinted(sharpness, record.Sharpness, "λ_H");
        TestVectors.AssertMatchesPrinted(q, record.Q, "Q");
    }

    [Fact]
    public void Tv1ShowsEarlySharpnessReductionThenProgressiveSharpening()
    {
        var run = UvGradientDescent.Run(TestVectors.Tv1Model, new UvTrainingConfig { LearningRate = LearningRateSpec.Absolute(0.5), Steps = 400 });

        Assert.Equal([RegimeReport.SharpnessReduction, RegimeReport.ProgressiveSharpening], run.Regimes.Labels);
        Assert.Equal(RunOutcome.Converged, run.Regimes.Outcome);
    }

    [Fact]
    public void Tv3SettlesIntoTheClosedFormTwoCycleOnTheManifold()
    {
        var run = UvGradientDescent.Run(TestVectors.Tv3Model, new UvTrainingConfig { LearningRate = LearningRateSpec.Absolute(2.1), Steps = 400 });

        TestVectors.AssertMatchesPrinted("0.005", run.Records[1].Output, "f after one step");
        Assert.All(run.Records, r => Assert.Equal(0.0, r.Q, 12));
        var last = run.Records[^1];
        var previous = run.Records[^2];
        var (low, high) = last.Output < previous.Output ? (last, previous) : (previous, last);
        TestVectors.AssertMatchesPrinted("0.7619047619", low.Output, "f-");
        TestVectors.AssertMatchesPrinted("1.19047619", high.Output, "f+");
        TestVectors.AssertMatchesPrinted("1.6", low.LrNtk, "ηλ-");
        TestVectors.AssertMatchesPrinted("2.5", high.LrNtk, "ηλ+");
        TestVectors.AssertMatchesPrinted("0.6428571429", low.Sharpness, "λ_H-");
        TestVectors.AssertMatchesPrinted("1.285714286", high.Sharpness, "λ_H+");
        Assert.Contains(RegimeReport.EosPeriodPrefix + "2", run.Regimes.Labels);
        Assert.Equal(2, run.Regimes.Period);
    }
}
