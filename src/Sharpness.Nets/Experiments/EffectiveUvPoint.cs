namespace Sharpness.Nets.Experiments;

/// <summary>
/// One measured step of a real training run in the variables of the UV model: the Hessian sharpness
/// λ_H and, when known, the effective output, target and NTK along one function-space direction
/// (<see cref="Hessian.FunctionSpaceProjection"/>).
/// </summary>
/// <param name="Step">Training step t ≥ 0 (the measurement is at θ_t, before step t's update).</param>
/// <param name="Sharpness">λ_H, the top eigenvalue of the loss Hessian (positive and finite to be fitted).</param>
/// <param name="Output">Effective output f along the direction; NaN when not measured.</param>
/// <param name="Target">Effective target y along the direction; NaN when not measured.</param>
/// <param name="Ntk">Effective NTK λ along the direction (units of λ_H); NaN when not measured.</param>
public sealed record EffectiveUvPoint(int Step, double Sharpness, double Output = double.NaN, double Target = double.NaN, double Ntk = double.NaN)
{
    /// <summary>f/y, the scale-free effective output (the UV model's g/r); NaN when unknown or y = 0.</summary>
    public double OutputRatio => Target != 0 ? Output / Target : double.NaN;
}
