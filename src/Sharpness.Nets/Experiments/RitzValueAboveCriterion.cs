using Sharpness.Core.Eigen;

namespace Sharpness.Nets.Experiments;

/// <summary>
/// Stops Lanczos as soon as its top Ritz value exceeds <paramref name="bound"/>. Ritz values are Rayleigh
/// quotients of orthonormal vectors, so they never exceed the top eigenvalue: once one passes the bound, the
/// top eigenvalue certainly does, and the remaining products would only refine a number the caller does not need.
/// </summary>
/// <remarks>Reports <see cref="StopReason.Cancelled"/> (the run ends early by the caller's choice, not converged).</remarks>
/// <param name="bound">The value to beat.</param>
internal sealed class RitzValueAboveCriterion(double bound) : IEigenStopCriterion
{
    public StopReason Check(in EigenIterationState state) =>
        state.Eigenvalues.Count > 0 && double.IsFinite(state.Eigenvalues[0]) && state.Eigenvalues[0] > bound
            ? StopReason.Cancelled
            : StopReason.None;
}
