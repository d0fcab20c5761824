using Sharpness.Nets.Experiments;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class GrowthWedgeTests
{
    [Theory]
    [InlineData(-0.205, 0.59, 1.0, 2.0, 0.5)]   // test vector TV1 of uv-model.md
    [InlineData(2.0, 2.0, 1.0, 2.0, 0.25)]
    [InlineData(0.1, 1.0, 1.0, 2.0, 1.0)]
    [InlineData(0.0, 0.5, 1.0, 2.0, 1.0)]
    [InlineData(0.7, 3.0, -1.5, 0.5, 0.2)]
    [InlineData(-0.4, 0.8, 2.0, 1.0, 0.9)]
    public void ForOneOutputTheMarginIsTheExactOneStepKernelChange(double f, double lambda, double y, double s, double eta)
    {
        // Δλ = (η y²/s²) m with p = f/y, q = |f/y|, x = ηλ (uv-model.md section 3).
        var next = UvFunctionSpaceMap.Step(new UvFunctionState(f, lambda), eta, y, s);
        double change = next.Ntk - lambda;

        double margin = GrowthWedge.Margin(f / y, Math.Abs(f / y), eta * lambda);

        Assert.Equal(change, eta * y * y / (s * s) * margin, 1e-13);
    }

    [Theory]
    [InlineData(-0.3, 1.0, 0.13, EarlyRegime.ProgressiveSharpening)]   // inside: −1/3 < −0.3 < 1
    [InlineData(-0.4, 1.0, -0.28, EarlyRegime.SharpnessReduction)]     // below the lower edge −1/3
    [InlineData(0.5, 1.0, 1.25, EarlyRegime.ProgressiveSharpening)]
    [InlineData(1.2, 1.0, -0.92, EarlyRegime.SharpnessReduction)]      // beyond the target
    [InlineData(-0.205, 0.295, -0.559753, EarlyRegime.SharpnessReduction)]   // TV1: x = ηλ = 0.5 · 0.59
    [InlineData(0.0, 0.5, 0.5, EarlyRegime.ProgressiveSharpening)]     // zero output: m = x
    public void OneOutputFollowsTheScalarWedge(double ratio, double x, double handMargin, EarlyRegime expected)
    {
        var prediction = GrowthWedge.Predict(ratio, Math.Abs(ratio), x);

        Assert.Equal(handMargin, prediction.Margin, 5);
        Assert.Equal(expected, prediction.Regime);
        var (lower, upper) = GrowthWedge.ScalarEdges(x);
        Assert.Equal(expected == EarlyRegime.ProgressiveSharpening, ratio > lower && ratio < upper);
    }

    [Fact]
    public void TheScalarEdgesAreMinusXOverFourMinusXAndOne()
    {
        Assert.Equal((-1.0 / 3, 1.0), GrowthWedge.ScalarEdges(1));
        Assert.Equal((-1.0, 1.0), GrowthWedge.ScalarEdges(2));
        Assert.Equal((0.0, 1.0), GrowthWedge.ScalarEdges(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrowthWedge.ScalarEdges(4));
    }

    [Theory]
    [InlineData(0.0, 1.0, 1.0, -2.0)]    // output orthogonal to the targets, as large: 1·2 − 4·1
    [InlineData(0.0, 1.0, 3.0, 2.0)]     // the same at x = 3: 3·2 − 4
    [InlineData(0.1, 0.5, 1.0, 0.45)]    // 1·(1 − 0.2 + 0.25) − 4·(0.25 − 0.1)
    [InlineData(0.0, 0.0, 0.7, 0.7)]     // zero output
    public void VectorOutputsUseProjectionAndNormRatio(double p, double q, double x, double handMargin)
    {
        Assert.Equal(handMargin, GrowthWedge.Margin(p, q, x), 12);
    }

    [Fact]
    public void AnOrthogonalOutputGrowsOnlyBelowTheCriticalNorm()
    {
        // p = 0: m = x(1 + q²) − 4q² > 0 iff q² < x/(4 − x); at x = 1 the edge is q = 1/√3.
        double edge = Math.Sqrt(1.0 / 3);
        Assert.Equal(EarlyRegime.ProgressiveSharpening, GrowthWedge.Predict(0, edge * 0.99, 1).Regime);
        Assert.Equal(EarlyRegime.SharpnessReduction, GrowthWedge.Predict(0, edge * 1.01, 1).Regime);
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(0.3)]
    [InlineData(2.0)]
    public void ForATwoLayerLinearNetworkWithVectorOutputTheMarginIsTheExactWeightNormChange(double eta)
    {
        // f = V w / s with V ∈ R^{3×4}, L = ½‖f − y‖²: one GD step changes Λ = (‖w‖² + ‖V‖²)/s² by
        // (η‖y‖²/s²) m(p, q, x = ηκ) with κ = ‖∇L‖²/(2L), computed here from the hand gradient.
        double s = 1.5;
        double[] w = [0.3, -0.7, 0.2, 0.5];
        double[,] v = { { 0.4, 0.1, -0.3, 0.2 }, { -0.2, 0.6, 0.1, -0.1 }, { 0.3, 0.3, 0.5, -0.4 } };
        double[] y = [1.0, -0.5, 0.25];
        double[] f = Output(v, w, s);
        double[] residual = f.Zip(y, (a, b) => a - b).ToArray();
        double yy = y.Sum(a => a * a);
        double p = f.Zip(y, (a, b) => a * b).Sum() / yy;
        double q = Math.Sqrt(f.Sum(a => a * a) / yy);
        var (gradientV, gradientW) = Gradient(v, w, residual, s);
        double kappa = (gradientV.Cast<double>().Sum(a => a * a) + gradientW.Sum(a => a * a)) / residual.Sum(a => a * a);

        double change = Lambda(Step(v, w, y, s, eta), s) - Lambda((v, w), s);

        Assert.Equal(eta * yy / (s * s) * GrowthWedge.Margin(p, q, eta * kappa), change, 13);
    }

    [Fact]
    public void ImpossibleInputsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GrowthWedge.Margin(0.6, 0.5, 1));   // |p| > q
        Assert.Throws<ArgumentOutOfRangeException>(() => GrowthWedge.Margin(0, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrowthWedge.Margin(0, 1, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GrowthWedge.Margin(double.NaN, 1, 1));
    }

    [Fact]
    public void TheMeasuredStateGivesProjectionNormRatioAndScaledKernel()
    {
        var state = new InitialOutputState
        {
            OutputNorm = 3, TargetNorm = 2, OutputTargetInnerProduct = -1, LearningRate = 0.1, ResidualKernel = 5, InitialSharpness = 8,
        };

        Assert.Equal(1.5, state.NormRatio);
        Assert.Equal(-0.25, state.Projection);
        Assert.Equal(0.5, state.ScaledKernel, 15);
        Assert.Equal(0.8, state.ScaledSharpness, 15);
        // m = 0.5(1 + 0.5 + 2.25) − 4(2.25 + 0.25) = 1.875 − 10
        Assert.Equal(-8.125, GrowthWedge.Predict(state).Margin, 12);
    }

    private static double[] Output(double[,] v, double[] w, double s) =>
        Enumerable.Range(0, v.GetLength(0)).Select(i => Enumerable.Range(0, w.Length).Sum(j => v[i, j] * w[j]) / s).ToArray();

    private static double Lambda((double[,] V, double[] W) parameters, double s) =>
        (parameters.V.Cast<double>().Sum(a => a * a) + parameters.W.Sum(a => a * a)) / (s * s);

    // ∇_w L = Vᵀr/s, ∇_V L = r wᵀ/s for L = ½‖V w/s − y‖², r = f − y.
    private static (double[,] V, double[] W) Gradient(double[,] v, double[] w, double[] residual, double s)
    {
        var gradientV = new double[v.GetLength(0), w.Length];
        var gradientW = new double[w.Length];
        for (int j = 0; j < w.Length; j++)
        {
            gradientW[j] = Enumerable.Range(0, residual.Length).Sum(i => v[i, j] * residual[i]) / s;
            for (int i = 0; i < residual.Length; i++)
            {
                gradientV[i, j] = residual[i] * w[j] / s;
            }
        }

        return (gradientV, gradientW);
    }

    private static (double[,] V, double[] W) Step(double[,] v, double[] w, double[] y, double s, double eta)
    {
        double[] residual = Output(v, w, s).Zip(y, (a, b) => a - b).ToArray();
        var (gradientV, gradientW) = Gradient(v, w, residual, s);
        var nextV = (double[,])v.Clone();
        var nextW = (double[])w.Clone();
        for (int j = 0; j < w.Length; j++)
        {
            nextW[j] -= eta * gradientW[j];
            for (int i = 0; i < residual.Length; i++)
            {
                nextV[i, j] -= eta * gradientV[i, j];
            }
        }

        return (nextV, nextW);
    }
}
