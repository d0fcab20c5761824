using System.Diagnostics;
using Sharpness.Core.Dynamics;
using Sharpness.Experiments.Progress;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// <c>uv cascade</c> as a library call: the flip points of the period-doubling cascade (Newton
/// continuation of the periodic orbits and bisection on the multiplier crossing −1), the Feigenbaum
/// ratios, the accumulation point and where bounded dynamics end.
/// </summary>
public static class UvCascadeExperiment
{
    /// <summary>The command name a manifest records.</summary>
    public const string Command = "uv cascade";

    /// <summary>Follows the cascade.</summary>
    /// <param name="options">Which map and how far.</param>
    /// <param name="progress">Receives a snapshot per phase (cascade, escape scan); null for none.</param>
    /// <param name="cancellationToken">Stops between the phases with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="InvalidOptionException">An option is invalid (see <see cref="UvCascadeOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static UvCascadeResult Run(UvCascadeOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = DateTimeOffset.UtcNow;
        options.Validate();
        var tracker = new ProgressTracker(progress, Command, 2, "phases");
        tracker.Announce("following the period-doubling cascade");
        var clock = Stopwatch.StartNew();
        var flips = new List<CascadeFlip>();
        CascadeResult cascade;
        double[] escapeStart;
        IIteratedMap map;
        if (options.FullMap)
        {
            // Period 1 is the line of minima g = r, whose eigenvalues 1 − x and 1 make Newton singular;
            // on the manifold (x = 2r) the eigenvalue 1 − x reaches −1 at exactly r = 1.
            flips.Add(new CascadeFlip(1, 2, 1.0, 0.0, "closed form: eigenvalue 1 - x of the minimum (r, 2r)"));
            map = new UvScaledIteratedMap();
            var (plus, _) = UvFixedPoints.TwoCycle(1.1);
            cascade = PeriodDoublingCascade.Follow(map, PeriodicOrbitFinder.Find(map, 1.1, 2, [plus.G, plus.X]), searchEnd: 2, maxPeriod: options.MaxPeriod);
            escapeStart = [options.G0, options.X0];
        }
        else
        {
            map = new UvManifoldMap();
            cascade = PeriodDoublingCascade.Follow(map, PeriodicOrbitFinder.Find(map, 0.5, 1, [0.5]), searchEnd: 2, maxPeriod: options.MaxPeriod);
            escapeStart = [options.G0];
        }

        cancellationToken.ThrowIfCancellationRequested();
        flips.AddRange(cascade.FlipPoints.Select(f => new CascadeFlip(f.FromPeriod, f.ToPeriod, f.Parameter, f.BracketWidth, "Newton continuation + bisection on the multiplier crossing -1")));
        var ratios = new List<double>();
        for (int k = 2; k < flips.Count; k++)
        {
            ratios.Add((flips[k - 1].R - flips[k - 2].R) / (flips[k].R - flips[k - 1].R));
        }

        double accumulation = ratios.Count > 0 ? flips[^1].R + ((flips[^1].R - flips[^2].R) / (ratios[^1] - 1)) : double.NaN;
        tracker.Report(1, message: "scanning for the end of bounded dynamics");
        var escape = BoundedDynamics.FindEscape(map, escapeStart, double.IsNaN(accumulation) ? 1.0 : accumulation, options.EscapeSearchEnd);
        double seconds = clock.Elapsed.TotalSeconds;
        tracker.Complete();
        return new UvCascadeResult
        {
            Options = options,
            Flips = flips,
            Ratios = ratios,
            Accumulation = accumulation,
            BoundedUntil = escape.Parameter,
            LastBounded = escape.LastBounded,
            FirstEscaping = escape.FirstEscaping,
            Seconds = seconds,
            StartedUtc = started,
        };
    }
}
