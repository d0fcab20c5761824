namespace Sharpness.Core.Dynamics;

/// <summary>The flip points of a period-doubling cascade and what follows from them.</summary>
/// <param name="FlipPoints">r_k where period 2^(k−1)·p₀ doubles, in order.</param>
/// <param name="FeigenbaumRatios">δ_k = (r_k − r_{k−1}) / (r_{k+1} − r_k) for consecutive flips (tends to 4.6692…).</param>
/// <param name="Accumulation">Estimated accumulation point r_∞ (onset of chaos) from the last two intervals, or NaN with fewer than three flips.</param>
public sealed record CascadeResult(IReadOnlyList<FlipPoint> FlipPoints, IReadOnlyList<double> FeigenbaumRatios, double Accumulation);

/// <summary>
/// Follows a period-doubling cascade: locate the flip of the current orbit, find the period-2p
/// orbit born there (Newton on the 2p-th iterate, started off the old orbit along the eigenvector
/// of the −1 multiplier), and repeat up to a maximal period.
/// </summary>
public static class PeriodDoublingCascade
{
    /// <summary>Feigenbaum's constant δ = 4.669201609…, used to predict the next interval.</summary>
    public const double FeigenbaumDelta = 4.66920160910299;

    /// <summary>Follows the cascade from <paramref name="start"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="start">A stable orbit below the first flip (its smallest real multiplier above −1).</param>
    /// <param name="maxPeriod">Stop after the flip that creates this period (default 64).</param>
    /// <param name="searchEnd">Give up beyond this parameter.</param>
    /// <param name="firstStep">Continuation step before the first flip (default 1e-2).</param>
    /// <param name="tolerance">Relative bisection tolerance of each flip point (default 1e-14).</param>
    public static CascadeResult Follow(IIteratedMap map, PeriodicOrbit start, double searchEnd, int maxPeriod = 64, double firstStep = 1e-2, double tolerance = 1e-14)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPeriod, 2 * start.Period);
        var flips = new List<FlipPoint>();
        PeriodicOrbit orbit = start;
        double step = firstStep;
        while (true)
        {
            var flip = FlipPointFinder.TryLocate(map, orbit, searchEnd, step, tolerance);
            if (flip is null)
            {
                break;
            }

            flips.Add(flip);
            if (flip.ToPeriod >= maxPeriod)
            {
                break;
            }

            double interval = flips.Count >= 2 ? (flips[^1].Parameter - flips[^2].Parameter) / FeigenbaumDelta : firstStep * 10;
            var born = FindBornOrbit(map, flip, searchEnd, interval);
            if (born is null)
            {
                break;
            }

            orbit = born;
            step = Math.Abs(interval) / 16;
        }

        var ratios = new List<double>();
        for (int k = 2; k < flips.Count; k++)
        {
            ratios.Add((flips[k - 1].Parameter - flips[k - 2].Parameter) / (flips[k].Parameter - flips[k - 1].Parameter));
        }

        double accumulation = double.NaN;
        if (flips.Count >= 3)
        {
            double last = flips[^1].Parameter - flips[^2].Parameter;
            accumulation = flips[^1].Parameter + (last / (ratios[^1] - 1));
        }

        return new CascadeResult(flips, ratios, accumulation);
    }

    private static PeriodicOrbit? FindBornOrbit(IIteratedMap map, FlipPoint flip, double searchEnd, double expectedInterval)
    {
        int d = map.Dimension;
        double direction = Math.Sign(searchEnd - flip.Parameter);
        var old = flip.Orbit;
        var eigenvector = SmallMatrix.EigenvectorOfReal(old.Monodromy, d, old.SmallestRealMultiplier);
        double scale = 1 + old.Points[0].Max(Math.Abs);
        foreach (double fraction in new[] { 0.2, 0.05, 0.5, 0.01 })
        {
            double r = flip.Parameter + (direction * fraction * Math.Abs(expectedInterval));
            foreach (double amplitude in new[] { 1.0, 0.3, 3.0, 0.1, 10.0 })
            {
                double offset = amplitude * Math.Sqrt(fraction * Math.Abs(expectedInterval)) * scale;
                foreach (double sign in new[] { 1.0, -1.0 })
                {
                    var guess = new double[d];
                    for (int i = 0; i < d; i++)
                    {
                        guess[i] = old.Points[0][i] + (sign * offset * eigenvector[i]);
                    }

                    var orbit = PeriodicOrbitFinder.TryFind(map, r, flip.ToPeriod, guess);
                    if (orbit is not null && orbit.SmallestRealMultiplier > -1 && orbit.Multipliers[0].Magnitude < 1 + 1e-9)
                    {
                        return orbit;
                    }
                }
            }
        }

        return null;
    }
}
