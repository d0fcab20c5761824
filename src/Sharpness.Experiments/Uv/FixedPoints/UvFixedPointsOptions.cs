namespace Sharpness.Experiments.Uv;

/// <summary>
/// Options of <see cref="UvFixedPointsExperiment"/> (<c>sharpness uv fixed-points</c>): the fixed points
/// and low-period orbits of the scaled map at one r, with their multipliers and stability.
/// </summary>
public sealed record UvFixedPointsOptions
{
    /// <summary>The scaled target r = η/η_c (finite).</summary>
    public required double R { get; init; }

    /// <summary>Periodic orbits of periods 2..<see cref="MaxPeriod"/> are searched by Newton's method; between 1 and 64. Default 8.</summary>
    public int MaxPeriod { get; init; } = 8;

    /// <summary>Checks every option.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public void Validate()
    {
        OptionChecks.Finite(R, "--r");
        if (MaxPeriod is < 1 or > 64)
        {
            throw new InvalidOptionException("--max-period", $"must be between 1 and 64 (got {MaxPeriod}).");
        }
    }
}
