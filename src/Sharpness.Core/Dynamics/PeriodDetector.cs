namespace Sharpness.Core.Dynamics;

/// <summary>
/// Detects exact periodicity of the tail of a (possibly multi-component) time series, such as the
/// late iterates of a map: the smallest p such that z_t and z_{t−p} agree to a relative tolerance
/// for every t in the tail.
/// </summary>
public static class PeriodDetector
{
    /// <summary>Finds the smallest period of the last <paramref name="tailLength"/> points.</summary>
    /// <param name="components">One series per state component, all of equal length.</param>
    /// <param name="maxPeriod">Largest period tried (default 64).</param>
    /// <param name="tailLength">Points examined at the end of the series (default 512); must exceed the period by at least one full period.</param>
    /// <param name="relativeTolerance">Agreement required, relative to the largest magnitude in the tail (default 1e-6).</param>
    /// <returns>The period p ≥ 1 (1 means a fixed point), or null when no p ≤ <paramref name="maxPeriod"/> fits or the series is too short or not finite.</returns>
    public static int? Detect(IReadOnlyList<IReadOnlyList<double>> components, int maxPeriod = 64, int tailLength = 512, double relativeTolerance = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(components);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPeriod, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tailLength, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(relativeTolerance);
        if (components.Count == 0)
        {
            throw new ArgumentException("At least one component is needed.", nameof(components));
        }

        int length = components[0].Count;
        if (components.Any(c => c.Count != length))
        {
            throw new ArgumentException("All components must have the same length.", nameof(components));
        }

        int tail = Math.Min(tailLength, length);
        int start = length - tail;
        double scale = 0;
        foreach (var series in components)
        {
            for (int t = start; t < length; t++)
            {
                double value = series[t];
                if (!double.IsFinite(value))
                {
                    return null;
                }

                scale = Math.Max(scale, Math.Abs(value));
            }
        }

        double tolerance = relativeTolerance * Math.Max(scale, double.Epsilon);
        for (int p = 1; p <= maxPeriod && 2 * p <= tail; p++)
        {
            if (FitsPeriod(components, start, length, p, tolerance))
            {
                return p;
            }
        }

        return null;
    }

    private static bool FitsPeriod(IReadOnlyList<IReadOnlyList<double>> components, int start, int length, int period, double tolerance)
    {
        foreach (var series in components)
        {
            for (int t = start + period; t < length; t++)
            {
                if (Math.Abs(series[t] - series[t - period]) > tolerance)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
