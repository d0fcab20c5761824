namespace Sharpness.Core.Eigen;

internal sealed class DivergenceCriterion : IEigenStopCriterion
{
    public static readonly DivergenceCriterion Instance = new();

    private DivergenceCriterion()
    {
    }

    public StopReason Check(in EigenIterationState state)
    {
        foreach (double x in state.Eigenvalues)
        {
            if (!double.IsFinite(x))
            {
                return StopReason.Diverged;
            }
        }

        foreach (double r in state.Residuals)
        {
            if (!double.IsFinite(r))
            {
                return StopReason.Diverged;
            }
        }

        return StopReason.None;
    }
}
