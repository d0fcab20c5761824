using BenchmarkDotNet.Attributes;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Bench;

/// <summary>
/// The per-step work of a UV-model simulation at the default model (NTP, S = √n, u, v ~ N(0, 1),
/// y = 1, λ ≈ 2 at initialisation) with η = 0.5, which converges (ηλ ≈ 1 &lt; 2).
/// </summary>
/// <remarks>
/// <para><see cref="GdStep"/>: one fused gradient-descent step (the baseline).</para>
/// <para><see cref="GdStepWithSharpness"/>: one step, then f, λ and the closed-form λ_H, i.e. what a
/// simulation needs per step apart from storing the record.</para>
/// <para><see cref="Run100Steps"/>: <see cref="UvGradientDescent.Run(UvNetwork, double, UvTrainingConfig, CancellationToken)"/>
/// for 100 steps from a fixed initialisation: copying the weights, the steps, the per-step
/// records (loss, f, λ, λ_H, Q) and the regime classification at the end. Reported per run,
/// so steps per second = 100 / mean. The weights are drawn once in the global set-up; their
/// draw is not part of any measurement.</para>
/// The step benchmarks keep training the same network across invocations. η = 0.5 converges,
/// so the weights stay finite and O(1), and the cost of a step does not depend on their values.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[MaxColumn]
public class UvStepBenchmarks
{
    private const double LearningRate = 0.5;
    private const double Target = 1.0;
    private const int RunSteps = 100;

    private UvNetwork _network = null!;
    private UvNetwork _initial = null!;
    private UvTrainingConfig _training = null!;

    /// <summary>Width n.</summary>
    [Params(10_000, 1_000_000)]
    public int Width { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _initial = UvNetwork.Create(new UvModelConfig { Width = Width, Seed = 1 });
        _network = _initial.Clone();
        _training = new UvTrainingConfig { LearningRate = LearningRateSpec.Absolute(LearningRate), Steps = RunSteps };
    }

    [Benchmark(Baseline = true, Description = "GD step")]
    public double GdStep()
    {
        _network.Step(LearningRate, Target);
        return _network.Output;
    }

    [Benchmark(Description = "GD step + closed-form λ_H")]
    public double GdStepWithSharpness()
    {
        _network.Step(LearningRate, Target);
        return UvSharpness.Hessian(new UvFunctionState(_network.Output, _network.Ntk), Target, _network.Normaliser, _network.Width);
    }

    [Benchmark(Description = "UvGradientDescent.Run, 100 steps")]
    public UvRunResult Run100Steps() => UvGradientDescent.Run(_initial, Target, _training);
}
