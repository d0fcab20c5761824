namespace Sharpness.Uv.Dynamics;

/// <summary>The UV model in physical function-space variables: output f and NTK λ = (|u|² + |v|²)/s².</summary>
/// <param name="Output">f = u·v / s.</param>
/// <param name="Ntk">λ, the neural tangent kernel of the single example (not the Hessian sharpness).</param>
public readonly record struct UvFunctionState(double Output, double Ntk);

/// <summary>The UV model in scaled variables g = ηf/s and x = ηλ (uv-model.md section 3).</summary>
/// <param name="G">g = η f / s.</param>
/// <param name="X">x = η λ (x = 2 is the classical stability threshold λ = 2/η).</param>
public readonly record struct UvScaledState(double G, double X)
{
    /// <summary>Converts physical variables: x = ηλ, g = ηf/s.</summary>
    /// <param name="state">Physical state (f, λ).</param>
    /// <param name="learningRate">η.</param>
    /// <param name="normaliser">Effective normaliser s.</param>
    public static UvScaledState FromPhysical(UvFunctionState state, double learningRate, double normaliser) =>
        new(learningRate * state.Output / normaliser, learningRate * state.Ntk);

    /// <summary>Converts back to physical variables: f = g s / η, λ = x / η.</summary>
    /// <param name="learningRate">η.</param>
    /// <param name="normaliser">Effective normaliser s.</param>
    public UvFunctionState ToPhysical(double learningRate, double normaliser) =>
        new(G * normaliser / learningRate, X / learningRate);

    /// <summary>The scaled target r = ηy/s = η/η_c (the learning rate in units of the critical one).</summary>
    /// <param name="learningRate">η.</param>
    /// <param name="target">y.</param>
    /// <param name="normaliser">Effective normaliser s.</param>
    public static double ScaledTarget(double learningRate, double target, double normaliser) => learningRate * target / normaliser;

    /// <summary>The GD invariant Q = x² − 4g² ≥ 0 (zero exactly on the EoS manifold u = ±v).</summary>
    public double Q => (X * X) - (4 * G * G);
}
