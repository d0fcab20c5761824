namespace Sharpness.Core.Dynamics;

/// <summary>Where bounded dynamics end: the parameter beyond which orbits from a given initial state escape.</summary>
/// <param name="Parameter">The escape boundary r_esc, to the bisection tolerance; NaN when no escape was found in the scanned range.</param>
/// <param name="LastBounded">The largest parameter checked whose orbit stayed bounded.</param>
/// <param name="FirstEscaping">The smallest parameter checked whose orbit escaped (NaN when none).</param>
public sealed record EscapeBoundary(double Parameter, double LastBounded, double FirstEscaping);

/// <summary>Locates the end of bounded dynamics by a coarse scan of the parameter followed by bisection.</summary>
public static class BoundedDynamics
{
    /// <summary>
    /// Scans r upward from <paramref name="start"/> in steps of <paramref name="scanStep"/>, iterating
    /// <paramref name="scanSteps"/> steps from <paramref name="initialState"/> at each value, until an
    /// orbit escapes; then bisects between the last bounded and the first escaping value, iterating
    /// <paramref name="bisectionSteps"/> steps (long enough to outlast the chaotic transients near a crisis).
    /// </summary>
    /// <param name="map">The map.</param>
    /// <param name="initialState">z₀.</param>
    /// <param name="start">First parameter scanned (where the orbit is bounded).</param>
    /// <param name="end">Last parameter scanned.</param>
    /// <param name="scanStep">Scan resolution (default 1e-3).</param>
    /// <param name="scanSteps">Iterations per scanned value (default 20 000).</param>
    /// <param name="bisectionSteps">Iterations per bisection value (default 1 000 000).</param>
    /// <param name="tolerance">Width of the final bracket (default 1e-10).</param>
    /// <param name="threshold">Escape when a component's magnitude exceeds this or is not finite (default 1e6).</param>
    public static EscapeBoundary FindEscape(IIteratedMap map, ReadOnlySpan<double> initialState, double start, double end, double scanStep = 1e-3, int scanSteps = 20_000, int bisectionSteps = 1_000_000, double tolerance = 1e-10, double threshold = 1e6)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (!(end > start) || !(scanStep > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(end), "The scan needs end > start and a positive step.");
        }

        var z0 = initialState.ToArray();
        double bounded = start;
        double escaping = double.NaN;
        for (double r = start; r <= end + (scanStep / 2); r += scanStep)
        {
            if (Escapes(map, z0, Math.Min(r, end), scanSteps, threshold))
            {
                escaping = Math.Min(r, end);
                break;
            }

            bounded = Math.Min(r, end);
        }

        if (double.IsNaN(escaping))
        {
            return new EscapeBoundary(double.NaN, bounded, double.NaN);
        }

        while (escaping - bounded > tolerance)
        {
            double middle = 0.5 * (bounded + escaping);
            if (middle == bounded || middle == escaping)
            {
                break;
            }

            if (Escapes(map, z0, middle, bisectionSteps, threshold))
            {
                escaping = middle;
            }
            else
            {
                bounded = middle;
            }
        }

        return new EscapeBoundary(0.5 * (bounded + escaping), bounded, escaping);
    }

    /// <summary>Whether the orbit from <paramref name="initialState"/> escapes within <paramref name="steps"/> iterations.</summary>
    /// <param name="map">The map.</param>
    /// <param name="initialState">z₀.</param>
    /// <param name="parameter">r.</param>
    /// <param name="steps">Iterations.</param>
    /// <param name="threshold">Escape threshold.</param>
    public static bool Escapes(IIteratedMap map, ReadOnlySpan<double> initialState, double parameter, int steps, double threshold = 1e6)
    {
        ArgumentNullException.ThrowIfNull(map);
        Span<double> z = stackalloc double[initialState.Length];
        initialState.CopyTo(z);
        for (int t = 0; t < steps; t++)
        {
            map.Step(z, parameter, z);
            foreach (double value in z)
            {
                if (!(Math.Abs(value) <= threshold))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
