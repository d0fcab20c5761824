using Sharpness.Core.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>The outcome of <see cref="UvFixedPointsExperiment.Run"/>: every orbit found, analytic fixed points first, then Newton orbits by period.</summary>
public sealed record UvFixedPointsResult
{
    /// <summary>The options as given.</summary>
    public required UvFixedPointsOptions Options { get; init; }

    /// <summary>The orbits, each with what it is ("origin u = v = 0", "period-4 orbit (Newton)").</summary>
    public required IReadOnlyList<FoundOrbit> Orbits { get; init; }
}

/// <summary>A periodic orbit of the scaled map and what it is.</summary>
/// <param name="Kind">What it is, in words.</param>
/// <param name="Orbit">Its points (g, x), multipliers and stability.</param>
public sealed record FoundOrbit(string Kind, PeriodicOrbit Orbit);
