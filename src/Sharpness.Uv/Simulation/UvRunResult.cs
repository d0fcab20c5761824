namespace Sharpness.Uv.Simulation;

/// <summary>The outcome of a gradient-descent run of the UV model.</summary>
public sealed class UvRunResult
{
    /// <summary>Per-step records, steps 0..<see cref="StepsCompleted"/>; a diverged run keeps every finite step up to the divergence.</summary>
    public required IReadOnlyList<UvStepRecord> Records { get; init; }

    /// <summary>The resolved learning rate η.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Effective normaliser s = S/|x|.</summary>
    public required double Normaliser { get; init; }

    /// <summary>Target y.</summary>
    public required double Target { get; init; }

    /// <summary>Width n.</summary>
    public required int Width { get; init; }

    /// <summary>Weight-decay factor ρ = 1 − ηγ.</summary>
    public required double WeightDecayFactor { get; init; }

    /// <summary>Scaled target r = ηy/s = η/η_c.</summary>
    public double ScaledTarget => LearningRate * Target / Normaliser;

    /// <summary>Index of the last recorded step.</summary>
    public int StepsCompleted => Records.Count - 1;

    /// <summary>Whether the run diverged (non-finite values or scaled values above the threshold).</summary>
    public required bool Diverged { get; init; }

    /// <summary>The step at which divergence was detected (its values were not finite or exceeded the threshold), or null.</summary>
    public int? DivergedAtStep { get; init; }

    /// <summary>Regime labels and outcome (uv-model.md section 8).</summary>
    public required RegimeReport Regimes { get; init; }
}
