namespace Sharpness.Nets.Experiments;

/// <summary>How <see cref="GridSearch"/> looks for a critical index on a grid.</summary>
public enum GridSearchMode
{
    /// <summary>
    /// Binary search over grid indices, assuming the property is monotone (absent below a critical index,
    /// present from it on): about log2(count) evaluations. The two neighbours of the boundary are always
    /// evaluated, so the boundary itself is measured, not inferred.
    /// </summary>
    Bisect,

    /// <summary>
    /// Evaluate the grid in order from the relevant end until the property first appears (or disappears):
    /// the exact definition for any property, monotone or not, at up to <c>count</c> evaluations.
    /// </summary>
    Scan,
}
