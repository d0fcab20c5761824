using Sharpness.Nets.Experiments;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Experiments;

/// <summary>
/// The UV model as a real network (n = 4, d = 1, x = 1, y = 1, s = 2): the measured initial state gives
/// the wedge's prediction, the tracked λ_H gives the observed trend, and both agree with the closed
/// form of uv-model.md.
/// </summary>
public sealed class UvModulePredictionTests
{
    private const double Normaliser = 2;
    private const double Target = 1;
    private const int Steps = 12;

    public static TheoryData<string, double[], double[], double, EarlyRegime, EarlyRegime> Cases => new()
    {
        // TV1: f/y = −0.205 below the lower edge −x/(4 − x) = −0.0796 (x = 0.295).
        { "TV1", [0.5, -0.3, 0.8, 0.1], [0.2, 0.4, -0.6, 0.9], 0.5, EarlyRegime.SharpnessReduction, EarlyRegime.SharpnessReduction },
        // u = v = 1: f/y = 2 beyond the target.
        { "large output", [1, 1, 1, 1], [1, 1, 1, 1], 0.25, EarlyRegime.SharpnessReduction, EarlyRegime.SharpnessReduction },
        // f/y = 0.1, λ = 1, η = 1: inside the wedge (m = 1.17).
        { "small output", [0.2, Math.Sqrt(2.96), 0, 0], [1, 0, 0, 0], 1.0, EarlyRegime.ProgressiveSharpening, EarlyRegime.ProgressiveSharpening },
        // v = 0: zero output, m = x = 1.
        { "zero readout", [2, 0, 0, 0], [0, 0, 0, 0], 1.0, EarlyRegime.ProgressiveSharpening, EarlyRegime.ProgressiveSharpening },
        // f = 0 with u ⟂ v, x = r = 0.5: the kernel λ grows (m = 0.5) but λ_H falls first, from 0.809/η
        // to 0.5/η: its residual term |Δf|-part shrinks faster than λ grows (uv-model.md section 4).
        { "zero output, residual-dominated Hessian", [1, 0, 0, 0], [0, 1, 0, 0], 1.0, EarlyRegime.ProgressiveSharpening, EarlyRegime.SharpnessReduction },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PredictionAndObservationMatchTheClosedForm(string name, double[] u, double[] v, double eta, EarlyRegime predicted, EarlyRegime observed)
    {
        var uMatrix = new double[u.Length, 1];
        for (int i = 0; i < u.Length; i++)
        {
            uMatrix[i, 0] = u[i];
        }

        using var module = new UvModule(uMatrix, v, Normaliser);
        using var scope = NewDisposeScope();
        var train = new ExampleSet(tensor(new[] { 1.0 }, [1, 1], ScalarType.Float64), tensor(new[] { Target }, [1, 1], ScalarType.Float64));
        double f0 = u.Zip(v, (a, b) => a * b).Sum() / Normaliser;
        double lambda0 = (u.Sum(a => a * a) + v.Sum(a => a * a)) / (Normaliser * Normaliser);
        double kernel0 = double.NaN;
        var config = new TrainerConfig
        {
            LearningRate = LearningRateSpec.Absolute(eta),
            MaxSteps = Steps,
            Tracking = new SharpnessTrackerOptions { Interval = 1, ResidualTolerance = 1e-11, MaxMatvecs = 100 },
        };

        var result = Trainer.Run(module, config, train, onStep: record =>
        {
            if (record.Step == 0)
            {
                kernel0 = ResidualKernel.Measure(module, LossFunction.HalfSquaredError, train.Inputs, train.Targets);
            }
        });

        // κ₀ = ‖∇L‖²/(2L) is the UV model's λ exactly.
        Assert.Equal(lambda0, kernel0, 10);
        var m0 = result.Measurements[0];
        var state = new InitialOutputState
        {
            OutputNorm = m0.OutputNorm,
            TargetNorm = m0.TargetNorm,
            OutputTargetInnerProduct = m0.OutputTargetInnerProduct,
            LearningRate = result.LearningRate,
            ResidualKernel = kernel0,
            InitialSharpness = m0.Sharpness,
        };
        Assert.Equal(f0 / Target, state.Projection, 12);
        Assert.Equal(Math.Abs(f0 / Target), state.NormRatio, 12);

        var prediction = GrowthWedge.Predict(state);
        var tracked = EarlyTrendClassifier.Classify(result.Measurements.Select(m => m.Step).ToArray(), result.Measurements.Select(m => m.Sharpness).ToArray());
        var (closedFormSharpness, closedFormKernel) = ClosedForm(f0, lambda0, eta, u.Length);
        var closedForm = EarlyTrendClassifier.Classify(Enumerable.Range(0, Steps + 1).ToArray(), closedFormSharpness);
        var closedFormKernelTrend = EarlyTrendClassifier.Classify(Enumerable.Range(0, Steps + 1).ToArray(), closedFormKernel);

        Assert.True(predicted == prediction.Regime, $"{name}: predicted {prediction.Regime} (margin {prediction.Margin}), expected {predicted}");
        Assert.True(observed == tracked.Regime, $"{name}: observed {tracked.Regime}, expected {observed}");
        Assert.Equal(closedForm.Regime, tracked.Regime);
        Assert.Equal(closedForm.DecidedAtStep, tracked.DecidedAtStep);
        // The wedge is exact for the kernel: its first step (and first move out of the band) goes the way the margin says.
        Assert.Equal(predicted, closedFormKernelTrend.FirstMove);
        Assert.Equal(Math.Sign(prediction.Margin), Math.Sign(closedFormKernel[1] - closedFormKernel[0]));
    }

    private static (double[] Sharpness, double[] Kernel) ClosedForm(double f0, double lambda0, double eta, int width)
    {
        var sharpness = new double[Steps + 1];
        var kernel = new double[Steps + 1];
        var state = new UvFunctionState(f0, lambda0);
        for (int t = 0; t <= Steps; t++)
        {
            sharpness[t] = UvSharpness.Hessian(state, Target, Normaliser, width);
            kernel[t] = state.Ntk;
            state = UvFunctionSpaceMap.Step(state, eta, Target, Normaliser);
        }

        return (sharpness, kernel);
    }
}
