namespace Sharpness.Core;

/// <summary>Evenly spaced values, the ends included, that stay finite for any finite ends.</summary>
public static class EvenGrid
{
    /// <summary>
    /// The value i of <paramref name="count"/> evenly spaced values from <paramref name="min"/> to
    /// <paramref name="max"/>: min + (max − min)·i/(count − 1), which is what every sweep of the
    /// toolkit has always computed; where that product overflows (ends near ±1.8e308) it is
    /// computed as min + (max − min)·(i/(count − 1)) instead, or from both ends when even the
    /// difference overflows, so that the value stays finite.
    /// </summary>
    /// <param name="min">First value.</param>
    /// <param name="max">Last value.</param>
    /// <param name="i">Index, 0 ≤ i &lt; count.</param>
    /// <param name="count">Number of values ≥ 1 (1 gives <paramref name="min"/>).</param>
    public static double Value(double min, double max, int i, int count)
    {
        if (count <= 1)
        {
            return min;
        }

        double value = min + ((max - min) * i / (count - 1));
        if (double.IsFinite(value) || !double.IsFinite(min) || !double.IsFinite(max))
        {
            return value;
        }

        double t = (double)i / (count - 1);
        double scaled = min + ((max - min) * t);
        return double.IsFinite(scaled) ? scaled : (min * (1 - t)) + (max * t);
    }

    /// <summary>All <paramref name="count"/> values (see <see cref="Value"/>).</summary>
    /// <param name="min">First value.</param>
    /// <param name="max">Last value.</param>
    /// <param name="count">Number of values ≥ 1.</param>
    public static double[] Values(double min, double max, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var values = new double[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = Value(min, max, i, count);
        }

        return values;
    }
}
