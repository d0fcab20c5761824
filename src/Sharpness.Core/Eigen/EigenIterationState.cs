namespace Sharpness.Core.Eigen;

/// <summary>
/// A snapshot of an eigen-solver's progress, passed to an <see cref="IEigenStopCriterion"/> after every
/// operator application.
/// </summary>
/// <param name="Iteration">
/// Solver iterations so far: for <see cref="Lanczos"/> the number of Lanczos steps (one per operator application),
/// for <see cref="PowerIteration"/> the number of completed (block) power steps.
/// </param>
/// <param name="Matvecs">Operator applications so far, counted exactly.</param>
/// <param name="Eigenvalues">
/// Current estimates of the wanted eigenvalues, ordered as the result will be (see <see cref="EigenTarget"/>).
/// Holds fewer than the wanted count (possibly none) while the solver does not yet have that many estimates.
/// </param>
/// <param name="Residuals">
/// Absolute residual 2-norms ‖A v − θ v‖ of the estimates in <paramref name="Eigenvalues"/>, same order and length.
/// A residual of <see cref="double.MaxValue"/> marks an estimate the solver cannot vouch for yet (for example fewer
/// than the wanted number of pairs exist, or a Krylov space has just become invariant and unexplored directions
/// remain); such a state never satisfies <see cref="StopCriteria.Residual(double)"/>.
/// </param>
/// <param name="RelativeChange">
/// max over the wanted pairs of |θ_new − θ_old| / max(max_j |θ_new,j|, tiny) since the previous state with
/// confirmed estimates of the same length; <see cref="double.PositiveInfinity"/> when there is no such previous
/// state (first check, unconfirmed estimates, or no new estimates since the last check).
/// </param>
public readonly record struct EigenIterationState(
    int Iteration,
    int Matvecs,
    IReadOnlyList<double> Eigenvalues,
    IReadOnlyList<double> Residuals,
    double RelativeChange);
