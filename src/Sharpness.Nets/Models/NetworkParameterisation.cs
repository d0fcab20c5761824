namespace Sharpness.Nets.Models;

/// <summary>
/// How a <see cref="FullyConnectedNetwork"/> splits each layer's effective weight m_ℓ·W_ℓ into a
/// stored, trained parameter W_ℓ and a fixed multiplier m_ℓ, and how it scales its output
/// (real-networks.md, "Parameterisation definitions"). All are trained with one global learning rate:
/// gradient descent updates the stored W_ℓ, so the same function at initialisation can have different
/// gradients, Hessians and sharpness.
/// </summary>
/// <remarks>
/// With σ_ℓ² the layer's base variance (<see cref="FullyConnectedConfig.HiddenWeightVariance"/>
/// for hidden layers, <see cref="FullyConnectedConfig.ReadoutWeightVariance"/> σ_r² for the
/// readout), fan_in its input count and n the hidden width, layer ℓ computes
/// z_ℓ = m_ℓ W_ℓ h_{ℓ−1} + b_ℓ and the network returns f = α n^(−s) z_L (α =
/// <see cref="FullyConnectedConfig.OutputMultiplier"/>, s =
/// <see cref="FullyConnectedConfig.EffectiveOutputExponent"/>). Under the normal initialisation the
/// stored weights are s_ℓ·g with g the same standard normals in every parameterisation (stream ℓ of
/// the seed). The names in brackets are those of the command line and of Kalra &amp; Barkeshli's
/// early-training code (model_utils.py), where one exists.
/// </remarks>
public enum NetworkParameterisation
{
    /// <summary>
    /// Standard (<c>sp</c>; the authors' <c>fcn</c>): s_ℓ = σ_ℓ/√fan_in, m_ℓ = 1 for every layer. The
    /// default, and the only one besides <see cref="MuPOutput"/> whose stored weights are the effective ones.
    /// </summary>
    Sp,

    /// <summary>
    /// Neural-tangent (<c>ntp</c>): s_ℓ = 1 (weights N(0, 1)), m_ℓ = σ_ℓ/√fan_in for every layer. The
    /// forward pass equals the standard one at initialisation for the same seed; the gradient of W_ℓ is
    /// m_ℓ times the standard one. With a linear activation, no biases, σ² = 1 and output exponent s
    /// this is the authors' <c>linear_fcn</c>, the UV model's network.
    /// </summary>
    Ntp,

    /// <summary>
    /// Maximal update in Yang &amp; Hu's abc form (<c>mup-abc</c>; the toolkit's <c>mup</c> before the
    /// authors' variant was added): a = −½, 0, ½ and b = ½ for input, hidden and readout layers, so that
    /// one SGD learning rate transfers across width: input layer s = σ/√(fan_in·n), m = √n; hidden layers
    /// s = σ/√fan_in, m = 1; readout s = σ_r/√fan_in, m = 1/√fan_in. Effective weights are
    /// N(0, σ²/fan_in) in the input and hidden layers and N(0, σ_r²/fan_in²) in the readout, so the
    /// initial output shrinks like n^(−1/2). A depth-1 network has only the readout rule.
    /// </summary>
    MuPAbc,

    /// <summary>
    /// μP as Kalra &amp; Barkeshli's code defines it (<c>mup-out</c>; the authors' <c>fcn_mup</c>): the
    /// standard network with its output divided by n^s, s = <see cref="FullyConnectedConfig.OutputExponent"/>
    /// (default ½). Stored weights and multipliers are SP's; the initial output shrinks like n^(−s).
    /// </summary>
    MuPOutput,

    /// <summary>
    /// The standard network with a small readout (<c>small-readout</c>; the authors' <c>fcn_si</c>):
    /// readout weights N(0, σ_r²/(fan_in·n)); everything else as <see cref="Sp"/>.
    /// </summary>
    SmallReadout,
}

/// <summary>Command-line names of <see cref="NetworkParameterisation"/>.</summary>
public static class NetworkParameterisationNames
{
    /// <summary>Every name, in enum order: sp, ntp, mup-abc, mup-out, small-readout.</summary>
    public static IReadOnlyList<string> All { get; } = ["sp", "ntp", "mup-abc", "mup-out", "small-readout"];

    /// <summary>The command-line name (sp, ntp, mup-abc, mup-out, small-readout).</summary>
    /// <param name="parameterisation">A parameterisation.</param>
    public static string Name(this NetworkParameterisation parameterisation) => parameterisation switch
    {
        NetworkParameterisation.Sp => "sp",
        NetworkParameterisation.Ntp => "ntp",
        NetworkParameterisation.MuPAbc => "mup-abc",
        NetworkParameterisation.MuPOutput => "mup-out",
        NetworkParameterisation.SmallReadout => "small-readout",
        _ => throw new ArgumentOutOfRangeException(nameof(parameterisation), parameterisation, "Unknown parameterisation."),
    };

    /// <summary>Parses a name of <see cref="All"/> (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="parameterisation">The parameterisation, when the name is known.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParse(string? name, out NetworkParameterisation parameterisation)
    {
        int index = name is null ? -1 : All.ToList().FindIndex(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        parameterisation = index < 0 ? default : (NetworkParameterisation)index;
        return index >= 0;
    }
}
