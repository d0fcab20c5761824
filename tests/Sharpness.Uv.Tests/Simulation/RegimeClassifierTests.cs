using Sharpness.Core.Dynamics;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Uv.Tests.Simulation;

public class RegimeClassifierTests
{
    // Width 4, s = 2, y = 1, u = v = a·1 puts the run on the EoS manifold with g = ηa², x = 2g and r = η/2.
    private static UvRunResult OnManifold(double r, double g0, int steps)
    {
        double eta = 2 * r;
        double a = Math.Sqrt(g0 / eta);
        var config = TestVectors.FromColumns([a, a, a, a], [a, a, a, a], normaliser: 2);
        return UvGradientDescent.Run(config, new UvTrainingConfig { LearningRate = LearningRateSpec.Absolute(eta), Steps = steps });
    }

    // Width 2, s = 1, u = (p, q), v = (q', p'): chosen so that g₀ and x₀ take the given values, with y = 0 (r = 0) or y > 0.
    private static UvRunResult FromScaled(double g0, double x0, double r, int steps)
    {
        // u = (a, b), v = (a, c) with s = 1 and η = 1: g = a² + bc... use u = (a, b), v = (a, -b): g = a² - b², x = 2(a² + b²).
        double a2 = (g0 + (x0 / 2)) / 2;
        double b2 = ((x0 / 2) - g0) / 2;
        double a = Math.Sqrt(a2), b = Math.Sqrt(b2);
        var config = TestVectors.FromColumns([a, b], [a, -b], normaliser: 1, target: r);
        return UvGradientDescent.Run(config, new UvTrainingConfig { LearningRate = LearningRateSpec.Absolute(1.0), Steps = steps });
    }

    [Fact]
    public void CatapultBetweenTwoAndFour()
    {
        var run = FromScaled(0.1, 3.0, 0.0, 400);

        Assert.Contains(RegimeReport.Catapult, run.Regimes.Labels);
        Assert.Equal(RunOutcome.Converged, run.Regimes.Outcome);
        Assert.True(run.Records[^1].LrNtk < 2);
    }

    [Fact]
    public void DivergenceAboveFourKeepsTheDataUpToTheDivergence()
    {
        var run = FromScaled(0.1, 5.0, 0.0, 400);

        Assert.True(run.Diverged);
        Assert.Equal([RegimeReport.Divergence], run.Regimes.Labels.Where(l => l == RegimeReport.Divergence));
        Assert.Equal(RunOutcome.Diverged, run.Regimes.Outcome);
        Assert.NotNull(run.DivergedAtStep);
        Assert.True(run.Records.Count > 3 && run.Records.Count < 400);
        Assert.All(run.Records, r => Assert.True(double.IsFinite(r.Loss) && double.IsFinite(r.Sharpness)));
        Assert.Equal(Enumerable.Range(0, run.Records.Count), run.Records.Select(r => r.Step));
    }

    [Fact]
    public void NonFiniteValuesStopTheRunWithoutRecordingThem()
    {
        var config = new UvModelConfig { Width = 10, Seed = 1 };
        var run = UvGradientDescent.Run(config, new UvTrainingConfig { LearningRate = LearningRateSpec.Absolute(50), Steps = 1000, DivergenceThreshold = double.MaxValue });

        Assert.True(run.Diverged);
        Assert.All(run.Records, r => Assert.True(double.IsFinite(r.Output) && double.IsFinite(r.Ntk)));
        Assert.Equal(run.Records.Count, run.DivergedAtStep);
    }

    [Fact]
    public void SelfStabilisedEdgeOfStabilityBelowTheCriticalLearningRate()
    {
        var run = FromScaled(0.0, 1.5, 0.9, 3000);

        Assert.Contains(RegimeReport.SelfStabilisedEos, run.Regimes.Labels);
        Assert.Equal(RunOutcome.Converged, run.Regimes.Outcome);
        Assert.InRange(run.Records[^1].LrNtk, 1.7, 2.0);
    }

    [Theory]
    [InlineData(1.05, 2)]
    [InlineData(1.25, 4)]
    [InlineData(1.29, 8)]
    public void PeriodicEdgeOfStabilityAboveTheCriticalLearningRate(double r, int period)
    {
        var run = OnManifold(r, 0.5, 6000);

        Assert.Equal(RunOutcome.Periodic, run.Regimes.Outcome);
        Assert.Equal(period, run.Regimes.Period);
        Assert.Contains(RegimeReport.EosPeriodPrefix + period, run.Regimes.Labels);
        Assert.True(run.Regimes.LyapunovExponent < 0);
    }

    [Fact]
    public void ChaosHasAPositiveLyapunovExponent()
    {
        var run = OnManifold(1.4, 0.5, 6000);

        Assert.False(run.Diverged);
        Assert.Equal(RunOutcome.Chaotic, run.Regimes.Outcome);
        Assert.Contains(RegimeReport.Chaos, run.Regimes.Labels);
        Assert.True(run.Regimes.LyapunovExponent > 0.01);
    }

    [Fact]
    public void LyapunovExponentOfTheTwoCycleMatchesItsClosedFormMultiplier()
    {
        // Along the manifold the 2-cycle's multiplier is 9 − 2(1 + r)². Across it, the distance to
        // the manifold scales like Q, which the law Q' = Q(1 − Δg²)² multiplies by
        // (1 − Δg₊²)²(1 − Δg₋²)² per cycle. The largest exponent is the larger of the two, per step.
        const double r = 1.1;
        var run = OnManifold(r, 0.5, 4000);
        double root = Math.Sqrt(((1 + r) * (1 + r)) - 4);
        double gPlus = (1 + r + root) / 2, gMinus = (1 + r - root) / 2;
        double along = 0.5 * Math.Log(Math.Abs(9 - (2 * (1 + r) * (1 + r))));
        double across = Math.Log(Math.Abs((1 - Math.Pow(gPlus - r, 2)) * (1 - Math.Pow(gMinus - r, 2))));
        double expected = Math.Max(along, across);

        Assert.Equal(expected, run.Regimes.LyapunovExponent!.Value, 3);
    }

    [Fact]
    public void TheFlipLineIsMarginalNeverChaos()
    {
        // On r = 1 the minimum's multiplier is exactly −1: orbits approach it algebraically and the
        // finite-time exponent of the tail drifts towards 0 (positive early on, from the approach).
        // uv phase's default grid (c from 0.1 to 4.5, 2000 steps) once labelled 58 of these cells chaos.
        var cs = Enumerable.Range(0, 90).Select(j => 0.1 + (4.4 * j / 89)).ToArray();
        var reports = cs.Select(c => UvScaledRun.Run(new UvScaledState(0, c), 1.0, 2000).Regimes).ToArray();

        Assert.DoesNotContain(reports, report => report.Outcome == RunOutcome.Chaotic);
        var marginal = reports.Where(report => report.Outcome == RunOutcome.Marginal).ToArray();
        Assert.True(marginal.Length >= 50, $"{marginal.Length} marginal cells");
        Assert.All(marginal, report =>
        {
            Assert.Contains(RegimeReport.Marginal, report.Labels);
            Assert.InRange(Math.Abs(report.LyapunovExponent!.Value), 0, LyapunovEstimate.Significance * report.LyapunovUncertainty!.Value);
            Assert.Equal(10, RegimeCategory.Of(report));
        });
    }

    [Theory]
    [InlineData(1.32)]
    [InlineData(1.4)]
    [InlineData(1.6)]
    public void ChaoticBandOfTheCascadeStaysChaosWithAnExponentFarBeyondItsUncertainty(double r)
    {
        var report = UvScaledRun.Run(new UvScaledState(0, 0.5), r, 2000).Regimes;

        Assert.Equal(RunOutcome.Chaotic, report.Outcome);
        Assert.True(report.LyapunovExponent > 4 * report.LyapunovUncertainty, $"{report.LyapunovExponent} ± {report.LyapunovUncertainty}");
    }

    [Fact]
    public void ThePeriodTwoCycleJustPastTheFlipLineIsResolved()
    {
        var report = UvScaledRun.Run(new UvScaledState(0, 0.5), 1.02, 2000).Regimes;

        Assert.Equal(RunOutcome.Periodic, report.Outcome);
        Assert.Equal(2, report.Period);
    }
}
