namespace Sharpness.Experiments.Uv;

/// <summary>The outcome of <see cref="UvCascadeExperiment.Run"/>: the flip points r_k, their Feigenbaum ratios, the accumulation point and the end of bounded dynamics.</summary>
public sealed record UvCascadeResult
{
    /// <summary>The options as given.</summary>
    public required UvCascadeOptions Options { get; init; }

    /// <summary>The flip points in order: period k → 2k at r_k.</summary>
    public required IReadOnlyList<CascadeFlip> Flips { get; init; }

    /// <summary>Feigenbaum ratios (r_{k−1} − r_{k−2})/(r_k − r_{k−1}), one per flip from the third on.</summary>
    public required IReadOnlyList<double> Ratios { get; init; }

    /// <summary>The accumulation point (onset of chaos) extrapolated from the last ratio; NaN with fewer than three flips.</summary>
    public required double Accumulation { get; init; }

    /// <summary>Where bounded dynamics end (the escape parameter), with the bracket that holds it.</summary>
    public required double BoundedUntil { get; init; }

    /// <summary>The largest r of the scan whose orbit stayed bounded.</summary>
    public required double LastBounded { get; init; }

    /// <summary>The smallest r of the scan whose orbit escaped.</summary>
    public required double FirstEscaping { get; init; }

    /// <summary>Whether the cascade was followed up to <see cref="UvCascadeOptions.MaxPeriod"/>.</summary>
    public bool Complete => Flips.Count > 0 && Flips[^1].To == Options.MaxPeriod;

    /// <summary>Wall time of the computation, in seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }
}

/// <summary>One flip point of the cascade.</summary>
/// <param name="From">The period before the flip.</param>
/// <param name="To">The period born at the flip (twice <paramref name="From"/>).</param>
/// <param name="R">The scaled target r = η/η_c of the flip.</param>
/// <param name="Bracket">Width of the bracket that holds it (0 for a closed form).</param>
/// <param name="Method">How it was found.</param>
public sealed record CascadeFlip(int From, int To, double R, double Bracket, string Method);
