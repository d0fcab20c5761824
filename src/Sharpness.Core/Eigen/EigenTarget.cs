namespace Sharpness.Core.Eigen;

/// <summary>Which end of a symmetric operator's spectrum an eigen-solver looks for.</summary>
public enum EigenTarget
{
    /// <summary>The algebraically largest eigenvalues (most positive first). Results are ordered descending.</summary>
    LargestAlgebraic,

    /// <summary>The algebraically smallest eigenvalues (most negative first). Results are ordered ascending.</summary>
    SmallestAlgebraic,

    /// <summary>
    /// The eigenvalues of largest absolute value. Results are ordered by |λ| descending;
    /// for equal magnitudes the positive value comes first.
    /// </summary>
    LargestMagnitude,
}
