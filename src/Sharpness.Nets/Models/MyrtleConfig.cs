using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// Architecture and initialisation of a <see cref="MyrtleNetwork"/>, the Myrtle CNN family of
/// Shankar et al. (2020): three stages of 3×3 convolutions (all with <see cref="Channels"/> filters,
/// stride 1, zero padding 1) each followed by the activation, 2×2 average pooling after the first
/// two stages, global average pooling after the third, and a linear readout.
/// </summary>
public sealed record MyrtleConfig
{
    /// <summary>Shape of one input image, C×H×W with H, W ≥ 4. Default 1×28×28.</summary>
    public ImageShape Input { get; init; } = ImageShape.Mnist;

    /// <summary>Outputs k ≥ 1. Default 10.</summary>
    public int OutputDimension { get; init; } = 10;

    /// <summary>
    /// Layers with weights, readout included: 5 (convolutions per stage 2, 1, 1), 7 (2, 2, 2) or
    /// 10 (3, 3, 3). Default 5.
    /// </summary>
    public int Depth { get; init; } = 5;

    /// <summary>Filters of every convolution, ≥ 1. Default 32 (the paper's networks are wider; this is the small version).</summary>
    public int Channels { get; init; } = 32;

    /// <summary>Nonlinearity after each convolution. Default ReLU.</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>Whether the convolutions and the readout have biases (initialised to zero). Default true.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>
    /// Weight variance σ_w² of the convolutions: weights N(0, σ_w²/fan_in) with fan_in = 9·C_in.
    /// Default null: 2 for ReLU, 1 otherwise.
    /// </summary>
    public double? HiddenWeightVariance { get; init; }

    /// <summary>Readout weight variance σ_r²: readout weights N(0, σ_r²/<see cref="Channels"/>). Default 1.</summary>
    public double ReadoutWeightVariance { get; init; } = 1.0;

    /// <summary>Seed of the weights: convolution i draws from stream i, the readout from stream <see cref="Depth"/> − 1. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// How weights and biases are drawn: <see cref="Initialisation.Normal"/> (default; weights
    /// N(0, σ²/fan_in), biases zero) or <see cref="Initialisation.Torch"/> (PyTorch's default for
    /// nn.Conv2d and nn.Linear: weights and biases uniform in ±1/√fan_in, fan_in = 9·C_in for a
    /// convolution), which takes no variance overrides.
    /// </summary>
    public Initialisation Initialisation { get; init; } = Initialisation.Normal;

    /// <summary>Floating-point type of the parameters: Float32 (default) or Float64.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>The convolution variance actually used.</summary>
    public double EffectiveHiddenWeightVariance => HiddenWeightVariance ?? Activation.StandardHiddenVariance();

    /// <summary>Convolutions in each of the three stages for <see cref="Depth"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Depth"/> is not 5, 7 or 10.</exception>
    public IReadOnlyList<int> ConvolutionsPerStage => Depth switch
    {
        5 => [2, 1, 1],
        7 => [2, 2, 2],
        10 => [3, 3, 3],
        _ => throw new ArgumentOutOfRangeException(nameof(Depth), Depth, "Myrtle networks have depth 5, 7 or 10."),
    };

    /// <summary>Checks the configuration and throws on the first problem, naming the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        Input.Validate(nameof(Input));
        if (Input.Height < 4 || Input.Width < 4)
        {
            throw new ArgumentOutOfRangeException(nameof(Input), Input, "Images must be at least 4×4 to survive two 2×2 poolings.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(OutputDimension, 1, nameof(OutputDimension));
        _ = ConvolutionsPerStage;
        ArgumentOutOfRangeException.ThrowIfLessThan(Channels, 1, nameof(Channels));
        ConfigChecks.RequireDefined(Activation, nameof(Activation));
        ConfigChecks.RequireVariance(HiddenWeightVariance, nameof(HiddenWeightVariance));
        ConfigChecks.RequireVariance(ReadoutWeightVariance, nameof(ReadoutWeightVariance));
        ConfigChecks.RequireNetworkType(DType, nameof(DType));
        FullyConnectedConfig.ValidateInitialisation(Initialisation, NetworkParameterisation.Sp, HiddenWeightVariance, ReadoutWeightVariance);
    }
}
