namespace Sharpness.Uv.Dynamics;

/// <summary>
/// The exact GD map of the UV model in scaled variables (uv-model.md section 3), which depends on
/// the single parameter r = ηy/s (and ρ = 1 − ηγ with weight decay):
/// g' = ρ²g − ρxΔg + Δg²g,  x' = ρ²x − 4ρgΔg + Δg²x,  Δg = g − r.
/// </summary>
public static class UvScaledMap
{
    /// <summary>One step of the map.</summary>
    /// <param name="state">(g, x) before the step.</param>
    /// <param name="r">Scaled target r = ηy/s.</param>
    /// <param name="rho">Weight-decay factor ρ = 1 − ηγ (default 1: no decay).</param>
    public static UvScaledState Step(UvScaledState state, double r, double rho = 1)
    {
        double g = state.G;
        double x = state.X;
        double dg = g - r;
        double dg2 = dg * dg;
        return new UvScaledState(
            (rho * rho * g) - (rho * x * dg) + (dg2 * g),
            (rho * rho * x) - (4 * rho * g * dg) + (dg2 * x));
    }

    /// <summary>
    /// Jacobian ∂(g', x')/∂(g, x) of <see cref="Step"/> at <paramref name="state"/>, row-major:
    /// [[∂g'/∂g, ∂g'/∂x], [∂x'/∂g, ∂x'/∂x]] =
    /// [[ρ² − ρx + Δg(3g − r), −ρΔg], [2Δg x − 4ρ(g + Δg), ρ² + Δg²]].
    /// </summary>
    /// <param name="state">Point of evaluation.</param>
    /// <param name="r">Scaled target r.</param>
    /// <param name="rho">Weight-decay factor ρ (default 1).</param>
    public static (double Ggg, double Ggx, double Gxg, double Gxx) Jacobian(UvScaledState state, double r, double rho = 1)
    {
        double g = state.G;
        double x = state.X;
        double dg = g - r;
        return (
            (rho * rho) - (rho * x) + (dg * ((3 * g) - r)),
            -rho * dg,
            (2 * dg * x) - (4 * rho * (g + dg)),
            (rho * rho) + (dg * dg));
    }
}
