namespace Sharpness.Uv.Dynamics;

/// <summary>
/// The exact gradient-descent map of the UV model in physical function-space variables (f, λ),
/// valid at every width (uv-model.md section 3):
/// f' = ρ²f − ρηλΔf + (η²/s²)Δf² f,  λ' = ρ²λ − 4ρηΔf f/s² + (η²/s²)Δf² λ, with ρ = 1 − ηγ.
/// </summary>
public static class UvFunctionSpaceMap
{
    /// <summary>One gradient-descent step.</summary>
    /// <param name="state">(f, λ) before the step.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="target">y.</param>
    /// <param name="normaliser">Effective normaliser s = S/|x|.</param>
    /// <param name="weightDecay">γ ≥ 0 (default 0).</param>
    public static UvFunctionState Step(UvFunctionState state, double learningRate, double target, double normaliser, double weightDecay = 0)
    {
        double f = state.Output;
        double lambda = state.Ntk;
        double residual = f - target;
        double rho = 1 - learningRate * weightDecay;
        double c = learningRate * learningRate * residual * residual / (normaliser * normaliser);
        double fNext = (rho * rho * f) - (rho * learningRate * lambda * residual) + (c * f);
        double lambdaNext = (rho * rho * lambda) - (4 * rho * learningRate * residual * f / (normaliser * normaliser)) + (c * lambda);
        return new UvFunctionState(fNext, lambdaNext);
    }
}
