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
    /// Whether the readout weights start at zero (the initial output is then the readout bias, zero),
    /// in any parameterisation. No random numbers are drawn for the readout, so the hidden layers
    /// are the same as without this option. Default false.
    /// </summary>
    public bool ZeroReadout { get; init; }

    /// <summary>
    /// Output multiplier α ≠ 0: the network returns α·z_L, with z_L the readout's pre-activation
    /// (bias included). Applied on top of the parameterisation's own multipliers. Default 1.
    /// </summary>
    public double OutputMultiplier { get; init; } = 1.0;

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
    /// Standard deviation s_ℓ of the stored weights of layer ℓ at initialisation (stored weights are
    /// s_ℓ times standard normals; 0 for the readout with <see cref="ZeroReadout"/>).
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
            NetworkParameterisation.MuP when !readout && layer == 0 => Math.Sqrt(variance / (fanIn * FanOut(layer))),
            _ => Math.Sqrt(variance / fanIn),
        };
    }

    /// <summary>
    /// The fixed multiplier m_ℓ of layer ℓ: z_ℓ = m_ℓ W_ℓ h_{ℓ−1} + b_ℓ (biases are not multiplied).
    /// 1 in the standard parameterisation; σ_ℓ/√fan_in in NTP; √n, 1 and 1/√fan_in for the input,
    /// hidden and readout layers in μP. <see cref="OutputMultiplier"/> is not included.
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
            NetworkParameterisation.MuP when readout => 1.0 / Math.Sqrt(fanIn),
            NetworkParameterisation.MuP when layer == 0 => Math.Sqrt(FanOut(layer)),
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
