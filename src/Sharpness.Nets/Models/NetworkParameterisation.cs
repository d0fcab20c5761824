namespace Sharpness.Nets.Models;

/// <summary>
/// How a <see cref="FullyConnectedNetwork"/> splits each layer's effective weight m_ℓ·W_ℓ into a
/// stored, trained parameter W_ℓ and a fixed multiplier m_ℓ (real-networks.md, "Parameterisation
/// definitions"). The three give networks with the same distribution of functions at
/// initialisation up to the readout scale, but different gradients, Hessians and so sharpness,
/// because gradient descent updates the stored W_ℓ with one learning rate.
/// </summary>
/// <remarks>
/// With σ_ℓ² the layer's base variance (<see cref="FullyConnectedConfig.HiddenWeightVariance"/>
/// for hidden layers, <see cref="FullyConnectedConfig.ReadoutWeightVariance"/> σ_r² for the
/// readout), fan_in its input count and n the hidden width, layer ℓ computes
/// z_ℓ = m_ℓ W_ℓ h_{ℓ−1} + b_ℓ and the network returns f = α z_L (α =
/// <see cref="FullyConnectedConfig.OutputMultiplier"/>). Stored weights are s_ℓ·g with g the
/// same standard normals in every parameterisation (stream ℓ of the seed).
/// </remarks>
public enum NetworkParameterisation
{
    /// <summary>
    /// Standard: s_ℓ = σ_ℓ/√fan_in, m_ℓ = 1 for every layer. The default, and the only one whose
    /// stored weights are the effective weights.
    /// </summary>
    Sp,

    /// <summary>
    /// Neural-tangent: s_ℓ = 1 (weights N(0, 1)), m_ℓ = σ_ℓ/√fan_in for every layer. The forward
    /// pass equals the standard one at initialisation for the same seed; the gradient of W_ℓ is m_ℓ
    /// times the standard one.
    /// </summary>
    Ntp,

    /// <summary>
    /// Maximal update (μP), in the form where one SGD learning rate transfers across width (Yang
    /// &amp; Hu 2021, abc-parameterisation with a = −½, 0, ½ and b = ½ for input, hidden and
    /// readout layers): input layer s = σ/√(fan_in·n), m = √n; hidden layers s = σ/√fan_in, m = 1;
    /// readout s = σ_r/√fan_in, m = 1/√fan_in. Effective weights are N(0, σ²/fan_in) in the input
    /// and hidden layers and N(0, σ_r²/fan_in²) in the readout, so the initial output shrinks like
    /// n^(−1/2). A depth-1 network has only the readout rule.
    /// </summary>
    MuP,
}
