using Sharpness.Uv;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Options of <see cref="UvSimulateExperiment"/> (<c>sharpness uv simulate</c>): full-batch gradient
/// descent of the UV model in parameter space with the loss ½(f − y)².
/// </summary>
public sealed record UvSimulateOptions
{
    /// <summary>The learning rate when neither <see cref="Lr"/> nor <see cref="LrConstant"/> is given: 0.5.</summary>
    public const double DefaultLearningRate = 0.5;

    /// <summary>The model at initialisation. Default: NTP, width 100, d = 1, σ_w² = 1, y = 1, seed 0.</summary>
    public UvModelOptions Model { get; init; } = new();

    /// <summary>Learning rate η &gt; 0. Default <see cref="DefaultLearningRate"/> unless <see cref="LrConstant"/> is given; excludes it.</summary>
    public double? Lr { get; init; }

    /// <summary>Sets η = c/λ_H(0) with c &gt; 0 (c = 2 puts the first step at the stability threshold); excludes <see cref="Lr"/>. Default: none.</summary>
    public double? LrConstant { get; init; }

    /// <summary>L2 weight decay γ ≥ 0: the weights are multiplied by 1 − ηγ each step. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Gradient-descent steps T ≥ 0; the trajectory has T + 1 records (steps 0..T). Default 200.</summary>
    public int Steps { get; init; } = 200;

    /// <summary>Stop as diverged when |ηf/s| or ηλ exceeds this (scaled units), or a value is not finite. Default 1e6.</summary>
    public double DivergenceThreshold { get; init; } = 1e6;

    /// <summary>Where the learning rate came from: "lr-constant", "lr" or "default".</summary>
    public string LrSource => LrConstant is not null ? "lr-constant" : Lr is not null ? "lr" : "default";

    /// <summary>Checks every option, reading the init file if one is given.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range, or both <see cref="Lr"/> and <see cref="LrConstant"/> are given.</exception>
    public void Validate() => Resolve();

    /// <summary>The validated model and training settings.</summary>
    internal (UvModelConfig Model, UvTrainingConfig Training) Resolve()
    {
        ArgumentNullException.ThrowIfNull(Model);
        UvModelConfig model = Model.Build();
        double weightDecay = OptionChecks.NonNegative(WeightDecay, "--weight-decay");
        int steps = OptionChecks.AtLeast(Steps, 0, "--steps");
        double threshold = OptionChecks.Positive(DivergenceThreshold, "--divergence-threshold");
        if (Lr is not null && LrConstant is not null)
        {
            throw new InvalidOptionException("--lr", "give either --lr or --lr-constant, not both.");
        }

        LearningRateSpec learningRate = LrConstant is double c
            ? LearningRateSpec.RelativeToInitialSharpness(OptionChecks.Positive(c, "--lr-constant"))
            : LearningRateSpec.Absolute(OptionChecks.Positive(Lr ?? DefaultLearningRate, "--lr"));
        Model.CheckStart(model, learningRate, LrConstant is null ? "--lr" : "--lr-constant");
        OptionChecks.Memory("--steps", $"{steps:N0} steps", UvCost.SimulationBytes(model.EffectiveWidth, model.InputDimension, steps), "the trajectory (one record per step)");
        if (LrConstant is not null && !(InitialSharpness(model) > 0))
        {
            throw new InvalidOptionException("--lr-constant", "needs a positive initial sharpness lambda_H(0), but it is zero (all weights zero and f = y); use --lr.");
        }

        return (model, new UvTrainingConfig { LearningRate = learningRate, WeightDecay = weightDecay, Steps = steps, DivergenceThreshold = threshold });
    }

    private static double InitialSharpness(UvModelConfig model)
    {
        var network = UvNetwork.Create(model);
        return UvSharpness.Hessian(new UvFunctionState(network.Output, network.Ntk), model.Target, network.Normaliser, network.Width);
    }
}
