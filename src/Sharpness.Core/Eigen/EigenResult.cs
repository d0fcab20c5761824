namespace Sharpness.Core.Eigen;

/// <summary>Output of an eigen-solver run: the wanted eigenpairs with their residuals and the cost of the run.</summary>
public sealed class EigenResult
{
    /// <summary>
    /// Eigenvalue estimates, ordered by the target: <see cref="EigenTarget.LargestAlgebraic"/> descending,
    /// <see cref="EigenTarget.SmallestAlgebraic"/> ascending, <see cref="EigenTarget.LargestMagnitude"/> by |λ| descending.
    /// Holds <see cref="EigenSolverOptions.Count"/> values, except when the run stopped unconverged before that many
    /// estimates existed (then fewer, possibly none).
    /// </summary>
    public required double[] Eigenvalues { get; init; }

    /// <summary>Unit-norm eigenvector estimates, <c>Eigenvectors[i]</c> belonging to <c>Eigenvalues[i]</c>; each has length <c>Size</c>. Signs are arbitrary.</summary>
    public required double[][] Eigenvectors { get; init; }

    /// <summary>Absolute residual 2-norms <c>‖A vᵢ − λᵢ vᵢ‖</c>, one per eigenvalue (not divided by |λᵢ|).</summary>
    public required double[] Residuals { get; init; }

    /// <summary>
    /// Iterations performed: Lanczos steps for <see cref="Lanczos"/> (one per operator application),
    /// completed (block) power steps including spectral-radius estimation for <see cref="PowerIteration"/>.
    /// </summary>
    public required int Iterations { get; init; }

    /// <summary>Number of calls to <see cref="LinearAlgebra.ILinearOperator.Apply"/>, counted exactly (every product the solver made).</summary>
    public required int Matvecs { get; init; }

    /// <summary>True when <see cref="StopReason"/> is <see cref="Eigen.StopReason.Converged"/> or <see cref="Eigen.StopReason.InvariantSubspace"/>.</summary>
    public required bool Converged { get; init; }

    /// <summary>Why the run ended.</summary>
    public required StopReason StopReason { get; init; }
}
