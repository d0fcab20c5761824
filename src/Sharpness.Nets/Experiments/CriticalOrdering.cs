namespace Sharpness.Nets.Experiments;

/// <summary>Whether c_loss ≤ c_sharp ≤ c_max holds for one initialisation, given the grid's resolution and bounds.</summary>
public enum OrderingStatus
{
    /// <summary>Both inequalities hold for every value the grid allows.</summary>
    Holds,

    /// <summary>
    /// An inequality fails by exactly one grid step (for example c_sharp = c_max · 2^Δx: the sharpness first rises
    /// at the first c that diverges): it holds within the grid's resolution, not strictly.
    /// </summary>
    HoldsWithinGridStep,

    /// <summary>At least one inequality fails for every value the grid allows.</summary>
    Fails,

    /// <summary>A constant lies outside the grid (or c_sharp was not measured) so the order cannot be decided.</summary>
    Undetermined,
}

/// <summary>
/// The ordering check c_loss ≤ c_sharp ≤ c_max of Kalra &amp; Barkeshli on grid indices. On the grid, c_loss = c_i
/// and c_sharp = c_k are the first values showing their property and c_max = c_j the last without divergence, so
/// the ordering reads i ≤ k ≤ j. A constant outside the grid only bounds its index (c_loss at the smallest value:
/// index ≤ 0; none found: index ≥ the grid size; c_max at the largest value: index ≥ count − 1; divergence
/// everywhere: index ≤ −1), and an inequality between ranges is decided only when the ranges do not overlap.
/// An order that fails strictly but holds when the indices may differ by one is <see cref="OrderingStatus.HoldsWithinGridStep"/>.
/// </summary>
public static class CriticalOrdering
{
    /// <summary>Checks c_loss ≤ c_sharp ≤ c_max.</summary>
    /// <param name="loss">c_loss.</param>
    /// <param name="sharpness">c_sharp, or null when it was not measured (then only c_loss ≤ c_max is checked, and at best <see cref="OrderingStatus.Undetermined"/> is returned unless it fails).</param>
    /// <param name="max">c_max.</param>
    public static OrderingStatus Check(CriticalConstant loss, CriticalConstant? sharpness, CriticalConstant max)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(max);
        var strict = Check(loss, sharpness, max, 0);
        return strict == OrderingStatus.Fails && Check(loss, sharpness, max, 1) == OrderingStatus.Holds
            ? OrderingStatus.HoldsWithinGridStep
            : strict;
    }

    private static OrderingStatus Check(CriticalConstant loss, CriticalConstant? sharpness, CriticalConstant max, int slack)
    {
        var l = FirstTrueRange(loss);
        var m = LastFalseRange(max);
        if (sharpness is null)
        {
            return Compare(l, m, slack) == OrderingStatus.Fails ? OrderingStatus.Fails : OrderingStatus.Undetermined;
        }

        var s = FirstTrueRange(sharpness);
        var first = Compare(l, s, slack);
        var second = Compare(s, m, slack);
        return first == OrderingStatus.Fails || second == OrderingStatus.Fails ? OrderingStatus.Fails
            : first == OrderingStatus.Holds && second == OrderingStatus.Holds ? OrderingStatus.Holds
            : OrderingStatus.Undetermined;
    }

    /// <summary>Whether a ≤ b + slack for indices in the ranges: holds when a.Max ≤ b.Min + slack, fails when a.Min &gt; b.Max + slack.</summary>
    private static OrderingStatus Compare((double Min, double Max) a, (double Min, double Max) b, int slack) =>
        a.Max <= b.Min + slack ? OrderingStatus.Holds : a.Min > b.Max + slack ? OrderingStatus.Fails : OrderingStatus.Undetermined;

    private static (double Min, double Max) FirstTrueRange(CriticalConstant c) => c.Bound switch
    {
        CriticalBound.AtOrBelowGrid => (double.NegativeInfinity, 0),
        CriticalBound.AboveGrid => (c.Index + 1, double.PositiveInfinity),
        _ => (c.Index, c.Index),
    };

    private static (double Min, double Max) LastFalseRange(CriticalConstant c) => c.Bound switch
    {
        CriticalBound.AtOrBelowGrid => (double.NegativeInfinity, -1),
        CriticalBound.AboveGrid => (c.Index, double.PositiveInfinity),
        _ => (c.Index, c.Index),
    };
}
