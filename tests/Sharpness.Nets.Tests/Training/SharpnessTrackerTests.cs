using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tests.TestSupport;
using Sharpness.Nets.Training;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Training;

public sealed class SharpnessTrackerTests
{
    [Fact]
    public void TheTrackedSharpnessOfTheUvModuleEqualsTheClosedFormAlongARun()
    {
        var uv = new UvModelConfig { Width = 5, Input = [1.2, -0.5], Target = 1.5, Seed = 3, Parameterisation = Parameterisation.Ntp };
        using var module = UvModule.Create(uv);
        using var scope = NewDisposeScope();
        var train = new ExampleSet(tensor(uv.Input, [1, 2], ScalarType.Float64), tensor(new[] { uv.Target }, [1, 1], ScalarType.Float64));
        var config = new TrainerConfig
        {
            LearningRate = LearningRateSpec.RelativeToInitialSharpness(1.8),
            MaxSteps = 12,
            Tracking = new SharpnessTrackerOptions { Interval = 3, ResidualTolerance = 1e-12, MaxMatvecs = 100 },
        };
        var compared = new List<(int Step, double Tracked, double ClosedForm)>();

        var result = Trainer.Run(module, config, train, onStep: record =>
        {
            if (record.Measurement is { } measurement)
            {
                compared.Add((record.Step, measurement.Sharpness, ClosedFormSharpness(module, uv)));
            }
        });

        Assert.False(result.Diverged);
        Assert.Equal([0, 3, 6, 9, 12], compared.Select(c => c.Step));
        foreach (var (step, tracked, closedForm) in compared)
        {
            Assert.True(Math.Abs(tracked - closedForm) <= 1e-9 * Math.Max(1, Math.Abs(closedForm)), $"step {step}: tracked {tracked:r}, closed form {closedForm:r}");
        }

        Assert.True(compared.Max(c => c.ClosedForm) - compared.Min(c => c.ClosedForm) > 1e-3 * compared[0].ClosedForm, "the sharpness should change along the run");
        Assert.All(result.Measurements, m => Assert.True(m.Converged));
    }

    [Fact]
    public void WarmStartsNeedAtMostHalfTheProductsOfColdStartsAtEqualAccuracy()
    {
        // At a relative residual of 1e-4 the eigenvalue error is about 1e-8 relative (tol² λ/gap).
        var reference = Track(warmStart: false, tolerance: 1e-11);
        var warm = Track(warmStart: true, tolerance: 1e-4);
        var cold = Track(warmStart: false, tolerance: 1e-4);

        Assert.Equal(TrainingFixtures.Bits(cold.Records.Select(r => r.Loss)), TrainingFixtures.Bits(warm.Records.Select(r => r.Loss)));
        Assert.Equal(31, warm.Measurements.Count);
        Assert.All(warm.Measurements.Concat(cold.Measurements).Concat(reference.Measurements), m => Assert.True(m.Converged, $"step {m.Step} did not converge"));
        Assert.Equal([false, .. Enumerable.Repeat(true, 30)], warm.Measurements.Select(m => m.WarmStarted));
        Assert.All(cold.Measurements, m => Assert.False(m.WarmStarted));
        for (int i = 0; i < reference.Measurements.Count; i++)
        {
            double exact = reference.Measurements[i].Sharpness;
            Assert.True(Math.Abs(warm.Measurements[i].Sharpness - exact) <= 1e-6 * exact, $"warm, measurement {i}: {warm.Measurements[i].Sharpness:r} vs {exact:r}");
            Assert.True(Math.Abs(cold.Measurements[i].Sharpness - exact) <= 1e-6 * exact, $"cold, measurement {i}: {cold.Measurements[i].Sharpness:r} vs {exact:r}");
        }

        int warmTotal = warm.Measurements.Sum(m => m.Matvecs);
        int coldTotal = cold.Measurements.Sum(m => m.Matvecs);
        Assert.True(2 * warmTotal <= coldTotal, $"warm starts used {warmTotal} products, cold starts {coldTotal}");
    }

    [Fact]
    public void KeptGraphsGiveBitIdenticalMeasurementsToRebuiltOnes()
    {
        // A measurement set of 23 examples in batches of 5: the tracker keeps the five batches' graphs (a small fully
        // connected network) or rebuilds them at every product; every number of every measurement must be the same.
        TrainingResult Run(bool retain)
        {
            using var model = TrainingFixtures.Network(4, 3, 7, seed: 31);
            using var scope = NewDisposeScope();
            var train = TrainingFixtures.Regression(30, 4, 3, seed: 32);
            var options = new SharpnessTrackerOptions { Interval = 2, Count = 2, MeasurementExamples = 23, HvpBatchSize = 5, RetainGraphs = retain };
            using (var tracker = new SharpnessTracker(LossFunction.HalfSquaredError, train, options))
            {
                Assert.Equal(retain, tracker.RetainsGraphs(model));
            }

            return Trainer.Run(model, new TrainerConfig { LearningRate = LearningRateSpec.Absolute(0.05), MaxSteps = 8, Tracking = options }, train);
        }

        var kept = Run(retain: true);
        var rebuilt = Run(retain: false);

        Assert.Equal(5, kept.Measurements.Count);
        Assert.Equal(rebuilt.Measurements.Sum(m => m.Matvecs), kept.Measurements.Sum(m => m.Matvecs));
        Assert.Equal(TrainingFixtures.Bits(rebuilt.Measurements.SelectMany(m => m.Eigenvalues)), TrainingFixtures.Bits(kept.Measurements.SelectMany(m => m.Eigenvalues)));
        Assert.Equal(TrainingFixtures.Bits(rebuilt.Measurements.SelectMany(m => m.Residuals)), TrainingFixtures.Bits(kept.Measurements.SelectMany(m => m.Residuals)));
        Assert.Equal(TrainingFixtures.Bits(rebuilt.Records.Select(r => r.Loss)), TrainingFixtures.Bits(kept.Records.Select(r => r.Loss)));
    }

    [Fact]
    public void OnlyNetworksWithAGraphEstimateKeepSeveralBatchGraphs()
    {
        var uv = new UvModelConfig { Width = 5, Input = [1.2, -0.5], Target = 1.5, Seed = 3, Parameterisation = Parameterisation.Ntp };
        using var module = UvModule.Create(uv);
        using var scope = NewDisposeScope();
        var train = new ExampleSet(tensor(uv.Input, [1, 2], ScalarType.Float64), tensor(new[] { uv.Target }, [1, 1], ScalarType.Float64));
        using var tracker = new SharpnessTracker(LossFunction.HalfSquaredError, train);

        Assert.True(tracker.Options.RetainGraphs);
        Assert.False(tracker.RetainsGraphs(module));
    }

    [Fact]
    public void SeveralTopEigenvaluesMatchTheDenseHessianWithWarmStarts()
    {
        using var model = TrainingFixtures.Network(3, 2, 5, seed: 11);
        using var scope = NewDisposeScope();
        var train = TrainingFixtures.Regression(15, 3, 2, seed: 12);
        var config = new TrainerConfig
        {
            LearningRate = LearningRateSpec.RelativeToInitialSharpness(1.5),
            MaxSteps = 6,
            Tracking = new SharpnessTrackerOptions { Interval = 2, Count = 3, ResidualTolerance = 1e-10 },
        };
        var checkedSteps = new List<int>();

        Trainer.Run(model, config, train, onStep: record =>
        {
            if (record.Measurement is not { } measurement)
            {
                return;
            }

            using var op = new AutogradHessianOperator(model, LossFunction.HalfSquaredError, train.Inputs, train.Targets);
            double[] dense = SymmetricEigen.Eigenvalues(HessianOracles.Symmetrised(HessianOracles.Dense(op))).OrderDescending().ToArray();
            Assert.Equal(3, measurement.Eigenvalues.Count);
            for (int k = 0; k < 3; k++)
            {
                Assert.True(Math.Abs(measurement.Eigenvalues[k] - dense[k]) <= 1e-8 * dense[0], $"step {record.Step}, eigenvalue {k}: {measurement.Eigenvalues[k]:r} vs {dense[k]:r}");
                Assert.True(measurement.Residuals[k] <= 1e-10 * dense[0] * 1.0001);
            }

            checkedSteps.Add(record.Step);
        });

        Assert.Equal([0, 2, 4, 6], checkedSteps);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MeasurementStatisticsMatchADirectComputation(bool crossEntropy)
    {
        using var model = TrainingFixtures.Network(3, 3, 6, seed: 21);
        using var scope = NewDisposeScope();
        var train = crossEntropy ? TrainingFixtures.Classification(25, 3, 3, seed: 22) : TrainingFixtures.Regression(25, 3, 3, seed: 22);
        var test = crossEntropy ? TrainingFixtures.Classification(9, 3, 3, seed: 23) : TrainingFixtures.Regression(9, 3, 3, seed: 23);
        LossFunction loss = crossEntropy ? LossFunction.CrossEntropy : LossFunction.HalfMeanSquaredError;
        using var tracker = new SharpnessTracker(loss, train, new SharpnessTrackerOptions { MeasurementExamples = 10, HvpBatchSize = 4 }, test);

        SharpnessMeasurement m = tracker.Measure(model, step: 7, learningRate: 0.25, momentum: 0.5);

        double[] f = model.forward(train.Inputs.narrow(0, 0, 10)).detach().data<double>().ToArray();
        double[] y = crossEntropy
            ? nn.functional.one_hot(train.Targets.narrow(0, 0, 10), 3).to(ScalarType.Float64).data<double>().ToArray()
            : train.Targets.narrow(0, 0, 10).data<double>().ToArray();
        Assert.Equal(7, m.Step);
        Assert.Equal(10, m.MeasurementExamples);
        Assert.Equal(Math.Sqrt(f.Sum(v => v * v)), m.OutputNorm, 1e-12);
        Assert.Equal(f.Zip(y, (a, b) => a * b).Sum(), m.OutputTargetInnerProduct, 1e-12);
        Assert.Equal(Math.Sqrt(y.Sum(v => v * v)), m.TargetNorm, 1e-12);
        Assert.Equal(3.0 / 0.25, m.Threshold);
        using var measurementOp = new AutogradHessianOperator(model, loss, train.Inputs.narrow(0, 0, 10), train.Targets.narrow(0, 0, 10));
        using var trainOp = new AutogradHessianOperator(model, loss, train.Inputs, train.Targets);
        using var testOp = new AutogradHessianOperator(model, loss, test.Inputs, test.Targets);
        Assert.Equal(measurementOp.LossValue(), m.MeasurementLoss, 1e-13);
        Assert.Equal(trainOp.LossValue(), m.TrainLoss, 1e-13);
        Assert.Equal(testOp.LossValue(), m.TestLoss, 1e-13);
        Assert.Equal(Accuracy(model, train, crossEntropy), m.TrainAccuracy);
        Assert.Equal(Accuracy(model, test, crossEntropy), m.TestAccuracy);
        double top = SymmetricEigen.Top(HessianOracles.Symmetrised(HessianOracles.Dense(measurementOp)));
        Assert.True(Math.Abs(m.Sharpness - top) <= 1e-8 * top, $"tracked {m.Sharpness:r}, dense {top:r}");
    }

    [Fact]
    public void ASingleOutputHasNoAccuracyAndNoTestSetGivesNaN()
    {
        using var model = TrainingFixtures.Network(2, 1, 4, seed: 31);
        using var scope = NewDisposeScope();
        using var tracker = new SharpnessTracker(LossFunction.HalfSquaredError, TrainingFixtures.Regression(6, 2, 1, seed: 32));

        SharpnessMeasurement m = tracker.Measure(model, 0, double.NaN);

        Assert.True(double.IsNaN(m.TrainAccuracy));
        Assert.True(double.IsNaN(m.TestLoss));
        Assert.True(double.IsNaN(m.TestAccuracy));
        Assert.True(double.IsNaN(m.Threshold));
        Assert.True(m.Sharpness > 0);
        Assert.False(m.WarmStarted);
        Assert.True(tracker.HasWarmStart);
        tracker.ResetWarmStart();
        Assert.False(tracker.HasWarmStart);
    }

    [Fact]
    public void BadDataAndOptionsAreRejectedBeforeAnyLibTorchCall()
    {
        using var model = TrainingFixtures.Network(3, 2, 4, seed: 41);
        using var scope = NewDisposeScope();
        var train = TrainingFixtures.Regression(5, 3, 2, seed: 42);

        Assert.Throws<ArgumentOutOfRangeException>(() => new SharpnessTracker(LossFunction.HalfSquaredError, train, new SharpnessTrackerOptions { Interval = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharpnessTracker(LossFunction.HalfSquaredError, train, new SharpnessTrackerOptions { Count = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharpnessTracker(LossFunction.HalfSquaredError, train, new SharpnessTrackerOptions { ResidualTolerance = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SharpnessTracker(LossFunction.HalfSquaredError, train, new SharpnessTrackerOptions { Precision = ScalarType.Float16 }));
        Assert.Throws<ArgumentException>(() => new SharpnessTracker(LossFunction.HalfSquaredError, train with { Targets = train.Targets.narrow(0, 0, 4) }));
        Assert.Throws<ArgumentException>(() => new SharpnessTracker(LossFunction.HalfSquaredError, train with { Inputs = train.Inputs.reshape(15) }));
        using var wrongWidth = new SharpnessTracker(LossFunction.HalfSquaredError, TrainingFixtures.Regression(5, 4, 2, seed: 43));
        Assert.Throws<ArgumentException>(() => wrongWidth.Measure(model, 0, 0.1));
        using var labels = new SharpnessTracker(LossFunction.CrossEntropy, train);
        Assert.Throws<ArgumentException>(() => labels.Measure(model, 0, 0.1));
        using var tracker = new SharpnessTracker(LossFunction.HalfSquaredError, train);
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Measure(model, -1, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Measure(model, 0, 0.1, momentum: 1));
        tracker.Dispose();
        Assert.Throws<ObjectDisposedException>(() => tracker.Measure(model, 0, 0.1));
    }

    private static TrainingResult Track(bool warmStart, double tolerance)
    {
        using var model = TrainingFixtures.Network(4, 2, 12, seed: 5);
        using var scope = NewDisposeScope();
        var train = TrainingFixtures.Regression(40, 4, 2, seed: 6);
        var config = new TrainerConfig
        {
            LearningRate = LearningRateSpec.RelativeToInitialSharpness(1.0),
            MaxSteps = 30,
            Tracking = new SharpnessTrackerOptions { WarmStart = warmStart, ResidualTolerance = tolerance },
        };
        return Trainer.Run(model, config, train);
    }

    /// <summary>λ_H of the UV module's current weights from the closed form (f, NTK λ, s = S/|x|).</summary>
    private static double ClosedFormSharpness(UvModule module, UvModelConfig uv)
    {
        double[] theta = ParameterVector.Flatten(module);
        int n = module.Width, d = module.InputDimension;
        double[] x = uv.Input;
        double[] ux = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, d).Sum(j => theta[(i * d) + j] * x[j])).ToArray();
        double[] v = theta[(n * d)..];
        double s2 = module.Normaliser * module.Normaliser;
        double xx = x.Sum(xi => xi * xi);
        double f = v.Zip(ux, (a, b) => a * b).Sum() / module.Normaliser;
        double ntk = ((v.Sum(a => a * a) * xx) + ux.Sum(a => a * a)) / s2;
        return UvSharpness.Hessian(new UvFunctionState(f, ntk), uv.Target, module.Normaliser / Math.Sqrt(xx), n);
    }

    private static double Accuracy(NetworkModule model, ExampleSet data, bool labels)
    {
        using var scope = NewDisposeScope();
        long[] predicted = model.forward(data.Inputs).argmax(1).data<long>().ToArray();
        long[] wanted = (labels ? data.Targets : data.Targets.argmax(1)).data<long>().ToArray();
        return predicted.Zip(wanted, (a, b) => a == b ? 1.0 : 0.0).Average();
    }
}
