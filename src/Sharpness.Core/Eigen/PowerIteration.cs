using Sharpness.Core.LinearAlgebra;

namespace Sharpness.Core.Eigen;

/// <summary>
/// Matrix-free (block) power iteration with Rayleigh–Ritz: simple and robust, slower than <see cref="Lanczos"/>
/// (convergence rate |λ_{k+1}| / |λ_k| of the iterated operator). Memory is about 3·Count vectors of length <c>Size</c>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="EigenTarget.LargestMagnitude"/> iterates on A itself. For <see cref="EigenTarget.LargestAlgebraic"/>
/// (<see cref="EigenTarget.SmallestAlgebraic"/>) a few plain power steps first estimate the spectral radius ρ, and
/// the iteration runs on A + ρI (−A + ρI), whose dominant eigenvalues are the wanted end of A's spectrum; if a
/// negative Ritz value shows that the estimate was too small, the shift is raised without extra products.
/// Reported eigenvalues are those of A; residuals are ‖A x − λ x‖ computed explicitly from the products.
/// Every operator application, including the estimation steps, is counted in <see cref="EigenResult.Matvecs"/>.
/// </para>
/// <para>
/// Convergence needs a gap after the Count-th eigenvalue of the iterated operator: for
/// <see cref="EigenTarget.LargestMagnitude"/> a pair ±λ straddling that position never converges, and closely
/// spaced spectra converge slowly (prefer <see cref="Lanczos"/>). When every wanted eigenvalue may be close to zero,
/// use <see cref="StopCriteria.Residual(double, double)"/> with an absolute floor.
/// </para>
/// <para>
/// With Count &gt; 1 the stop criterion is consulted after every product, but new estimates appear only after
/// each block of Count products; with Count = Size the first Rayleigh–Ritz step is exact
/// (<see cref="StopReason.InvariantSubspace"/>).
/// </para>
/// </remarks>
public static class PowerIteration
{
    /// <summary>Computes <see cref="EigenSolverOptions.Count"/> eigenpairs at the <see cref="EigenSolverOptions.Target"/> end of the spectrum.</summary>
    /// <param name="op">A symmetric operator.</param>
    /// <param name="options">Solver settings (<see cref="EigenSolverOptions.MaxBasisSize"/> is ignored); null uses the defaults.</param>
    /// <returns>
    /// The estimates; <see cref="EigenResult.Converged"/> is false when the run stopped early (budget, cancellation,
    /// divergence). Never throws for numerical reasons such as a NaN produced by the operator.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="op"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><c>options.Count</c> is below 1 or above <c>op.Size</c>, or <c>options.Target</c> is undefined.</exception>
    /// <exception cref="ArgumentException">
    /// <c>options.StartVector</c> has the wrong length, is zero, or contains NaN/infinity; or <c>op.Size</c> is below 1.
    /// </exception>
    public static EigenResult Solve(ILinearOperator op, EigenSolverOptions? options = null)
    {
        SolverSetup setup = SolverSetup.Create(op, options);
        return new PowerSolver(setup).Run();
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
