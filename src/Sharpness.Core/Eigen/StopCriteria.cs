namespace Sharpness.Core.Eigen;

/// <summary>
/// Factory for the standard <see cref="IEigenStopCriterion"/> implementations and their combinations.
/// All returned criteria are stateless and may be shared between solver runs and threads.
/// </summary>
public static class StopCriteria
{
    /// <summary>Stops with <see cref="StopReason.MaxMatvecs"/> once <c>Matvecs ≥ max</c>.</summary>
    /// <param name="max">Largest number of operator applications allowed; at least 1.</param>
    /// <remarks>The solvers check after every operator application, so a run never exceeds <paramref name="max"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is less than 1.</exception>
    public static IEigenStopCriterion MaxMatvecs(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return new MaxMatvecsCriterion(max);
    }

    /// <summary>
    /// <see cref="StopReason.Converged"/> when every wanted residual satisfies
    /// <c>‖A v − θ v‖ ≤ relativeTolerance · max_j |θ_j|</c>, the scale being the largest magnitude among the wanted
    /// eigenvalue estimates (at least the tiny floor 1e-300, so an exactly zero spectrum with zero residuals converges).
    /// </summary>
    /// <param name="relativeTolerance">Tolerance relative to the largest wanted |θ|; positive and finite, default 1e-8.</param>
    /// <remarks>
    /// Measuring every residual against the largest wanted magnitude keeps wanted eigenvalues near zero from stalling
    /// on rounding error. A state with no estimates, or with an unconfirmed estimate (residual
    /// <see cref="double.MaxValue"/>), never converges. Use <see cref="Residual(double, double)"/> to set an absolute floor
    /// when all wanted eigenvalues may be close to zero.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="relativeTolerance"/> is not positive and finite.</exception>
    public static IEigenStopCriterion Residual(double relativeTolerance = 1e-8) => Residual(relativeTolerance, 0.0);

    /// <summary>
    /// <see cref="StopReason.Converged"/> when every wanted residual satisfies
    /// <c>‖A v − θ v‖ ≤ relativeTolerance · max(max_j |θ_j|, absoluteFloor)</c>.
    /// </summary>
    /// <param name="relativeTolerance">Tolerance relative to the scale; positive and finite.</param>
    /// <param name="absoluteFloor">
    /// Smallest eigenvalue scale used (same units as the eigenvalues), for example an estimate of the operator norm when
    /// all wanted eigenvalues may be near zero; non-negative and finite.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A tolerance is negative, zero (relative), NaN or infinite.</exception>
    public static IEigenStopCriterion Residual(double relativeTolerance, double absoluteFloor)
    {
        if (!(relativeTolerance > 0) || !double.IsFinite(relativeTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeTolerance), relativeTolerance, "The tolerance must be positive and finite.");
        }

        if (!(absoluteFloor >= 0) || !double.IsFinite(absoluteFloor))
        {
            throw new ArgumentOutOfRangeException(nameof(absoluteFloor), absoluteFloor, "The floor must be non-negative and finite.");
        }

        return new ResidualCriterion(relativeTolerance, absoluteFloor);
    }

    /// <summary>
    /// <see cref="StopReason.Converged"/> when <see cref="EigenIterationState.RelativeChange"/> ≤ <paramref name="tolerance"/>,
    /// i.e. the wanted eigenvalue estimates moved by at most that fraction of the largest wanted |θ| since the previous check.
    /// </summary>
    /// <param name="tolerance">Non-negative, finite; default 1e-10.</param>
    /// <remarks>
    /// Stagnation is not convergence in general; combine with <see cref="Residual(double)"/> through <see cref="All"/>
    /// when both are wanted. States without estimates never converge.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tolerance"/> is negative, NaN or infinite.</exception>
    public static IEigenStopCriterion RelativeChange(double tolerance = 1e-10)
    {
        if (!(tolerance >= 0) || !double.IsFinite(tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be non-negative and finite.");
        }

        return new RelativeChangeCriterion(tolerance);
    }

    /// <summary>
    /// <see cref="StopReason.Diverged"/> when any eigenvalue estimate or residual is NaN or infinite
    /// (<see cref="double.MaxValue"/>, the marker of an unconfirmed residual, is finite and does not count).
    /// </summary>
    /// <remarks>The solvers also stop with <see cref="StopReason.Diverged"/> on their own when the operator returns a non-finite vector.</remarks>
    public static IEigenStopCriterion Divergence() => DivergenceCriterion.Instance;

    /// <summary><see cref="StopReason.Cancelled"/> once cancellation is requested on <paramref name="token"/>.</summary>
    /// <param name="token">The token to observe.</param>
    public static IEigenStopCriterion Cancellation(CancellationToken token) => new CancellationCriterion(token);

    /// <summary>
    /// Stops as soon as one criterion does: the criteria are checked in order and the first verdict other than
    /// <see cref="StopReason.None"/> is returned (later criteria are then not consulted).
    /// </summary>
    /// <param name="criteria">One or more criteria, none null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="criteria"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="criteria"/> is empty.</exception>
    public static IEigenStopCriterion Any(params IEigenStopCriterion[] criteria) => new AnyCriterion(CopyChecked(criteria));

    /// <summary>
    /// Converges only when every criterion says <see cref="StopReason.Converged"/> (for example a residual test AND a
    /// relative-change test). Any other stop verdict (<see cref="StopReason.MaxMatvecs"/>, <see cref="StopReason.Diverged"/>,
    /// <see cref="StopReason.Cancelled"/>, ...) from any criterion stops at once; the first such verdict in order wins.
    /// Otherwise returns <see cref="StopReason.None"/>.
    /// </summary>
    /// <param name="criteria">One or more criteria, none null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="criteria"/> or one of its elements is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="criteria"/> is empty.</exception>
    public static IEigenStopCriterion All(params IEigenStopCriterion[] criteria) => new AllCriterion(CopyChecked(criteria));

    /// <summary>
    /// The criterion the solvers use when <see cref="EigenSolverOptions.StopCriterion"/> is null:
    /// <c>Any(Divergence(), Residual(residualTolerance), MaxMatvecs(maxMatvecs))</c>.
    /// </summary>
    /// <param name="maxMatvecs">Budget of operator applications; default 1000.</param>
    /// <param name="residualTolerance">Relative residual tolerance, see <see cref="Residual(double)"/>; default 1e-8.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range (see the individual factories).</exception>
    public static IEigenStopCriterion Default(int maxMatvecs = 1000, double residualTolerance = 1e-8) =>
        Any(Divergence(), Residual(residualTolerance), MaxMatvecs(maxMatvecs));

    private static IEigenStopCriterion[] CopyChecked(IEigenStopCriterion[] criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        if (criteria.Length == 0)
        {
            throw new ArgumentException("At least one criterion is required.", nameof(criteria));
        }

        var copy = (IEigenStopCriterion[])criteria.Clone();
        foreach (IEigenStopCriterion c in copy)
        {
            if (c is null)
            {
                throw new ArgumentNullException(nameof(criteria), "A criterion is null.");
            }
        }

        return copy;
    }
}
