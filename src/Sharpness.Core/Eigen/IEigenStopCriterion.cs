namespace Sharpness.Core.Eigen;

/// <summary>
/// Decides after each operator application whether an eigen-solver stops. Build instances with <see cref="StopCriteria"/>.
/// </summary>
/// <remarks>Implementations should be cheap and side-effect free; the solvers call them after every matrix-vector product.</remarks>
public interface IEigenStopCriterion
{
    /// <summary>Inspects the solver state.</summary>
    /// <param name="state">The current estimates and counters.</param>
    /// <returns><see cref="StopReason.None"/> to go on, otherwise the reason to stop.</returns>
    StopReason Check(in EigenIterationState state);
}
