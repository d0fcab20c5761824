using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// Architecture and initialisation of a <see cref="FullyConnectedNetwork"/>: <see cref="Depth"/> linear
/// layers d → w → … → w → k with <see cref="Activation"/> after every layer but the last, in one of
/// the <see cref="NetworkParameterisation"/>s. Layers are numbered ℓ = 0 … L − 1 (L =
/// <see cref="Depth"/>); layer L − 1 is the readout.
/// </summary>
public sealed record FullyConnectedConfig
{
    /// <summary>Input features d ≥ 1. Default 784 (28×28 images).</summary>
    public int InputDimension { get; init; } = 784;

    /// <summary>Outputs k ≥ 1 (classes, or 1 for scalar regression). Default 10.</summary>
    public int OutputDimension { get; init; } = 10;

    /// <summary>
    /// Number of linear layers L ≥ 1, readout included: L = 1 is a linear model, L = 3 has two
    /// hidden layers (the Cohen et al. network). Default 3.
    /// </summary>
    public int Depth { get; init; } = 3;

    /// <summary>Width w ≥ 1 of every hidden layer. Default 200.</summary>
    public int Width { get; init; } = 200;

    /// <summary>Nonlinearity after each hidden layer. Default tanh.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>Whether every layer has a bias (initialised to zero). Default true.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>
    /// Base variance σ_w² of the hidden layers (every layer but the readout): in the standard
    /// parameterisation their weights are N(0, σ_w²/fan_in); see <see cref="NetworkParameterisation"/>
    /// for the others. Default null: 2 for ReLU, 1 otherwise.
    /// </summary>
    public double? HiddenWeightVariance { get; init; }

    /// <summary>
    /// Base variance σ_r² of the readout: in the standard parameterisation its weights are
    /// N(0, σ_r²/fan_in), in μP effectively N(0, σ_r²/fan_in²). Default 1.
    /// </summary>
    public double ReadoutWeightVariance { get; init; } = 1.0;

    /// <summary>
    /// How each layer's effective weight is split into a stored parameter and a fixed multiplier.
    /// Default <see cref="NetworkParameterisation.Sp"/> (all multipliers 1).
    /// </summary>
    public NetworkParameterisation Parameterisation { get; init; } = NetworkParameterisation.Sp;

    /// <summary>
    /// How weights and biases are drawn: <see cref="Initialisation.Normal"/> (default; Gaussian weights
    /// scaled as the parameterisation says, zero biases) or <see cref="Initialisation.Torch"/>
    /// (PyTorch's nn.Linear default: weights and biases uniform in ±1/√fan_in), which is defined only
    /// for <see cref="NetworkParameterisation.Sp"/> and <see cref="NetworkParameterisation.MuPOutput"/>
    /// without variance overrides.
    /// </summary>
    public Initialisation Initialisation { get; init; } = Initialisation.Normal;

    /// <summary>
    /// Whether the readout starts at zero, in any parameterisation and initialisation: its weights, and
    /// under <see cref="Initialisation.Torch"/> also its bias (normal biases start at zero anyway), so
    /// the initial output is exactly zero. No random numbers are drawn for the readout, so the hidden
    /// layers are the same as without this option (the authors' <c>fcn_zeros</c>). Default false.
    /// </summary>
    public bool ZeroReadout { get; init; }

    /// <summary>
    /// Output multiplier α ≠ 0: the network returns α·n^(−s)·z_L, with z_L the readout's
    /// pre-activation (bias included) and s = <see cref="EffectiveOutputExponent"/>. Applied on top of
    /// the parameterisation's own multipliers (the authors' <c>fcn_scale</c> is SP with α). Default 1.
    /// </summary>
    public double OutputMultiplier { get; init; } = 1.0;

    /// <summary>
    /// Exponent s of the width in the output scale n^(−s) (the authors' <c>out_exp</c> of
    /// <c>fcn_mup</c> and the <c>alpha</c>, the UV model's s, of <c>linear_fcn</c>). Default null:
    /// ½ for <see cref="NetworkParameterisation.MuPOutput"/>, 0 otherwise.
    /// </summary>
    public double? OutputExponent { get; init; }

    /// <summary>The output exponent s actually used.</summary>
    public double EffectiveOutputExponent => OutputExponent ?? (Parameterisation == NetworkParameterisation.MuPOutput ? 0.5 : 0.0);

    /// <summary>The whole output scale α·n^(−s) that multiplies the readout's pre-activation.</summary>
    public double EffectiveOutputMultiplier => EffectiveOutputExponent == 0
        ? OutputMultiplier
        : OutputMultiplier * Math.Pow(Width, -EffectiveOutputExponent);

    /// <summary>Seed of the weights: layer ℓ (0-based) is drawn row by row from stream ℓ of the seed. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Floating-point type of the parameters: Float32 (default) or Float64.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>The hidden-layer variance actually used.</summary>
    public double EffectiveHiddenWeightVariance => HiddenWeightVariance ?? Activation.StandardHiddenVariance();

    /// <summary>Inputs of layer ℓ: d for ℓ = 0, the width otherwise.</summary>
    /// <param name="layer">ℓ in [0, <see cref="Depth"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is out of range.</exception>
    public int FanIn(int layer)
    {
        RequireLayer(layer);
        return layer == 0 ? InputDimension : Width;
    }

    /// <summary>Outputs of layer ℓ: k for the readout, the width otherwise.</summary>
    /// <param name="layer">ℓ in [0, <see cref="Depth"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is out of range.</exception>
    public int FanOut(int layer)
    {
        RequireLayer(layer);
        return layer == Depth - 1 ? OutputDimension : Width;
    }

    /// <summary>
    /// Under the normal initialisation, the standard deviation s_ℓ of the stored weights of layer ℓ
    /// (stored weights are s_ℓ times standard normals; 0 for the readout with <see cref="ZeroReadout"/>).
    /// Under <see cref="Initialisation.Torch"/> the weights are uniform instead (<see cref="InitialUniformBound"/>).
    /// </summary>
    /// <param name="layer">ℓ in [0, <see cref="Depth"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is out of range.</exception>
    public double InitialWeightStandardDeviation(int layer)
    {
        RequireLayer(layer);
        bool readout = layer == Depth - 1;
        if (readout && ZeroReadout)
        {
            return 0.0;
        }

        double variance = readout ? ReadoutWeightVariance : EffectiveHiddenWeightVariance;
        double fanIn = FanIn(layer);
        return Parameterisation switch
        {
            NetworkParameterisation.Ntp => 1.0,
            NetworkParameterisation.MuPAbc when !readout && layer == 0 => Math.Sqrt(variance / (fanIn * FanOut(layer))),
            NetworkParameterisation.SmallReadout when readout => Math.Sqrt(variance / (fanIn * Width)),
            _ => Math.Sqrt(variance / fanIn),
        };
    }

    /// <summary>
    /// Under <see cref="Initialisation.Torch"/>: the half-width 1/√fan_in of the uniform distribution of
    /// layer ℓ's weights and bias (0 for the readout with <see cref="ZeroReadout"/>). Under the normal
    /// initialisation: 0 (biases start at zero; weights follow <see cref="InitialWeightStandardDeviation"/>).
    /// </summary>
    /// <param name="layer">ℓ in [0, <see cref="Depth"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is out of range.</exception>
    public double InitialUniformBound(int layer)
    {
        RequireLayer(layer);
        return Initialisation != Initialisation.Torch || (layer == Depth - 1 && ZeroReadout) ? 0.0 : 1.0 / Math.Sqrt(FanIn(layer));
    }

    /// <summary>
    /// The fixed multiplier m_ℓ of layer ℓ: z_ℓ = m_ℓ W_ℓ h_{ℓ−1} + b_ℓ (biases are not multiplied).
    /// 1 in the standard parameterisation and its variants; σ_ℓ/√fan_in in NTP; √n, 1 and 1/√fan_in for
    /// the input, hidden and readout layers in Yang &amp; Hu's μP. The output scale
    /// <see cref="EffectiveOutputMultiplier"/> is not included.
    /// </summary>
    /// <param name="layer">ℓ in [0, <see cref="Depth"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layer"/> is out of range.</exception>
    public double WeightMultiplier(int layer)
    {
        RequireLayer(layer);
        bool readout = layer == Depth - 1;
        double fanIn = FanIn(layer);
        return Parameterisation switch
        {
            NetworkParameterisation.Ntp => Math.Sqrt((readout ? ReadoutWeightVariance : EffectiveHiddenWeightVariance) / fanIn),
            NetworkParameterisation.MuPAbc when readout => 1.0 / Math.Sqrt(fanIn),
            NetworkParameterisation.MuPAbc when layer == 0 => Math.Sqrt(FanOut(layer)),
            _ => 1.0,
        };
    }

    /// <summary>Checks the configuration and throws on the first problem, naming the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ThrowIfBelowOne(InputDimension, nameof(InputDimension));
        ThrowIfBelowOne(OutputDimension, nameof(OutputDimension));
        ThrowIfBelowOne(Depth, nameof(Depth));
        ThrowIfBelowOne(Width, nameof(Width));
        if (!Enum.IsDefined(Activation))
        {
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "Unknown activation.");
        }

        if (HiddenWeightVariance is double hidden && !(hidden >= 0 && double.IsFinite(hidden)))
        {
            throw new ArgumentOutOfRangeException(nameof(HiddenWeightVariance), hidden, "The hidden weight variance must be finite and non-negative.");
        }

        if (!(ReadoutWeightVariance >= 0 && double.IsFinite(ReadoutWeightVariance)))
        {
            throw new ArgumentOutOfRangeException(nameof(ReadoutWeightVariance), ReadoutWeightVariance, "The readout weight variance must be finite and non-negative.");
        }

        if (!Enum.IsDefined(Parameterisation))
        {
            throw new ArgumentOutOfRangeException(nameof(Parameterisation), Parameterisation, "Unknown parameterisation.");
        }

        if (!(OutputMultiplier != 0 && double.IsFinite(OutputMultiplier)))
        {
            throw new ArgumentOutOfRangeException(nameof(OutputMultiplier), OutputMultiplier, "The output multiplier must be finite and nonzero.");
        }

        if (DType is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(DType), DType, "Networks are float32 or float64.");
        }

        if (OutputExponent is double exponent && !double.IsFinite(exponent))
        {
            throw new ArgumentOutOfRangeException(nameof(OutputExponent), exponent, "The output exponent must be finite.");
        }

        if (!double.IsFinite(EffectiveOutputMultiplier) || EffectiveOutputMultiplier == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(OutputExponent), EffectiveOutputMultiplier, "The output scale alpha*width^(-s) must be finite and nonzero.");
        }

        ValidateInitialisation(Initialisation, Parameterisation, HiddenWeightVariance, ReadoutWeightVariance);
    }

    /// <summary>
    /// Throws when <paramref name="initialisation"/> has no meaning together with the other choices:
    /// PyTorch's default initialisation is defined for the standard parameterisation (and its
    /// output-scaled μP) and has fixed bounds, so it takes no variance overrides.
    /// </summary>
    /// <param name="initialisation">The initialisation.</param>
    /// <param name="parameterisation">The parameterisation.</param>
    /// <param name="hiddenWeightVariance">The hidden-layer variance override, or null.</param>
    /// <param name="readoutWeightVariance">The readout variance.</param>
    /// <exception cref="ArgumentException">The combination has no meaning; the parameter name says which setting conflicts.</exception>
    public static void ValidateInitialisation(Initialisation initialisation, NetworkParameterisation parameterisation, double? hiddenWeightVariance, double readoutWeightVariance)
    {
        if (!Enum.IsDefined(initialisation))
        {
            throw new ArgumentOutOfRangeException(nameof(Initialisation), initialisation, "Unknown initialisation.");
        }

        if (initialisation != Initialisation.Torch)
        {
            return;
        }

        if (parameterisation is not (NetworkParameterisation.Sp or NetworkParameterisation.MuPOutput))
        {
            throw new ArgumentException(
                $"The torch initialisation is PyTorch's default for the standard parameterisation; {parameterisation.Name()} defines its own weight scales (use the normal initialisation, or sp/mup-out).",
                nameof(Parameterisation));
        }

        if (hiddenWeightVariance is not null)
        {
            throw new ArgumentException("The torch initialisation has fixed bounds 1/sqrt(fan_in); a hidden weight variance applies to the normal initialisation only.", nameof(HiddenWeightVariance));
        }

        if (readoutWeightVariance != 1.0)
        {
            throw new ArgumentException("The torch initialisation has fixed bounds 1/sqrt(fan_in); a readout weight variance applies to the normal initialisation only.", nameof(ReadoutWeightVariance));
        }
    }

    private void RequireLayer(int layer)
    {
        if (layer < 0 || layer >= Depth)
        {
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"Layers are numbered 0 to {Depth - 1}.");
        }
    }

    private static void ThrowIfBelowOne(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
        }
    }
}
