using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Uv.Tests.Dynamics;

public class ConservationLawTests
{
    [Theory]
    [InlineData(50, 0.6, 0.0)]
    [InlineData(7, 2.5, 0.0)]
    [InlineData(300, 1.9, 0.03)]
    [InlineData(3, 0.4, 0.2)]
    [InlineData(2, 3.5, 0.0)]
    public void QEvolvesAsQTimesRhoSquaredMinusResidualSquaredSquared(int width, double initialLrNtk, double gamma)
    {
        var config = new UvModelConfig { Width = width, Seed = 11, Target = 1.3 };
        var network = UvNetwork.Create(config);
        double eta = initialLrNtk / network.Ntk;
        double s = network.Normaliser;
        double r = UvScaledState.ScaledTarget(eta, config.Target, s);
        double rho = 1 - (eta * gamma);

        for (int t = 0; t < 200; t++)
        {
            var before = UvScaledState.FromPhysical(new UvFunctionState(network.Output, network.Ntk), eta, s);
            network.Step(eta, config.Target, gamma);
            var after = UvScaledState.FromPhysical(new UvFunctionState(network.Output, network.Ntk), eta, s);
            double dg = before.G - r;
            double predicted = before.Q * Math.Pow((rho * rho) - (dg * dg), 2);
            double scale = Math.Max(Math.Max(before.X * before.X, Math.Abs(predicted)), 1e-300);
            if (!double.IsFinite(after.Q) || after.X > 1e6)
            {
                break;
            }


            Assert.True(Math.Abs(after.Q - predicted) <= 1e-10 * scale, $"step {t}: Q' = {after.Q:R}, law gives {predicted:R}");
            Assert.True(after.Q >= -1e-12 * scale, "Q ≥ 0 (Cauchy–Schwarz)");
        }
    }

    [Fact]
    public void GradientDescentEndsFlatterThanGradientFlowAndApproachesItAsEtaShrinks()
    {
        var config = new UvModelConfig { Width = 30, Seed = 3, Target = 1.0 };
        var network = UvNetwork.Create(config);
        double lambdaFlow = UvSharpness.GradientFlowFinalNtk(new UvFunctionState(network.Output, network.Ntk), config.Target, network.Normaliser);

        double previousGap = double.PositiveInfinity;
        foreach (double eta in new[] { 0.2, 0.02, 0.002 })
        {
            var run = UvGradientDescent.Run(config, new UvTrainingConfig { LearningRate = LearningRateSpec.Absolute(eta), Steps = (int)(40 / eta) });
            double lambdaEnd = run.Records[^1].Ntk;
            double gap = lambdaFlow - lambdaEnd;

            Assert.Equal(RunOutcome.Converged, run.Regimes.Outcome);
            Assert.True(gap >= -1e-9, $"η = {eta}: GD ends at λ = {lambdaEnd}, sharper than gradient flow's {lambdaFlow}");
            Assert.True(gap < previousGap, $"η = {eta}: the gap {gap} should shrink with η (previous {previousGap})");
            previousGap = gap;
        }

        Assert.True(previousGap < 1e-3 * lambdaFlow);
    }
}
