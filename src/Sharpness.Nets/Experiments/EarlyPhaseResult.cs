using Sharpness.Nets.Hessian;

namespace Sharpness.Nets.Experiments;

/// <summary>
/// The early-training critical constants of one network initialisation (Kalra &amp; Barkeshli): c_loss,
/// c_sharp and c_max on the grid of c = η λ_H(0), the initial sharpness and NTK eigenvalue they refer to,
/// and every probe that was run.
/// </summary>
public sealed record EarlyPhaseResult
{
    /// <summary>λ_H(0): top eigenvalue of the Hessian of the mean training loss on the measurement set at initialisation.</summary>
    public required double InitialSharpness { get; init; }

    /// <summary>
    /// λ_NTK(0): top eigenvalue of the Gauss–Newton matrix (<see cref="GaussNewtonOperator"/>) on the same set, on
    /// the loss's scale: GD on the linearised network is stable exactly when η λ_NTK(0) &lt; 2.
    /// </summary>
    public required double InitialNtk { get; init; }

    /// <summary>λ_NTK(0)/λ_H(0): multiplies a constant c against λ_H(0) into c_NTK = η λ_NTK(0).</summary>
    public double NtkRatio => InitialNtk / InitialSharpness;

    /// <summary>Whether both initial Lanczos runs converged.</summary>
    public required bool InitialConverged { get; init; }

    /// <summary>Hessian and Gauss–Newton products of the two initial measurements.</summary>
    public required int InitialMatvecs { get; init; }

    /// <summary>The initial training loss L_0 (whole training set).</summary>
    public required double InitialLoss { get; init; }

    /// <summary>‖f_0‖/‖y‖ on the measurement set (Frobenius norms): 0 for a zero readout.</summary>
    public required double OutputRatio { get; init; }

    /// <summary>
    /// c₁ = 2 λ_H(0) |g|²/(gᵀHg), g the gradient and H the Hessian on the measurement set at initialisation: the
    /// constant above which the second-order model of the first step, L(θ − ηg) = L − η|g|² + ½η² gᵀHg, raises the
    /// loss (+∞ when gᵀHg ≤ 0). With a zero readout the first step moves only the readout, on which the output is
    /// linear, so the model is exact and gᵀHg = gᵀGg ≤ λ_NTK(0)|g|²: against the NTK, c₁ λ_NTK(0)/λ_H(0) ≥ 2, with
    /// equality exactly when g lies in the top NTK eigenspace. Not on the grid.
    /// </summary>
    public required double FirstStepConstant { get; init; }

    /// <summary>c_loss: the smallest grid c whose loss at some step 1..T exceeds L_0.</summary>
    public required CriticalConstant LossConstant { get; init; }

    /// <summary>c_sharp: the smallest grid c whose sharpness at some step 1..T exceeds λ_H(0); null when not searched.</summary>
    public required CriticalConstant? SharpnessConstant { get; init; }

    /// <summary>c_max: the largest grid c that does not diverge within T steps.</summary>
    public required CriticalConstant MaxConstant { get; init; }

    /// <summary>
    /// Grid indices whose probe contradicts monotonicity around a boundary found (a loss rise below c_loss or none
    /// at or above it, divergence at or below c_max or none above it, the same for sharpness). Empty in a clean
    /// bisection; a non-empty list says the bisection's assumption failed somewhere it looked.
    /// </summary>
    public required IReadOnlyList<string> MonotonicityViolations { get; init; }

    /// <summary>Every probe run, in the order run.</summary>
    public required IReadOnlyList<EarlyProbe> Probes { get; init; }

    /// <summary>Wall-clock seconds of the whole experiment.</summary>
    public required double Seconds { get; init; }
}
