namespace Sharpness.Core.Eigen;

internal sealed class RelativeChangeCriterion(double tolerance) : IEigenStopCriterion
{
    public StopReason Check(in EigenIterationState state) =>
        state.Eigenvalues.Count > 0 && state.RelativeChange <= tolerance ? StopReason.Converged : StopReason.None;
}
