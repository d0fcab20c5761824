using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tests.TestSupport;
using Sharpness.Nets.Training;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Training;

public sealed class TrainerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    public void FullBatchGradientAccumulatedOverBatchesEqualsASingleBatchStep(int physicalBatchSize)
    {
        // 13 examples in batches of 4 leave a last batch of 1, which a mean of batch means would overweight.
        using var scope = NewDisposeScope();
        var train = TrainingFixtures.Regression(13, 3, 2, seed: 1);
        using var accumulated = TrainingFixtures.Network(3, 2, 5, seed: 2);
        using var single = TrainingFixtures.Network(3, 2, 5, seed: 2);
        double[] theta0 = ParameterVector.Flatten(single);
        var gradient = new double[theta0.Length];
        double initialLoss;
        using (var op = new AutogradHessianOperator(single, LossFunction.HalfSquaredError, train.Inputs, train.Targets, batchSize: 13))
        {
            initialLoss = op.LossAndGradient(gradient);
        }

        var config = new TrainerConfig { LearningRate = LearningRateSpec.Absolute(0.3), MaxSteps = 1 };
        var a = Trainer.Run(accumulated, config with { PhysicalBatchSize = physicalBatchSize }, train);
        var b = Trainer.Run(single, config with { PhysicalBatchSize = 13 }, train);

        double[] thetaA = ParameterVector.Flatten(accumulated);
        double[] thetaB = ParameterVector.Flatten(single);
        double[] expected = theta0.Select((t, i) => t - (0.3 * gradient[i])).ToArray();
        Assert.True(HessianOracles.RelativeError(thetaA, thetaB) < 1e-12, $"accumulated vs single batch: {HessianOracles.RelativeError(thetaA, thetaB):e3}");
        Assert.True(HessianOracles.RelativeError(thetaA, expected) < 1e-12, $"accumulated vs θ − η∇L: {HessianOracles.RelativeError(thetaA, expected):e3}");
        Assert.Equal(initialLoss, a.Records[0].Loss, 1e-14);
        Assert.Equal(b.Records[1].Loss, a.Records[1].Loss, 1e-14);
        Assert.Equal(13, a.Records[0].Examples);
    }

    [Fact]
    public void SgdStepsFollowTheSamplerAndAccumulateMiniBatchesExactly()
    {
        using var scope = NewDisposeScope();
        var train = TrainingFixtures.Regression(20, 3, 2, seed: 3);
        using var model = TrainingFixtures.Network(3, 2, 5, seed: 4);
        using var chunked = TrainingFixtures.Network(3, 2, 5, seed: 4);
        double[] theta0 = ParameterVector.Flatten(model);
        var sampler = new ShuffledBatchSampler(20, 8, seed: 7);
        Tensor batch = tensor(sampler.Batch(0), ScalarType.Int64);
        var gradient = new double[theta0.Length];
        using (var op = new AutogradHessianOperator(model, LossFunction.HalfSquaredError, train.Inputs.index_select(0, batch), train.Targets.index_select(0, batch)))
        {
            op.LossAndGradient(gradient);
        }

        var config = new TrainerConfig
        {
            Optimizer = OptimizerKind.StochasticGradientDescent, BatchSize = 8, Seed = 7, LearningRate = LearningRateSpec.Absolute(0.2), MaxSteps = 1,
        };
        var result = Trainer.Run(model, config, train);
        Trainer.Run(chunked, config with { PhysicalBatchSize = 3, MaxSteps = 1 }, train);

        double[] expected = theta0.Select((t, i) => t - (0.2 * gradient[i])).ToArray();
        Assert.True(HessianOracles.RelativeError(ParameterVector.Flatten(model), expected) < 1e-12);
        Assert.True(HessianOracles.RelativeError(ParameterVector.Flatten(chunked), expected) < 1e-12);
        Assert.Equal([8, 8], result.Records.Select(r => r.Examples));
    }

    [Fact]
    public void HeavyBallMomentumMatchesAHandComputedTwoStepExample()
    {
        // L(w) = ½(2w − 1)², ∇L = 2(2w − 1); η = 0.1, β = 0.9, w₀ = 1:
        // g₀ = 2, m₁ = 2, w₁ = 0.8; g₁ = 1.2, m₂ = 0.9·2 + 1.2 = 3, w₂ = 0.8 − 0.3 = 0.5.
        using var model = TrainingFixtures.ScalarModel(1.0);
        using var scope = NewDisposeScope();
        var weights = new List<double>();
        var config = new TrainerConfig { LearningRate = LearningRateSpec.Absolute(0.1), Momentum = 0.9, MaxSteps = 2 };

        var result = Trainer.Run(model, config, TrainingFixtures.ScalarExample(), onStep: _ => weights.Add(ParameterVector.Flatten(model)[0]));

        Assert.Equal(1.0, weights[0]);
        Assert.Equal(0.8, weights[1], 1e-15);
        Assert.Equal(0.5, weights[2], 1e-15);
        Assert.Equal(0.5, result.Records[0].Loss, 1e-15);
        Assert.Equal(0.18, result.Records[1].Loss, 1e-15);
        Assert.Equal(0.0, result.Records[2].Loss, 1e-15);
        Assert.Equal(TrainingStopReason.StepBudget, result.StopReason);
        Assert.Equal(2, result.StepsCompleted);
    }

    [Fact]
    public void WarmUpRampsTheLearningRateLinearlyOverTheFirstSteps()
    {
        var config = new TrainerConfig { WarmupSteps = 4, LearningRate = LearningRateSpec.Absolute(0.2), MaxSteps = 6 };

        Assert.Equal([0.05, 0.1, 0.15000000000000002, 0.2, 0.2, 0.2], Enumerable.Range(0, 6).Select(t => config.LearningRateAt(t, 0.2)));
        Assert.Equal(0.2, (config with { WarmupSteps = 0 }).LearningRateAt(0, 0.2));
        Assert.Equal(0.1, (config with { WarmupSteps = 1 }).LearningRateAt(0, 0.1));

        using var model = TrainingFixtures.ScalarModel(1.0);
        using var scope = NewDisposeScope();
        var weights = new List<double>();
        var result = Trainer.Run(model, config, TrainingFixtures.ScalarExample(), onStep: _ => weights.Add(ParameterVector.Flatten(model)[0]));

        Assert.Equal(Enumerable.Range(0, 7).Select(t => config.LearningRateAt(t, 0.2)), result.Records.Select(r => r.LearningRate));
        Assert.Equal(1.0 - (0.05 * 2.0), weights[1], 1e-15);
        double g1 = 2 * ((2 * weights[1]) - 1);
        Assert.Equal(weights[1] - (0.1 * g1), weights[2], 1e-15);
    }

    [Fact]
    public void ARelativeLearningRateSatisfiesEtaTimesTheInitialSharpnessEqualsC()
    {
        using var scope = NewDisposeScope();
        var train = TrainingFixtures.Regression(16, 3, 2, seed: 5);
        double denseTop;
        using (var probe = TrainingFixtures.Network(3, 2, 6, seed: 6))
        using (var op = new AutogradHessianOperator(probe, LossFunction.HalfSquaredError, train.Inputs, train.Targets))
        {
            denseTop = SymmetricEigen.Top(HessianOracles.Symmetrised(HessianOracles.Dense(op)));
        }

        using var tracked = TrainingFixtures.Network(3, 2, 6, seed: 6);
        using var untracked = TrainingFixtures.Network(3, 2, 6, seed: 6);
        var config = new TrainerConfig { LearningRate = LearningRateSpec.RelativeToInitialSharpness(1.7), MaxSteps = 2, WarmupSteps = 2 };
        var withTracking = Trainer.Run(tracked, config with { Tracking = new SharpnessTrackerOptions { ResidualTolerance = 1e-10 } }, train);
        var withoutTracking = Trainer.Run(untracked, config, train);

        Assert.Equal(1.7, withTracking.LearningRate * withTracking.InitialSharpness, 1e-14);
        Assert.Equal(1.7, withoutTracking.LearningRate * withoutTracking.InitialSharpness, 1e-14);
        Assert.True(Math.Abs(withTracking.InitialSharpness - denseTop) <= 1e-9 * denseTop, $"λ_H(0) {withTracking.InitialSharpness:r}, dense {denseTop:r}");
        Assert.True(Math.Abs(withoutTracking.InitialSharpness - denseTop) <= 1e-6 * denseTop, $"λ_H(0) {withoutTracking.InitialSharpness:r}, dense {denseTop:r}");
        SharpnessMeasurement first = withTracking.Measurements[0];
        Assert.Equal(withTracking.InitialSharpness, first.Sharpness);
        Assert.Equal(withTracking.LearningRate / 2, first.LearningRate);
        Assert.Equal(2 / (withTracking.LearningRate / 2), first.Threshold, 1e-12);
        Assert.Empty(withoutTracking.Measurements);
    }

    [Fact]
    public void AHugeLearningRateIsLabelledDivergedAndKeepsTheDataUpToThatStep()
    {
        using var model = TrainingFixtures.Network(3, 2, 8, seed: 8, dtype: ScalarType.Float32);
        using var scope = NewDisposeScope();
        var train = TrainingFixtures.Regression(12, 3, 2, seed: 9);
        var config = new TrainerConfig { LearningRate = LearningRateSpec.Absolute(1e3), MaxSteps = 100, Tracking = new SharpnessTrackerOptions { MaxMatvecs = 50 } };
        var seen = new List<int>();

        var result = Trainer.Run(model, config, train, onStep: r => seen.Add(r.Step));

        Assert.True(result.Diverged);
        Assert.Equal(TrainingStopReason.Diverged, result.StopReason);
        int last = result.Records[^1].Step;
        Assert.Equal(last, result.DivergedAtStep);
        Assert.InRange(last, 1, 99);
        Assert.Equal(Enumerable.Range(0, last + 1), result.Records.Select(r => r.Step));
        Assert.Equal(seen, result.Records.Select(r => r.Step));
        Assert.All(result.Records.SkipLast(1), r => Assert.True(double.IsFinite(r.Loss) && r.Loss <= 1e5));
        TrainingStepRecord final = result.Records[^1];
        Assert.True(!double.IsFinite(final.Loss) || final.Loss > 1e5, $"final loss {final.Loss}");
        Assert.Null(final.Measurement);
        Assert.True(double.IsNaN(final.Sharpness) && double.IsNaN(final.Threshold) && double.IsNaN(final.Residual));
        Assert.Null(final.Matvecs);
        Assert.Null(final.Converged);
        Assert.Equal(last, result.Measurements.Count);
        Assert.Equal(1e3, result.LearningRate);
    }

    [Theory]
    [InlineData(OptimizerKind.GradientDescent, ScalarType.Float64)]
    [InlineData(OptimizerKind.GradientDescent, ScalarType.Float32)]
    [InlineData(OptimizerKind.StochasticGradientDescent, ScalarType.Float64)]
    public void RunsWithTheSameSeedAreBitIdentical(OptimizerKind optimizer, ScalarType dtype)
    {
        // The inputs are handed over as made from a managed array (8-byte aligned, at a different
        // address every time): the trainer's own aligned copy is what makes the runs reproducible.
        (long[] Losses, long[] Sharpness, long[] Theta) Run()
        {
            using var model = TrainingFixtures.Network(4, 3, 10, seed: 10, dtype: dtype);
            using var scope = NewDisposeScope();
            var targets = TrainingFixtures.Regression(30, 4, 3, seed: 11).Targets;
            var train = new ExampleSet(SyntheticData.Inputs(30, 4, seed: 11), targets);
            var config = new TrainerConfig
            {
                Optimizer = optimizer,
                BatchSize = 7,
                PhysicalBatchSize = 8,
                Seed = 12,
                LearningRate = LearningRateSpec.RelativeToInitialSharpness(1.9),
                Momentum = 0.5,
                WarmupSteps = 3,
                MaxSteps = 12,
                Tracking = new SharpnessTrackerOptions { Interval = 4, Count = 2 },
            };
            var result = Trainer.Run(model, config, train, test: train);
            return (
                TrainingFixtures.Bits(result.Records.Select(r => r.Loss).Concat(result.Measurements.Select(m => m.TestLoss))),
                TrainingFixtures.Bits(result.Records.Select(r => r.Sharpness)),
                TrainingFixtures.Bits(ParameterVector.Flatten(model)));
        }

        var first = Run();
        for (int repeat = 0; repeat < 3; repeat++)
        {
            var again = Run();
            Assert.Equal(first.Losses, again.Losses);
            Assert.Equal(first.Sharpness, again.Sharpness);
            Assert.Equal(first.Theta, again.Theta);
        }
    }

    [Theory]
    [InlineData(0.6, 0.0, true)]
    [InlineData(0.6, 0.5, false)]
    [InlineData(0.74, 0.5, false)]
    [InlineData(0.76, 0.5, true)]
    public void TheMomentumThresholdTwoPlusTwoBetaOverEtaSeparatesStableFromDivergentRuns(double learningRate, double momentum, bool diverges)
    {
        // H = 4 everywhere: heavy ball is stable exactly when 4η < 2 + 2β.
        using var model = TrainingFixtures.ScalarModel(1.0);
        using var scope = NewDisposeScope();
        var config = new TrainerConfig
        {
            LearningRate = LearningRateSpec.Absolute(learningRate),
            Momentum = momentum,
            MaxSteps = 400,
            Tracking = new SharpnessTrackerOptions { Interval = 50 },
        };

        var result = Trainer.Run(model, config, TrainingFixtures.ScalarExample());

        SharpnessMeasurement first = result.Measurements[0];
        Assert.Equal(4.0, first.Sharpness, 1e-12);
        Assert.Equal((2 + (2 * momentum)) / learningRate, first.Threshold);
        Assert.Equal(first.Threshold, result.Records[0].Threshold);
        Assert.Equal(diverges, first.Sharpness > first.Threshold);
        Assert.Equal(diverges, result.Diverged);
        if (!diverges)
        {
            Assert.True(result.Records[^1].Loss < 1e-12, $"final loss {result.Records[^1].Loss}");
        }
    }

    [Fact]
    public void TrainingStopsAtTheAccuracyOrLossGoal()
    {
        using var scope = NewDisposeScope();
        var train = TrainingFixtures.Classification(24, 3, 3, seed: 13);
        var config = new TrainerConfig { Loss = LossFunction.CrossEntropy, LearningRate = LearningRateSpec.Absolute(1.0), MaxSteps = 2000 };

        using (var model = TrainingFixtures.Network(3, 3, 16, seed: 14))
        {
            var result = Trainer.Run(model, config with { TrainAccuracyGoal = 0.9 }, train);
            Assert.Equal(TrainingStopReason.AccuracyGoal, result.StopReason);
            Assert.True(result.Records[^1].Accuracy >= 0.9);
            Assert.All(result.Records.SkipLast(1), r => Assert.True(r.Accuracy < 0.9));
            Assert.InRange(result.StepsCompleted, 1, 1999);
        }

        using (var model = TrainingFixtures.Network(3, 3, 16, seed: 14))
        {
            var result = Trainer.Run(model, config with { LossGoal = 0.5 }, train);
            Assert.Equal(TrainingStopReason.LossGoal, result.StopReason);
            Assert.True(result.Records[^1].Loss <= 0.5);
            Assert.All(result.Records.SkipLast(1), r => Assert.True(r.Loss > 0.5));
            Assert.InRange(result.StepsCompleted, 1, 1999);
        }
    }

    [Fact]
    public void CancellationStopsAfterTheCurrentStepWithoutAnException()
    {
        using var model = TrainingFixtures.ScalarModel(1.0);
        using var scope = NewDisposeScope();
        using var cancellation = new CancellationTokenSource();
        var config = new TrainerConfig { LearningRate = LearningRateSpec.Absolute(0.01), MaxSteps = 1000 };

        var result = Trainer.Run(model, config, TrainingFixtures.ScalarExample(), onStep: r =>
        {
            if (r.Step == 3)
            {
                cancellation.Cancel();
            }
        }, cancellationToken: cancellation.Token);

        Assert.Equal(TrainingStopReason.Cancelled, result.StopReason);
        Assert.Equal(3, result.StepsCompleted);
        Assert.False(result.Diverged);
        Assert.Null(result.DivergedAtStep);
    }

    [Fact]
    public void InvalidSettingsAndDataAreRejectedBeforeTraining()
    {
        using var model = TrainingFixtures.Network(3, 2, 4, seed: 15);
        using var single = TrainingFixtures.ScalarModel(1.0);
        using var scope = NewDisposeScope();
        var train = TrainingFixtures.Regression(6, 3, 2, seed: 16);
        var config = new TrainerConfig();
        double[] before = ParameterVector.Flatten(model);

        void Rejects<T>(TrainerConfig bad, string parameter)
            where T : ArgumentException => Assert.Equal(parameter, Assert.Throws<T>(() => Trainer.Run(model, bad, train)).ParamName);

        Rejects<ArgumentOutOfRangeException>(config with { Momentum = 1 }, nameof(TrainerConfig.Momentum));
        Rejects<ArgumentOutOfRangeException>(config with { Momentum = -0.1 }, nameof(TrainerConfig.Momentum));
        Rejects<ArgumentOutOfRangeException>(config with { BatchSize = 0 }, nameof(TrainerConfig.BatchSize));
        Rejects<ArgumentOutOfRangeException>(config with { PhysicalBatchSize = 0 }, nameof(TrainerConfig.PhysicalBatchSize));
        Rejects<ArgumentOutOfRangeException>(config with { WarmupSteps = -1 }, nameof(TrainerConfig.WarmupSteps));
        Rejects<ArgumentOutOfRangeException>(config with { MaxSteps = -1 }, nameof(TrainerConfig.MaxSteps));
        Rejects<ArgumentOutOfRangeException>(config with { TrainAccuracyGoal = 1.5 }, nameof(TrainerConfig.TrainAccuracyGoal));
        Rejects<ArgumentOutOfRangeException>(config with { LossGoal = double.NaN }, nameof(TrainerConfig.LossGoal));
        Rejects<ArgumentOutOfRangeException>(config with { DivergenceThreshold = 0 }, nameof(TrainerConfig.DivergenceThreshold));
        Rejects<ArgumentOutOfRangeException>(config with { Threads = 0 }, nameof(TrainerConfig.Threads));
        Rejects<ArgumentOutOfRangeException>(config with { Tracking = new SharpnessTrackerOptions { MaxMatvecs = 0 } }, nameof(SharpnessTrackerOptions.MaxMatvecs));
        Rejects<ArgumentException>(config with { Loss = LossFunction.CrossEntropy }, "targets");
        Assert.Throws<ArgumentException>(() => Trainer.Run(model, config, train with { Inputs = SyntheticData.Inputs(6, 4, seed: 1) }));
        Assert.Throws<ArgumentException>(() => Trainer.Run(model, config, train with { Inputs = train.Inputs.to(ScalarType.Int64) }));
        Assert.Throws<ArgumentException>(() => Trainer.Run(model, config, train, test: train with { Targets = train.Targets.narrow(1, 0, 1) }));
        Assert.Throws<ArgumentException>(() => Trainer.Run(single, config with { TrainAccuracyGoal = 0.9 }, TrainingFixtures.ScalarExample()));
        Assert.Equal(before, ParameterVector.Flatten(model));
    }
}
