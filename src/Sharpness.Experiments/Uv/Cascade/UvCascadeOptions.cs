namespace Sharpness.Experiments.Uv;

/// <summary>
/// Options of <see cref="UvCascadeExperiment"/> (<c>sharpness uv cascade</c>): the period-doubling
/// cascade of the UV model on the EoS manifold, or of the full 2-D map.
/// </summary>
public sealed record UvCascadeOptions
{
    /// <summary>Follow the cascade until this period is born: a power of two between 4 and 16384. Default 64.</summary>
    public int MaxPeriod { get; init; } = 64;

    /// <summary>Use the full 2-D map (g, x) instead of the 1-D map on the manifold g' = g(1 + r − g)². Default off.</summary>
    public bool FullMap { get; init; }

    /// <summary>Initial x = ηλ₀ of the scan for the end of bounded dynamics (full map only). Default 1.</summary>
    public double X0 { get; init; } = UvOrbitOptions.DefaultX0;

    /// <summary>Initial g = ηf₀/s of that scan (positive on the manifold map). Default 0.2.</summary>
    public double G0 { get; init; } = UvOrbitOptions.DefaultG0;

    /// <summary>Largest r scanned for the end of bounded dynamics, &gt; 1.5. Default 4.</summary>
    public double EscapeSearchEnd { get; init; } = 4.0;

    /// <summary>Checks every option.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public void Validate()
    {
        if (MaxPeriod < 4 || (MaxPeriod & (MaxPeriod - 1)) != 0 || MaxPeriod > 1 << 14)
        {
            throw new InvalidOptionException("--max-period", $"must be a power of two between 4 and 16384 (got {MaxPeriod}).");
        }

        OptionChecks.Finite(X0, "--x0");
        OptionChecks.Finite(G0, "--g0");
        if (!(OptionChecks.Finite(EscapeSearchEnd, "--escape-search-end") > 1.5))
        {
            throw new InvalidOptionException("--escape-search-end", $"must exceed 1.5, above the accumulation point (got {OptionChecks.Text(EscapeSearchEnd)}).");
        }

        if (!FullMap && !(G0 > 0))
        {
            throw new InvalidOptionException("--g0", $"must be positive on the manifold map (g' = g(1 + r - g)^2 keeps g > 0), got {OptionChecks.Text(G0)}.");
        }
    }
}
