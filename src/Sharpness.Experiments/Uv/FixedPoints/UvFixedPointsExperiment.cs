using Sharpness.Core.Dynamics;
using Sharpness.Experiments.Progress;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// <c>uv fixed-points</c> as a library call: the analytic fixed points of the scaled map (the
/// minimum on the manifold, the origin, the two sign-flip points) and the periodic orbits that
/// Newton's method on the p-th iterate finds from a line of starts.
/// </summary>
public static class UvFixedPointsExperiment
{
    /// <summary>The command name.</summary>
    public const string Command = "uv fixed-points";

    /// <summary>Finds the orbits.</summary>
    /// <param name="options">r and the largest period.</param>
    /// <param name="progress">Receives "periods" snapshots; null for none.</param>
    /// <param name="cancellationToken">Stops between periods with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="InvalidOptionException">An option is invalid (see <see cref="UvFixedPointsOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static UvFixedPointsResult Run(UvFixedPointsOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        double r = options.R;
        var map = new UvScaledIteratedMap();
        var (upper, lower) = UvFixedPoints.SignFlipPoints(r);
        var found = new List<FoundOrbit>
        {
            new("minimum on the manifold (g = r, x = 2|r|)", PeriodicOrbitFinder.Describe(map, r, 1, [r, 2 * Math.Abs(r)])),
            new("origin u = v = 0", PeriodicOrbitFinder.Describe(map, r, 1, [0, 0])),
            new("sign-flip point (r + 2, 2r + 4)", PeriodicOrbitFinder.Describe(map, r, 1, [upper.G, upper.X])),
            new("sign-flip point (r - 2, 4 - 2r)", PeriodicOrbitFinder.Describe(map, r, 1, [lower.G, lower.X])),
        };

        var tracker = new ProgressTracker(progress, Command, Math.Max(0, options.MaxPeriod - 1), "periods");
        double reach = Math.Abs(r) + 3;
        for (int period = 2; period <= options.MaxPeriod; period++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int k = 0; k <= 240; k++)
            {
                double g = -reach + (2 * reach * k / 240);
                var orbit = PeriodicOrbitFinder.TryFind(map, r, period, [g, 2 * Math.Abs(g)]);
                if (orbit is not null && !found.Any(f => SameOrbit(f.Orbit, orbit)))
                {
                    found.Add(new FoundOrbit($"period-{period} orbit (Newton)", orbit));
                }
            }

            tracker.Report(period - 1);
        }

        tracker.Complete();
        return new UvFixedPointsResult { Options = options, Orbits = found };
    }

    private static bool SameOrbit(PeriodicOrbit a, PeriodicOrbit b)
    {
        if (a.Period != b.Period)
        {
            return false;
        }

        double scale = 1 + a.Points.Max(p => Math.Max(Math.Abs(p[0]), Math.Abs(p[1])));
        return b.Points.All(q => a.Points.Any(p => Math.Abs(p[0] - q[0]) + Math.Abs(p[1] - q[1]) < 1e-8 * scale));
    }
}
