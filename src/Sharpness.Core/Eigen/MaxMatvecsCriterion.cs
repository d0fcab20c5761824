namespace Sharpness.Core.Eigen;

internal sealed class MaxMatvecsCriterion(int max) : IEigenStopCriterion
{
    public StopReason Check(in EigenIterationState state) =>
        state.Matvecs >= max ? StopReason.MaxMatvecs : StopReason.None;
}
