namespace Sharpness.Core.Eigen;

internal sealed class AllCriterion(IEigenStopCriterion[] criteria) : IEigenStopCriterion
{
    public StopReason Check(in EigenIterationState state)
    {
        bool allConverged = true;
        foreach (IEigenStopCriterion criterion in criteria)
        {
            StopReason verdict = criterion.Check(in state);
            if (verdict == StopReason.Converged)
            {
                continue;
            }

            if (verdict != StopReason.None)
            {
                return verdict;
            }

            allConverged = false;
        }

        return allConverged ? StopReason.Converged : StopReason.None;
    }
}
