namespace Sharpness.Uv.Dynamics;

/// <summary>
/// Closed forms for the curvature of the UV model's loss L = ½(f − y)² (uv-model.md sections 4–6).
/// "Sharpness" here always means the top eigenvalue λ_H of the Hessian of L in (u, v); the NTK λ
/// is a different quantity that coincides with λ_H only at a minimum.
/// </summary>
public static class UvSharpness
{
    /// <summary>
    /// Hessian sharpness λ_H = max{½[λ + √(λ² + 4Δf(2f + Δf)/s²)], |Δf|/s}; the second branch
    /// exists only for width n ≥ 2.
    /// </summary>
    /// <param name="state">(f, λ).</param>
    /// <param name="target">y.</param>
    /// <param name="normaliser">Effective normaliser s.</param>
    /// <param name="width">Width n ≥ 1.</param>
    /// <returns>λ_H of the data loss (weight decay γ would add γ to every eigenvalue).</returns>
    public static double Hessian(UvFunctionState state, double target, double normaliser, int width)
    {
        double f = state.Output;
        double lambda = state.Ntk;
        double residual = f - target;
        double discriminant = (lambda * lambda) + (4 * residual * ((2 * f) + residual) / (normaliser * normaliser));
        double top = 0.5 * (lambda + Math.Sqrt(Math.Max(discriminant, 0)));
        return width >= 2 ? Math.Max(top, Math.Abs(residual) / normaliser) : top;
    }

    /// <summary>Scaled Hessian sharpness η λ_H = max{½[x + √(x² + 4Δg(2g + Δg))], |Δg|} (second branch for n ≥ 2).</summary>
    /// <param name="state">(g, x).</param>
    /// <param name="r">Scaled target r.</param>
    /// <param name="width">Width n ≥ 1.</param>
    public static double ScaledHessian(UvScaledState state, double r, int width)
    {
        double g = state.G;
        double x = state.X;
        double dg = g - r;
        double top = 0.5 * (x + Math.Sqrt(Math.Max((x * x) + (4 * dg * ((2 * g) + dg)), 0)));
        return width >= 2 ? Math.Max(top, Math.Abs(dg)) : top;
    }

    /// <summary>Critical learning rate η_c = s / |y|: for η &gt; η_c gradient descent cannot converge (section 6). +∞ when y = 0.</summary>
    /// <param name="target">y.</param>
    /// <param name="normaliser">Effective normaliser s.</param>
    public static double CriticalLearningRate(double target, double normaliser) =>
        target == 0 ? double.PositiveInfinity : normaliser / Math.Abs(target);

    /// <summary>
    /// Where gradient flow (η → 0) ends: λ_GF = √(λ₀² − 4f₀²/s² + 4y²/s²), from the conserved
    /// quantity λ² − 4f²/s² of the flow (section 5).
    /// </summary>
    /// <param name="initial">(f₀, λ₀).</param>
    /// <param name="target">y.</param>
    /// <param name="normaliser">Effective normaliser s.</param>
    public static double GradientFlowFinalNtk(UvFunctionState initial, double target, double normaliser)
    {
        double s2 = normaliser * normaliser;
        return Math.Sqrt((initial.Ntk * initial.Ntk) - (4 * initial.Output * initial.Output / s2) + (4 * target * target / s2));
    }
}
