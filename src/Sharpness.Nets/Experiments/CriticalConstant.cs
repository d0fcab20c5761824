using System.Globalization;

namespace Sharpness.Nets.Experiments;

/// <summary>Where a critical constant lies relative to the grid it was searched on.</summary>
public enum CriticalBound
{
    /// <summary>Found inside the grid: the reported value is a grid point.</summary>
    Exact,

    /// <summary>At or below the smallest grid value: the reported value is an upper bound (c ≤ c_min of the grid).</summary>
    AtOrBelowGrid,

    /// <summary>Above the largest grid value (for c_max: at or above it): the reported value is a lower bound.</summary>
    AboveGrid,
}

/// <summary>
/// One critical learning-rate constant (c_loss, c_sharp or c_max) on a <see cref="LearningRateConstantGrid"/>:
/// its grid index, its value and whether the grid bounded it.
/// </summary>
/// <param name="Index">Grid index of the reported value (clamped into the grid when censored).</param>
/// <param name="Value">The constant c (against λ_H(0)): a grid value.</param>
/// <param name="Bound">Whether the value is exact on the grid or only a bound.</param>
public sealed record CriticalConstant(int Index, double Value, CriticalBound Bound)
{
    /// <summary>
    /// The smallest grid value with a property (c_loss, c_sharp) from its index <paramref name="firstTrue"/>
    /// (<see cref="GridSearch.FirstTrue"/>): index 0 is "at or below the grid" (the property already holds at
    /// c_min), the grid size is "above the grid" (reported as the largest value).
    /// </summary>
    /// <param name="grid">The grid.</param>
    /// <param name="firstTrue">Index in [0, Count].</param>
    public static CriticalConstant FromFirstTrue(LearningRateConstantGrid grid, int firstTrue)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentOutOfRangeException.ThrowIfNegative(firstTrue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstTrue, grid.Count);
        return firstTrue == grid.Count
            ? new CriticalConstant(grid.Count - 1, grid[grid.Count - 1], CriticalBound.AboveGrid)
            : new CriticalConstant(firstTrue, grid[firstTrue], firstTrue == 0 ? CriticalBound.AtOrBelowGrid : CriticalBound.Exact);
    }

    /// <summary>
    /// The largest grid value without a property (c_max: no divergence) from its index <paramref name="lastFalse"/>
    /// (<see cref="GridSearch.LastFalse"/>): −1 is "below the grid" (reported as the smallest value), the last
    /// index is "at or above the grid".
    /// </summary>
    /// <param name="grid">The grid.</param>
    /// <param name="lastFalse">Index in [−1, Count).</param>
    public static CriticalConstant FromLastFalse(LearningRateConstantGrid grid, int lastFalse)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastFalse, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lastFalse, grid.Count);
        return lastFalse == -1
            ? new CriticalConstant(0, grid[0], CriticalBound.AtOrBelowGrid)
            : new CriticalConstant(lastFalse, grid[lastFalse], lastFalse == grid.Count - 1 ? CriticalBound.AboveGrid : CriticalBound.Exact);
    }

    /// <summary>"=", "&lt;=" or "&gt;=": how <see cref="Value"/> relates to the true constant, for tables.</summary>
    public string Relation => Bound switch
    {
        CriticalBound.AtOrBelowGrid => "<=",
        CriticalBound.AboveGrid => ">=",
        _ => "=",
    };

    /// <summary>The value with its relation, e.g. "2.14" or "&gt;=128".</summary>
    public override string ToString() =>
        (Bound == CriticalBound.Exact ? string.Empty : Relation) + Value.ToString("G4", CultureInfo.InvariantCulture);
}
