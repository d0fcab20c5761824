using Sharpness.Core.Dynamics;
using Sharpness.Experiments.Uv;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Web.Uv;

/// <summary>
/// The (g, x) plane of the scaled map at one r (docs/uv-model.md sections 5–7): one GD step's
/// displacement on a grid, and the fixed points and the period-2 orbit with their multipliers. The
/// growth wedge (−rx/(4 − x) &lt; g &lt; r for 0 &lt; x &lt; 4), the EoS manifold x = 2|g| and the line
/// x = 2 are closed forms the page draws itself.
/// </summary>
/// <param name="R">Scaled target.</param>
/// <param name="G">Grid values of g (columns).</param>
/// <param name="X">Grid values of x (rows).</param>
/// <param name="Dg">g' − g at each grid point, row-major (row = x index).</param>
/// <param name="Dx">x' − x at each grid point, row-major.</param>
/// <param name="FixedPoints">The fixed points and, for r ≥ 1, the 2-cycle on the manifold, with multipliers.</param>
public sealed record UvField(double R, double[] G, double[] X, double[] Dg, double[] Dx, IReadOnlyList<UvFixedPoint> FixedPoints)
{
    /// <summary>Default horizontal range for r, as <c>sharpness uv field</c> draws it: g in [−span/2, span] with span = max(2, 2|r| + 1).</summary>
    /// <param name="r">Scaled target.</param>
    public static (double Min, double Max) DefaultGRange(double r)
    {
        double span = Math.Max(2, (2 * Math.Abs(r)) + 1);
        return (-span / 2, span);
    }

    /// <summary>Computes the field and the fixed points.</summary>
    /// <param name="r">Scaled target.</param>
    /// <param name="gMin">Left end.</param>
    /// <param name="gMax">Right end.</param>
    /// <param name="xMin">Bottom.</param>
    /// <param name="xMax">Top.</param>
    /// <param name="grid">Arrows per axis (≥ 2).</param>
    public static UvField Compute(double r, double gMin, double gMax, double xMin, double xMax, int grid)
    {
        var g = Enumerable.Range(0, grid).Select(i => gMin + ((gMax - gMin) * i / (grid - 1))).ToArray();
        var x = Enumerable.Range(0, grid).Select(i => xMin + ((xMax - xMin) * i / (grid - 1))).ToArray();
        var dg = new double[grid * grid];
        var dx = new double[grid * grid];
        for (int j = 0; j < grid; j++)
        {
            for (int i = 0; i < grid; i++)
            {
                var next = UvScaledMap.Step(new UvScaledState(g[i], x[j]), r);
                dg[(j * grid) + i] = next.G - g[i];
                dx[(j * grid) + i] = next.X - x[j];
            }
        }

        return new UvField(r, g, x, dg, dx, UvFixedPoint.WithTwoCycle(r));
    }
}

/// <summary>A fixed point or a periodic orbit of the scaled map, with what decides its stability.</summary>
/// <param name="Kind">What it is, in words.</param>
/// <param name="Period">1 for a fixed point, p for a period-p orbit.</param>
/// <param name="Points">The orbit's points as [g, x].</param>
/// <param name="Multipliers">Eigenvalues of the Jacobian of the p-th iterate, as [real, imaginary].</param>
/// <param name="Stable">
/// Whether every multiplier lies inside the unit circle; for the minimum, which sits on the line of
/// minima g = r with its neutral multiplier 1 along the line, whether the other one, 1 − x, does.
/// </param>
public sealed record UvFixedPoint(string Kind, int Period, double[][] Points, double[][] Multipliers, bool Stable)
{
    /// <summary>
    /// The fixed points (origin, sign-flip points, the minimum on the manifold) and the periodic orbits
    /// up to <paramref name="maxPeriod"/> found by Newton's method, from <see cref="UvFixedPointsExperiment"/>
    /// (what <c>sharpness uv fixed-points</c> computes).
    /// </summary>
    /// <param name="r">Scaled target.</param>
    /// <param name="maxPeriod">Largest period searched (1: the fixed points only).</param>
    /// <param name="cancellationToken">Stops the search (the client went away).</param>
    public static IReadOnlyList<UvFixedPoint> All(double r, int maxPeriod, CancellationToken cancellationToken = default) =>
        UvFixedPointsExperiment.Run(new UvFixedPointsOptions { R = r, MaxPeriod = maxPeriod }, null, cancellationToken).Orbits
            .Select(found => From(found.Kind, found.Orbit, r))
            .ToList();

    /// <summary>
    /// The fixed points (<see cref="All"/> with no search) and, for r ≥ 1, the period-2 orbit on the
    /// manifold in closed form (<see cref="UvFixedPoints.TwoCycle"/>): fast enough to follow a slider,
    /// where the Newton search of longer orbits is not.
    /// </summary>
    /// <param name="r">Scaled target.</param>
    public static IReadOnlyList<UvFixedPoint> WithTwoCycle(double r)
    {
        var list = All(r, 1).ToList();
        if (r >= 1)
        {
            var (plus, _) = UvFixedPoints.TwoCycle(r);
            list.Add(From("period-2 orbit on the manifold (closed form)", PeriodicOrbitFinder.Describe(new UvScaledIteratedMap(), r, 2, [plus.G, plus.X]), r));
        }

        return list;
    }

    private static UvFixedPoint From(string kind, PeriodicOrbit orbit, double r) => new(
        kind,
        orbit.Period,
        orbit.Points.Select(p => new[] { p[0], p[1] }).ToArray(),
        orbit.Multipliers.Select(m => new[] { m.Real, m.Imaginary }).ToArray(),
        kind.StartsWith("minimum", StringComparison.Ordinal) ? Math.Abs(1 - (2 * Math.Abs(r))) < 1 : orbit.IsStable);
}
