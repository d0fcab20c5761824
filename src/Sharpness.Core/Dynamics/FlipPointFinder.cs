namespace Sharpness.Core.Dynamics;

/// <summary>
/// Locates flip points by continuation and bisection: the orbit is followed in the parameter by
/// Newton's method warm-started from the previous parameter's orbit, until its smallest real
/// multiplier drops below −1; the crossing is then bracketed and bisected.
/// </summary>
public static class FlipPointFinder
{
    /// <summary>Follows <paramref name="orbit"/> towards <paramref name="searchEnd"/> and locates the first flip.</summary>
    /// <param name="map">The map.</param>
    /// <param name="orbit">A periodic orbit whose smallest real multiplier is above −1.</param>
    /// <param name="searchEnd">The parameter at which the search gives up (either side of the orbit's parameter).</param>
    /// <param name="initialStep">First continuation step (positive; halved when Newton loses the orbit).</param>
    /// <param name="tolerance">Bisection stops when the bracket is narrower than tolerance·max(1, |r|) (default 1e-14).</param>
    /// <returns>The flip point, or null when none was found before <paramref name="searchEnd"/> or the orbit was lost.</returns>
    public static FlipPoint? TryLocate(IIteratedMap map, PeriodicOrbit orbit, double searchEnd, double initialStep, double tolerance = 1e-14)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(orbit);
        if (!(initialStep > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(initialStep), initialStep, "The continuation step must be positive.");
        }

        if (!(orbit.SmallestRealMultiplier > -1))
        {
            throw new ArgumentException($"The orbit's smallest real multiplier is {orbit.SmallestRealMultiplier}; a flip search starts from an orbit with multiplier above −1.", nameof(orbit));
        }

        double direction = Math.Sign(searchEnd - orbit.Parameter);
        double step = initialStep;
        PeriodicOrbit good = orbit;
        PeriodicOrbit? beyond = null;
        while (beyond is null)
        {
            double r = good.Parameter + (direction * step);
            if ((r - searchEnd) * direction > 0)
            {
                r = searchEnd;
            }

            var next = PeriodicOrbitFinder.TryFind(map, r, good.Period, good.Points[0]);
            if (next is null || Jumped(good, next))
            {
                step /= 2;
                if (step < 1e-15 * Math.Max(1, Math.Abs(good.Parameter)))
                {
                    return null;
                }

                continue;
            }

            if (next.SmallestRealMultiplier < -1)
            {
                beyond = next;
            }
            else
            {
                if (r == searchEnd)
                {
                    return null;
                }

                good = next;
                step *= 1.5;
            }
        }

        while (Math.Abs(beyond.Parameter - good.Parameter) > tolerance * Math.Max(1, Math.Abs(good.Parameter)))
        {
            double middle = 0.5 * (good.Parameter + beyond.Parameter);
            if (middle == good.Parameter || middle == beyond.Parameter)
            {
                break;
            }

            var orbitAtMiddle = PeriodicOrbitFinder.TryFind(map, middle, good.Period, good.Points[0]);
            if (orbitAtMiddle is null)
            {
                return null;
            }

            if (orbitAtMiddle.SmallestRealMultiplier < -1)
            {
                beyond = orbitAtMiddle;
            }
            else
            {
                good = orbitAtMiddle;
            }
        }

        return new FlipPoint(good.Period, 2 * good.Period, 0.5 * (good.Parameter + beyond.Parameter), Math.Abs(beyond.Parameter - good.Parameter), good);
    }

    // Continuation must stay on the same branch: a large jump of the orbit's point means Newton
    // converged to another orbit of the same period.
    private static bool Jumped(PeriodicOrbit from, PeriodicOrbit to)
    {
        double scale = 1 + from.Points.Max(p => p.Max(Math.Abs));
        double nearest = to.Points.Min(p => Distance(p, from.Points[0]));
        return nearest > 0.1 * scale;
    }

    private static double Distance(double[] a, double[] b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
