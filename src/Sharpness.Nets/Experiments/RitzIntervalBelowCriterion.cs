using Sharpness.Core.Eigen;

namespace Sharpness.Nets.Experiments;

/// <summary>
/// Stops Lanczos as soon as the top Ritz value θ plus its residual ρ = ‖Hv − θv‖ is below
/// <paramref name="bound"/>: [θ − ρ, θ + ρ] contains an eigenvalue, and with θ tracking the top eigenvalue (the
/// premise of every residual-based stop, here helped by the warm start from the previous step's top eigenvector)
/// the top eigenvalue is then below the bound, which is all the caller needs to know.
/// </summary>
/// <remarks>Reports <see cref="StopReason.Cancelled"/> (ended early by the caller's choice). Unconfirmed residuals never stop.</remarks>
/// <param name="bound">The value the top eigenvalue is compared with.</param>
internal sealed class RitzIntervalBelowCriterion(double bound) : IEigenStopCriterion
{
    public StopReason Check(in EigenIterationState state) =>
        state.Eigenvalues.Count > 0 && state.Residuals[0] < double.MaxValue && state.Eigenvalues[0] + state.Residuals[0] < bound
            ? StopReason.Cancelled
            : StopReason.None;
}
