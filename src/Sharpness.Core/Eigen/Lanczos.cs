using Sharpness.Core.LinearAlgebra;

namespace Sharpness.Core.Eigen;

/// <summary>
/// Matrix-free symmetric eigen-solver: Lanczos with full re-orthogonalisation and thick restart.
/// The operator is touched only through <see cref="ILinearOperator.Apply"/>; memory is about
/// <see cref="EigenSolverOptions.MaxBasisSize"/> vectors of length <c>Size</c>.
/// </summary>
/// <remarks>
/// <para>
/// Each step applies the operator once, orthogonalises the product against the whole basis with classical
/// Gram–Schmidt done twice, and records the coefficients in the small projected matrix H = Vᵀ A V. Ritz pairs of H
/// are recomputed after every step and the stop criterion is consulted; the Ritz residual is β·|last component of the
/// Ritz vector|, which equals the true ‖A x − θ x‖ up to rounding because the basis is kept orthonormal. When the
/// basis is full, the most wanted Ritz vectors (Count plus about half the free room) are kept and the iteration
/// continues from the residual direction (thick restart).
/// </para>
/// <para>
/// If the Krylov space becomes invariant (β tiny relative to the operator-norm estimate) before the wanted pairs are
/// certain — rank-deficient operators, repeated eigenvalues, Count larger than the Krylov space of the start vector —
/// the iteration continues with a fresh deterministic random direction orthogonal to the basis. A random direction
/// whose Krylov space breaks down has revealed every distinct eigenvalue left outside the basis, so the run ends as
/// <see cref="StopReason.Converged"/> (the pairs being exact up to rounding) once none of those values could displace
/// a wanted one; until then the stop criterion sees unconfirmed estimates (residual <see cref="double.MaxValue"/>).
/// When the basis spans the whole space the result is exact and the run ends with
/// <see cref="StopReason.InvariantSubspace"/>.
/// </para>
/// <para>
/// Limitations shared by single-vector Krylov methods: an eigenvalue repeated inside a large, otherwise distinct
/// spectrum (so that no breakdown occurs) is reported once; a warm start (<see cref="EigenSolverOptions.StartVector"/>)
/// that is already (nearly) an eigenvector converges to that pair at once, so it should still contain the wanted
/// directions. A <see cref="EigenSolverOptions.MaxBasisSize"/> close to Count + 2 converges slowly and, on highly
/// degenerate spectra or with <see cref="EigenTarget.LargestMagnitude"/>, may stall or settle on a wrong pair; the
/// automatic size avoids this. When every wanted eigenvalue may be close to zero, use
/// <see cref="StopCriteria.Residual(double, double)"/> with an absolute floor.
/// </para>
/// </remarks>
public static class Lanczos
{
    /// <summary>Computes <see cref="EigenSolverOptions.Count"/> eigenpairs at the <see cref="EigenSolverOptions.Target"/> end of the spectrum.</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="options">Solver settings; null uses the defaults of <see cref="EigenSolverOptions"/>.</param>
    /// <returns>
    /// The estimates; <see cref="EigenResult.Converged"/> is false when the run stopped early (budget, cancellation,
    /// divergence) — it never throws for numerical reasons such as a NaN produced by the operator.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="op"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <c>options.Count</c> is below 1 or above <c>op.Size</c>, <c>options.MaxBasisSize</c> is negative or (below
    /// <c>op.Size</c>) smaller than Count + 2, or <c>options.Target</c> is undefined.
    /// </exception>
    /// <exception cref="ArgumentException">
    /// <c>options.StartVector</c> has the wrong length, is zero, or contains NaN/infinity; or <c>op.Size</c> is below 1.
    /// </exception>
    public static EigenResult Solve(ILinearOperator op, EigenSolverOptions? options = null)
    {
        SolverSetup setup = SolverSetup.Create(op, options);
        return new LanczosSolver(setup).Run();
    }

    /// <summary>Like <see cref="Solve"/>, reporting convergence as the return value.</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="options">Solver settings; null uses the defaults.</param>
    /// <param name="result">The estimates, also when not converged.</param>
    /// <returns><see cref="EigenResult.Converged"/>.</returns>
    /// <exception cref="ArgumentException">Invalid arguments, exactly as for <see cref="Solve"/> (including the derived exception types listed there).</exception>
    public static bool TrySolve(ILinearOperator op, EigenSolverOptions? options, out EigenResult result)
    {
        result = Solve(op, options);
        return result.Converged;
    }
}
