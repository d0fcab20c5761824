using Sharpness.Core.Eigen;

namespace Sharpness.Nets.Experiments;

/// <summary>
/// Stops Lanczos once at least <paramref name="minimumMatvecs"/> products have been made and the top Ritz value θ
/// plus its residual ρ = ‖Hv − θv‖ is below <paramref name="bound"/>. [θ − ρ, θ + ρ] contains an eigenvalue; it
/// bounds the top eigenvalue only if θ tracks the top one, the premise of every residual-based stop. A Krylov space
/// of a few vectors started near the previous top eigenvector can miss a new, larger eigenvalue (a warm start can sit
/// on a small Ritz value with a small residual while the top eigenvalue is far above), so the test waits until the
/// space has grown to <paramref name="minimumMatvecs"/> vectors, by which a component along any larger eigenvalue
/// has been amplified by a polynomial of that degree.
/// </summary>
/// <remarks>Reports <see cref="StopReason.Cancelled"/> (ended early by the caller's choice). Unconfirmed residuals never stop.</remarks>
/// <param name="bound">The value the top eigenvalue is compared with.</param>
/// <param name="minimumMatvecs">Products before the test applies, ≥ 1.</param>
internal sealed class RitzIntervalBelowCriterion(double bound, int minimumMatvecs) : IEigenStopCriterion
{
    public StopReason Check(in EigenIterationState state) =>
        state.Matvecs >= minimumMatvecs && state.Eigenvalues.Count > 0 && state.Residuals[0] < double.MaxValue
            && state.Eigenvalues[0] + state.Residuals[0] < bound
            ? StopReason.Cancelled
            : StopReason.None;
}
