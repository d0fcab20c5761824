namespace Sharpness.Core.Eigen;

/// <summary>Ordering of eigenvalue estimates by how much a target wants them.</summary>
internal static class EigenOrdering
{
    /// <summary>A number that is larger the more <paramref name="target"/> wants <paramref name="value"/>.</summary>
    public static double Preference(double value, EigenTarget target) => target switch
    {
        EigenTarget.LargestAlgebraic => value,
        EigenTarget.SmallestAlgebraic => -value,
        _ => Math.Abs(value),
    };

    /// <summary>
    /// Indices of <paramref name="values"/> from most to least wanted. Ties in preference put the larger value first,
    /// then the lower index, so the order is fully deterministic.
    /// </summary>
    public static int[] Order(ReadOnlySpan<double> values, EigenTarget target)
    {
        var order = new int[values.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Insertion sort: the arrays are small (projected dimensions) and the sort must be stable.
        for (int i = 1; i < order.Length; i++)
        {
            int current = order[i];
            int j = i - 1;
            while (j >= 0 && Precedes(values[current], values[order[j]], target))
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = current;
        }

        return order;
    }

    private static bool Precedes(double a, double b, EigenTarget target)
    {
        double pa = Preference(a, target);
        double pb = Preference(b, target);
        return pa > pb || (pa == pb && a > b);
    }
}
