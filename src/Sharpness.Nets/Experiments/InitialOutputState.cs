namespace Sharpness.Nets.Experiments;

/// <summary>
/// What is measured at initialisation to place a real network in the UV model's (f/y, ηλ) plane:
/// the outputs relative to the targets on the measurement set, and the kernel and Hessian scales
/// in units of the learning rate.
/// </summary>
/// <remarks>
/// Norms and inner products are Frobenius over the measurement set's outputs f₀ ∈ R^{M×k} and targets
/// y ∈ R^{M×k} (one-hot for classification), as <see cref="Training.SharpnessMeasurement"/> records them.
/// For one example with one output they reduce to |f₀|, |y| and f₀y, and then
/// <see cref="Projection"/> = f₀/y and <see cref="NormRatio"/> = |f₀/y|.
/// </remarks>
public sealed record InitialOutputState
{
    /// <summary>‖f₀‖, Frobenius norm of the initial outputs.</summary>
    public required double OutputNorm { get; init; }

    /// <summary>‖y‖, Frobenius norm of the targets (positive).</summary>
    public required double TargetNorm { get; init; }

    /// <summary>⟨f₀, y⟩, Frobenius inner product of outputs and targets.</summary>
    public required double OutputTargetInnerProduct { get; init; }

    /// <summary>Learning rate η.</summary>
    public required double LearningRate { get; init; }

    /// <summary>
    /// κ₀ = ‖∇L‖²/(2L) at initialisation (<see cref="ResidualKernel"/>): the neural tangent kernel
    /// seen by the residual, in the loss's normalisation. For the UV model it equals the NTK λ exactly.
    /// </summary>
    public required double ResidualKernel { get; init; }

    /// <summary>λ_H(0), the top eigenvalue of the loss Hessian at initialisation (reported, not used by the wedge).</summary>
    public required double InitialSharpness { get; init; }

    /// <summary>q = ‖f₀‖/‖y‖.</summary>
    public double NormRatio => OutputNorm / TargetNorm;

    /// <summary>p = ⟨f₀, y⟩/‖y‖²: the component of the output along the targets, in units of the targets.</summary>
    public double Projection => OutputTargetInnerProduct / (TargetNorm * TargetNorm);

    /// <summary>x = ηκ₀: the UV model's scaled kernel ηλ (x = 2 is the stability threshold of the kernel).</summary>
    public double ScaledKernel => LearningRate * ResidualKernel;

    /// <summary>ηλ_H(0), the scaled Hessian sharpness.</summary>
    public double ScaledSharpness => LearningRate * InitialSharpness;
}
