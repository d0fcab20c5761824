namespace Sharpness.Nets.Experiments;

/// <summary>How <see cref="UvTrajectoryFit"/> fits the UV model to a measured sharpness trajectory.</summary>
public sealed record UvFitOptions
{
    /// <summary>First step of the fit window; the UV trajectory starts there. Null: the first measured step.</summary>
    public int? FitFrom { get; init; }

    /// <summary>
    /// Last step of the fit window (inclusive); later measurements are the held-out window, predicted
    /// by continuing the fitted UV trajectory. Null: the measured step two thirds of the way through
    /// the measurements from <see cref="FitFrom"/> on (everything when there are fewer than 3).
    /// </summary>
    public int? FitTo { get; init; }

    /// <summary>Starting points of the free three-parameter fit, ≥ 1 (default 24): a few informed ones, the rest drawn from <see cref="Seed"/>.</summary>
    public int Starts { get; init; } = 24;

    /// <summary>Seed of the random starting points (default 0).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Weight w ≥ 0 of the effective output in the objective: mean (ln λ_H^UV − ln λ_H)² + w · mean (g/r − f/y)²
    /// over the fit window (the second mean over points where f/y was measured). Default 0: sharpness only.
    /// </summary>
    public double OutputWeight { get; init; }

    /// <summary>Function evaluations per start of the simplex search, ≥ 10 (default 4,000).</summary>
    public int MaxEvaluations { get; init; } = 4000;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Starts, 1, nameof(Starts));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEvaluations, 10, nameof(MaxEvaluations));
        if (!(OutputWeight >= 0) || !double.IsFinite(OutputWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(OutputWeight), OutputWeight, "The output weight must be non-negative and finite.");
        }

        if (FitFrom is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FitFrom), FitFrom, "The fit window cannot start before step 0.");
        }

        if (FitFrom is int from && FitTo is int to && to < from)
        {
            throw new ArgumentOutOfRangeException(nameof(FitTo), FitTo, "The fit window must end at or after its start.");
        }
    }
}
