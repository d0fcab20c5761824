namespace Sharpness.Uv.Simulation;

/// <summary>
/// What a UV-model run records at one step (the state before the step's update; step 0 is the
/// initialisation). Physical variables unless named otherwise.
/// </summary>
/// <param name="Step">Step index t (0 = initialisation).</param>
/// <param name="Loss">Data loss ½(f − y)² (without the weight-decay term).</param>
/// <param name="Output">f.</param>
/// <param name="Residual">Δf = f − y.</param>
/// <param name="Ntk">NTK λ = (|u|² + |v|²)/s².</param>
/// <param name="Sharpness">Hessian sharpness λ_H (top eigenvalue of the data-loss Hessian, closed form).</param>
/// <param name="LrNtk">η λ (scaled x; 2 is the stability threshold).</param>
/// <param name="LrSharpness">η λ_H.</param>
/// <param name="Q">The invariant Q = x² − 4g² in scaled variables.</param>
public readonly record struct UvStepRecord(
    int Step,
    double Loss,
    double Output,
    double Residual,
    double Ntk,
    double Sharpness,
    double LrNtk,
    double LrSharpness,
    double Q);
