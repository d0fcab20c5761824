namespace Sharpness.Uv.Simulation;

/// <summary>Settings of a gradient-descent run of the UV model.</summary>
public sealed record UvTrainingConfig
{
    /// <summary>Learning rate: absolute η or c/λ_H(0). Default η = 0.5.</summary>
    public LearningRateSpec LearningRate { get; init; } = LearningRateSpec.Absolute(0.5);

    /// <summary>L2 weight decay γ ≥ 0 (the update multiplies the weights by ρ = 1 − ηγ). Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Number of gradient-descent steps T ≥ 0; the run records T + 1 points (steps 0..T). Default 200.</summary>
    public int Steps { get; init; } = 200;

    /// <summary>
    /// A run is diverged when |g| = |ηf/s| or x = ηλ exceeds this (scaled units), or a value is not
    /// finite. Default 1e6 (uv-model.md section 8).
    /// </summary>
    public double DivergenceThreshold { get; init; } = 1e6;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the parameter name is the property's name.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(LearningRate);
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "The weight decay γ must be non-negative and finite.");
        }

        if (Steps < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "The number of steps must be non-negative.");
        }

        if (!(DivergenceThreshold > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(DivergenceThreshold), DivergenceThreshold, "The divergence threshold must be positive.");
        }
    }
}
