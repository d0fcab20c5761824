using Sharpness.Uv.Dynamics;

namespace Sharpness.Uv.Simulation;

/// <summary>
/// Runs the UV model's exact scaled map from (g₀, x₀) at parameter r and records it like a
/// parameter-space run expressed in scaled units (η = 1, s = 1, y = r): f = g, λ = x, λ_H = ηλ_H.
/// Costs O(1) per step at any width; the records are what a width-n (n ≥ 2) model would record.
/// </summary>
public static class UvScaledRun
{
    /// <summary>Runs and labels the trajectory.</summary>
    /// <param name="start">(g₀, x₀); must satisfy x₀ ≥ 2|g₀| to be realisable by weights.</param>
    /// <param name="r">Scaled target r = ηy/s.</param>
    /// <param name="steps">Steps T.</param>
    /// <param name="rho">Weight-decay factor ρ (default 1).</param>
    /// <param name="divergenceThreshold">|g| or x above this stops the run as diverged (default 1e6).</param>
    public static UvRunResult Run(UvScaledState start, double r, int steps, double rho = 1, double divergenceThreshold = 1e6)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var records = new List<UvStepRecord>(steps + 1);
        var state = start;
        bool diverged = false;
        int? divergedAt = null;
        for (int t = 0; ; t++)
        {
            if (!double.IsFinite(state.G) || !double.IsFinite(state.X))
            {
                (diverged, divergedAt) = (true, t);
                break;
            }

            records.Add(UvGradientDescent.Record(t, new UvFunctionState(state.G, state.X), 1, r, 1, 2));
            if (Math.Abs(state.G) > divergenceThreshold || state.X > divergenceThreshold)
            {
                (diverged, divergedAt) = (true, t);
                break;
            }

            if (t == steps)
            {
                break;
            }

            state = UvScaledMap.Step(state, r, rho);
        }

        return new UvRunResult
        {
            Records = records,
            LearningRate = 1,
            Normaliser = 1,
            Target = r,
            Width = 2,
            WeightDecayFactor = rho,
            Diverged = diverged,
            DivergedAtStep = divergedAt,
            Regimes = RegimeClassifier.Classify(records, 1, 1, r, rho, diverged),
        };
    }
}
