using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Training;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class UvModuleFitTests
{
    [Fact]
    public void OnTheUvModuleTheEffectiveVariablesAreTheModelsOwnAndTheFitIsExact()
    {
        // The UV model as a TorchSharp module, trained by the real trainer in float64 with the
        // sharpness and its projection measured every step.
        var uv = new UvModelConfig { Width = 6, Input = [1.2, -0.5], Target = 1.5, Seed = 3, Parameterisation = Parameterisation.MuP };
        using var module = UvModule.Create(uv);
        using var scope = NewDisposeScope();
        var train = new ExampleSet(tensor(uv.Input, [1, 2], ScalarType.Float64), tensor(new[] { uv.Target }, [1, 1], ScalarType.Float64));
        var config = new TrainerConfig
        {
            LearningRate = LearningRateSpec.RelativeToInitialSharpness(1.5),
            MaxSteps = 40,
            Tracking = new SharpnessTrackerOptions { Interval = 1, ResidualTolerance = 1e-12, MaxMatvecs = 100, ProjectOnTopEigenvector = true },
        };
        double xNorm = Math.Sqrt(uv.Input.Sum(x => x * x));
        double s = module.Normaliser / xNorm;
        var own = new List<(double F, double Ntk)>();

        var result = Trainer.Run(module, config, train, onStep: record =>
        {
            if (record.Measurement is not null)
            {
                own.Add(OutputAndNtk(module, uv.Input));
            }
        });

        Assert.False(result.Diverged);
        Assert.Equal(41, result.Measurements.Count);
        for (int i = 0; i < own.Count; i++)
        {
            var projection = result.Measurements[i].Projection!;
            Assert.Equal(own[i].F, projection.Output, 10);
            Assert.Equal(uv.Target, projection.Target, 12);
            Assert.True(Math.Abs(own[i].Ntk - projection.Ntk) <= 1e-10 * own[i].Ntk, $"step {i}: NTK {projection.Ntk} vs {own[i].Ntk}");
        }

        var points = result.Measurements.Select(m => new EffectiveUvPoint(m.Step, m.Sharpness, m.Projection!.Output, m.Projection.Target, m.Projection.Ntk)).ToList();
        double eta = result.LearningRate;
        var report = UvTrajectoryFit.Fit(points, eta, new UvFitOptions { FitTo = 25 });

        // μP starts with a small output: the sharpness must actually move for the fit to mean anything.
        Assert.True(points.Max(p => p.Sharpness) > 1.2 * points[0].Sharpness, "the sharpness should rise along the run");
        var anchored = report.Anchored!;
        Assert.Equal(eta * uv.Target / s, anchored.Parameters.R, 8);
        Assert.True(anchored.FitError < 1e-8, $"anchored fit error {anchored.FitError}");
        Assert.True(anchored.HeldOutError < 1e-8, $"anchored held-out error {anchored.HeldOutError}");
        Assert.Equal(eta * uv.Target / s, report.Free.Parameters.R, 4);
        Assert.True(report.Free.FitError < 1e-5, $"free fit error {report.Free.FitError}");
        Assert.True(report.Free.HeldOutError < 1e-5, $"free held-out error {report.Free.HeldOutError}");
    }

    /// <summary>f = vᵀUx/S and the NTK λ = (|v|²|x|² + |Ux|²)/S² from the module's current weights.</summary>
    private static (double F, double Ntk) OutputAndNtk(UvModule module, double[] x)
    {
        double[] theta = ParameterVector.Flatten(module);
        int n = module.Width, d = module.InputDimension;
        double[] ux = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, d).Sum(j => theta[(i * d) + j] * x[j])).ToArray();
        double[] v = theta[(n * d)..];
        double f = v.Zip(ux, (a, b) => a * b).Sum() / module.Normaliser;
        double ntk = ((v.Sum(a => a * a) * x.Sum(a => a * a)) + ux.Sum(a => a * a)) / (module.Normaliser * module.Normaliser);
        return (f, ntk);
    }
}
