using System.Collections.Concurrent;
using Sharpness.Experiments.Uv;

namespace Sharpness.Web.Uv;

/// <summary>
/// The period-doubling cascade of the scaled map from <see cref="UvCascadeExperiment"/> (what
/// <c>sharpness uv cascade</c> computes), kept once computed: it depends only on the map and the
/// maximum period (and, for the end of bounded dynamics, on the initial state, which the explorer
/// leaves at the command's default).
/// </summary>
public static class UvCascade
{
    private static readonly ConcurrentDictionary<(bool Full, int MaxPeriod), Lazy<UvCascadeResult>> Cache = new();

    /// <summary>The cascade (computed once per map and maximum period).</summary>
    /// <param name="full">Full 2-D map instead of the manifold map.</param>
    /// <param name="maxPeriod">Follow until this period is born (a power of two ≥ 4).</param>
    public static UvCascadeResult Get(bool full, int maxPeriod) =>
        Cache.GetOrAdd((full, maxPeriod), key => new Lazy<UvCascadeResult>(() => UvCascadeExperiment.Run(new UvCascadeOptions { FullMap = key.Full, MaxPeriod = key.MaxPeriod }))).Value;
}
