namespace Sharpness.Core.Dynamics;

/// <summary>
/// Finds periodic orbits of a map by Newton's method on G(z) = M^p(z) − z, whose Jacobian is the
/// monodromy matrix minus the identity.
/// </summary>
public static class PeriodicOrbitFinder
{
    /// <summary>Finds a period-<paramref name="period"/> orbit near <paramref name="guess"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="parameter">r.</param>
    /// <param name="period">p ≥ 1.</param>
    /// <param name="guess">Starting point (a point of the orbit, approximately).</param>
    /// <param name="tolerance">Convergence when the Newton step and the residual are below tolerance·(1 + |z|) (default 1e-13).</param>
    /// <param name="maxIterations">Newton iterations (default 100).</param>
    /// <param name="requireMinimalPeriod">Reject solutions whose minimal period is a proper divisor of p (default true).</param>
    /// <returns>The orbit, or null when Newton did not converge, diverged, or found a shorter period.</returns>
    public static PeriodicOrbit? TryFind(IIteratedMap map, double parameter, int period, ReadOnlySpan<double> guess, double tolerance = 1e-13, int maxIterations = 100, bool requireMinimalPeriod = true)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        int d = map.Dimension;
        if (guess.Length != d)
        {
            throw new ArgumentException($"The guess has {guess.Length} components; the map has dimension {d}.", nameof(guess));
        }

        var z = guess.ToArray();
        var end = new double[d];
        var monodromy = new double[d * d];
        var matrix = new double[d * d];
        var rhs = new double[d];
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            if (!Iterate(map, parameter, period, z, end, monodromy))
            {
                return null;
            }

            double size = 1 + MaxAbs(z);
            for (int i = 0; i < d; i++)
            {
                rhs[i] = -(end[i] - z[i]);
            }

            monodromy.CopyTo(matrix, 0);
            for (int i = 0; i < d; i++)
            {
                matrix[(i * d) + i] -= 1;
            }

            if (!SmallMatrix.Solve(matrix, rhs, d))
            {
                return null;
            }

            double stepSize = MaxAbs(rhs);
            for (int i = 0; i < d; i++)
            {
                z[i] += rhs[i];
            }

            if (!z.All(double.IsFinite))
            {
                return null;
            }

            if (stepSize <= tolerance * size)
            {
                return Build(map, parameter, period, z, iteration, requireMinimalPeriod, tolerance);
            }
        }

        return null;
    }

    /// <summary>Finds a period-<paramref name="period"/> orbit near <paramref name="guess"/> or throws.</summary>
    /// <param name="map">The map.</param>
    /// <param name="parameter">r.</param>
    /// <param name="period">p ≥ 1.</param>
    /// <param name="guess">Starting point.</param>
    /// <param name="tolerance">Newton tolerance (default 1e-13).</param>
    /// <param name="maxIterations">Newton iterations (default 100).</param>
    /// <exception cref="InvalidOperationException">No orbit was found from the guess.</exception>
    public static PeriodicOrbit Find(IIteratedMap map, double parameter, int period, ReadOnlySpan<double> guess, double tolerance = 1e-13, int maxIterations = 100) =>
        TryFind(map, parameter, period, guess, tolerance, maxIterations)
        ?? throw new InvalidOperationException($"Newton's method found no period-{period} orbit at r = {parameter} from the given guess.");

    /// <summary>The orbit through <paramref name="point"/> assumed periodic with period p, with its monodromy and multipliers (no Newton correction).</summary>
    /// <param name="map">The map.</param>
    /// <param name="parameter">r.</param>
    /// <param name="period">p ≥ 1.</param>
    /// <param name="point">A point of the orbit.</param>
    public static PeriodicOrbit Describe(IIteratedMap map, double parameter, int period, ReadOnlySpan<double> point)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Build(map, parameter, period, point.ToArray(), 0, requireMinimalPeriod: false, tolerance: 0)!;
    }

    private static PeriodicOrbit? Build(IIteratedMap map, double parameter, int period, double[] z, int iterations, bool requireMinimalPeriod, double tolerance)
    {
        int d = map.Dimension;
        var points = new List<double[]>(period);
        var current = (double[])z.Clone();
        var monodromy = Identity(d);
        var jacobian = new double[d * d];
        var product = new double[d * d];
        for (int k = 0; k < period; k++)
        {
            points.Add((double[])current.Clone());
            map.Jacobian(current, parameter, jacobian);
            SmallMatrix.Multiply(jacobian, monodromy, product, d);
            product.CopyTo(monodromy, 0);
            map.Step(current, parameter, current);
        }

        double residual = 0;
        for (int i = 0; i < d; i++)
        {
            residual = Math.Max(residual, Math.Abs(current[i] - z[i]));
        }

        if (requireMinimalPeriod)
        {
            double scale = 1 + MaxAbs(z);
            for (int divisor = 1; divisor < period; divisor++)
            {
                if (period % divisor == 0 && Distance(points[divisor], z) <= Math.Max(1e3 * tolerance, 1e-9) * scale)
                {
                    return null;
                }
            }
        }

        return new PeriodicOrbit
        {
            Period = period,
            Parameter = parameter,
            Points = points,
            Monodromy = monodromy,
            Multipliers = SmallMatrix.Eigenvalues(monodromy, d),
            Residual = residual,
            Iterations = iterations,
        };
    }

    /// <summary>end = M^p(z), monodromy = product of Jacobians; false when a value is not finite.</summary>
    internal static bool Iterate(IIteratedMap map, double parameter, int period, ReadOnlySpan<double> z, Span<double> end, Span<double> monodromy)
    {
        int d = map.Dimension;
        Span<double> jacobian = stackalloc double[d * d];
        Span<double> product = stackalloc double[d * d];
        monodromy.Clear();
        for (int i = 0; i < d; i++)
        {
            monodromy[(i * d) + i] = 1;
        }

        z.CopyTo(end);
        for (int k = 0; k < period; k++)
        {
            map.Jacobian(end, parameter, jacobian);
            SmallMatrix.Multiply(jacobian, monodromy, product, d);
            product.CopyTo(monodromy);
            map.Step(end, parameter, end);
        }

        foreach (double value in end)
        {
            if (!double.IsFinite(value))
            {
                return false;
            }
        }

        foreach (double value in monodromy)
        {
            if (!double.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }

    private static double[] Identity(int d)
    {
        var identity = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            identity[(i * d) + i] = 1;
        }

        return identity;
    }

    private static double MaxAbs(ReadOnlySpan<double> values)
    {
        double max = 0;
        foreach (double value in values)
        {
            max = Math.Max(max, Math.Abs(value));
        }

        return max;
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
