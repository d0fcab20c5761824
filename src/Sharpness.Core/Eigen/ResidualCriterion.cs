namespace Sharpness.Core.Eigen;

internal sealed class ResidualCriterion(double relativeTolerance, double absoluteFloor) : IEigenStopCriterion
{
    internal const double TinyScale = 1e-300;

    public StopReason Check(in EigenIterationState state)
    {
        IReadOnlyList<double> values = state.Eigenvalues;
        IReadOnlyList<double> residuals = state.Residuals;
        if (values.Count == 0 || residuals.Count != values.Count)
        {
            return StopReason.None;
        }

        double scale = Math.Max(absoluteFloor, TinyScale);
        for (int i = 0; i < values.Count; i++)
        {
            scale = Math.Max(scale, Math.Abs(values[i]));
        }

        double limit = relativeTolerance * scale;
        for (int i = 0; i < residuals.Count; i++)
        {
            // Written so that NaN never counts as converged.
            if (!(residuals[i] <= limit) || residuals[i] == double.MaxValue)
            {
                return StopReason.None;
            }
        }

        return StopReason.Converged;
    }
}
