namespace Sharpness.Core.Eigen;

internal sealed class CancellationCriterion(CancellationToken token) : IEigenStopCriterion
{
    public StopReason Check(in EigenIterationState state) =>
        token.IsCancellationRequested ? StopReason.Cancelled : StopReason.None;
}
