namespace Sharpness.Core.Eigen;

internal sealed class AnyCriterion(IEigenStopCriterion[] criteria) : IEigenStopCriterion
{
    public StopReason Check(in EigenIterationState state)
    {
        foreach (IEigenStopCriterion criterion in criteria)
        {
            StopReason verdict = criterion.Check(in state);
            if (verdict != StopReason.None)
            {
                return verdict;
            }
        }

        return StopReason.None;
    }
}
