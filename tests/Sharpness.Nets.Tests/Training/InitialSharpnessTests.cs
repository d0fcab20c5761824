using Sharpness.Nets.Training;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Training;

/// <summary>
/// η = c/λ_H(0) on a model whose initial sharpness is not a positive finite number: the trainer
/// stops before the first step with <see cref="InitialSharpnessException"/>, which the command line
/// reports as invalid input, never as a bug. Oracle: the scalar model f(x) = w x with one example and
/// the half squared error has H = x² exactly, so x = 0 gives λ_H(0) = 0 and x = 1e200 gives
/// λ_H(0) = 1e400, beyond float64.
/// </summary>
public sealed class InitialSharpnessTests
{
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(1e200, double.PositiveInfinity)]
    public void ALearningRateRelativeToAnUnusableInitialSharpnessIsRefusedBeforeTheFirstStep(double x, double hessian)
    {
        using var scope = NewDisposeScope();
        Assert.Equal(hessian, x * x); // the closed form, in float64
        using var model = TrainingFixtures.ScalarModel(0.5);
        var example = new ExampleSet(tensor(new[] { x }, [1, 1], ScalarType.Float64), tensor(new[] { 1.0 }, [1, 1], ScalarType.Float64));
        var config = new TrainerConfig { LearningRate = LearningRateSpec.RelativeToInitialSharpness(1), MaxSteps = 3, Loss = Sharpness.Nets.Hessian.LossFunction.HalfSquaredError };
        double before = Sharpness.Nets.Parameters.ParameterVector.Flatten(model)[0];

        foreach (var tracking in new SharpnessTrackerOptions?[] { null, new SharpnessTrackerOptions() })
        {
            var error = Assert.Throws<InitialSharpnessException>(() => Trainer.Run(model, config with { Tracking = tracking }, example));
            Assert.True(!(error.Sharpness > 0) || !double.IsFinite(error.Sharpness), $"λ_H(0) = {error.Sharpness}");
            Assert.Contains("lambda_H(0)", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("\n", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, Sharpness.Nets.Parameters.ParameterVector.Flatten(model)[0]); // nothing was trained
    }

    [Fact]
    public void TheSameModelWithAnAbsoluteLearningRateIsADivergedRunNotAnError()
    {
        using var scope = NewDisposeScope();
        using var model = TrainingFixtures.ScalarModel(1e200);
        var example = new ExampleSet(tensor(new[] { 1e200 }, [1, 1], ScalarType.Float64), tensor(new[] { 1.0 }, [1, 1], ScalarType.Float64));
        var result = Trainer.Run(model, new TrainerConfig { LearningRate = LearningRateSpec.Absolute(0.1), MaxSteps = 3, Loss = Sharpness.Nets.Hessian.LossFunction.HalfSquaredError }, example);
        Assert.True(result.Diverged);
        Assert.Equal(0, result.DivergedAtStep);
    }
}
