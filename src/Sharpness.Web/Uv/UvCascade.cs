using System.Collections.Concurrent;
using Sharpness.Core.Dynamics;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Web.Uv;

/// <summary>One flip (period-doubling) point of the cascade.</summary>
/// <param name="From">Period before.</param>
/// <param name="To">Period after.</param>
/// <param name="R">r at the flip.</param>
/// <param name="Bracket">Width of the final bisection bracket (0 for the closed form r = 1 of the full map).</param>
public sealed record UvFlip(int From, int To, double R, double Bracket);

/// <summary>
/// The period-doubling cascade of the scaled map, as <c>sharpness uv cascade</c> computes it: the flip
/// points (Newton continuation of each orbit and bisection on its multiplier crossing −1), the
/// Feigenbaum ratios of successive intervals and the extrapolated accumulation point. The manifold map
/// g' = g(1 + r − g)² by default; the full 2-D map on request, whose first flip is r = 1 in closed form.
/// Results are cached: they do not depend on the initial state.
/// </summary>
/// <param name="Map">manifold or full.</param>
/// <param name="MaxPeriod">Period at which the search stopped.</param>
/// <param name="Flips">The flip points in order.</param>
/// <param name="FeigenbaumRatios">(r_k − r_{k−1}) / (r_{k+1} − r_k).</param>
/// <param name="Accumulation">Extrapolated accumulation point, or NaN with fewer than three flips.</param>
public sealed record UvCascade(string Map, int MaxPeriod, IReadOnlyList<UvFlip> Flips, IReadOnlyList<double> FeigenbaumRatios, double Accumulation)
{
    private static readonly ConcurrentDictionary<(bool Full, int MaxPeriod), Lazy<UvCascade>> Cache = new();

    /// <summary>The cascade (computed once per map and maximum period).</summary>
    /// <param name="full">Full 2-D map instead of the manifold map.</param>
    /// <param name="maxPeriod">Follow until this period is born (a power of two ≥ 4).</param>
    public static UvCascade Get(bool full, int maxPeriod) =>
        Cache.GetOrAdd((full, maxPeriod), key => new Lazy<UvCascade>(() => Compute(key.Full, key.MaxPeriod))).Value;

    private static UvCascade Compute(bool full, int maxPeriod)
    {
        var flips = new List<UvFlip>();
        CascadeResult cascade;
        if (full)
        {
            // Period 1 is the line of minima, where Newton is singular; on the manifold its eigenvalue 1 − x reaches −1 at r = 1.
            flips.Add(new UvFlip(1, 2, 1.0, 0.0));
            var map = new UvScaledIteratedMap();
            var (plus, _) = UvFixedPoints.TwoCycle(1.1);
            cascade = PeriodDoublingCascade.Follow(map, PeriodicOrbitFinder.Find(map, 1.1, 2, [plus.G, plus.X]), searchEnd: 2, maxPeriod: maxPeriod);
        }
        else
        {
            var map = new UvManifoldMap();
            cascade = PeriodDoublingCascade.Follow(map, PeriodicOrbitFinder.Find(map, 0.5, 1, [0.5]), searchEnd: 2, maxPeriod: maxPeriod);
        }

        flips.AddRange(cascade.FlipPoints.Select(f => new UvFlip(f.FromPeriod, f.ToPeriod, f.Parameter, f.BracketWidth)));
        var ratios = new List<double>();
        for (int k = 2; k < flips.Count; k++)
        {
            ratios.Add((flips[k - 1].R - flips[k - 2].R) / (flips[k].R - flips[k - 1].R));
        }

        double accumulation = ratios.Count > 0 ? flips[^1].R + ((flips[^1].R - flips[^2].R) / (ratios[^1] - 1)) : double.NaN;
        return new UvCascade(full ? "full" : "manifold", maxPeriod, flips, ratios, accumulation);
    }
}
