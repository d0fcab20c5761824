using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// Architecture and initialisation of a <see cref="SmallConvolutionalNetwork"/>, the small CNN of
/// the edge-of-stability experiments (Cohen et al. 2021): two blocks of 3×3 convolution
/// (<see cref="Channels"/> filters, stride 1, zero padding 1), activation and 2×2 pooling, then a
/// linear readout of the flattened feature maps.
/// </summary>
public sealed record SmallConvolutionalConfig
{
    /// <summary>Shape of one input image, C×H×W with H, W ≥ 4 (two poolings halve them, rounding down). Default 1×28×28.</summary>
    public ImageShape Input { get; init; } = ImageShape.Mnist;

    /// <summary>Outputs k ≥ 1. Default 10.</summary>
    public int OutputDimension { get; init; } = 10;

    /// <summary>Filters of each convolution, ≥ 1. Default 32.</summary>
    public int Channels { get; init; } = 32;

    /// <summary>Nonlinearity after each convolution. Default ReLU.</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>Pooling after each activation. Default max pooling.</summary>
    public Pooling Pooling { get; init; } = Pooling.Max;

    /// <summary>Whether the convolutions and the readout have biases (initialised to zero). Default true.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>
    /// Weight variance σ_w² of the convolutions: weights N(0, σ_w²/fan_in) with fan_in = 9·C_in.
    /// Default null: 2 for ReLU, 1 otherwise (standard parameterisation).
    /// </summary>
    public double? HiddenWeightVariance { get; init; }

    /// <summary>Readout weight variance σ_r²: readout weights N(0, σ_r²/fan_in). Default 1.</summary>
    public double ReadoutWeightVariance { get; init; } = 1.0;

    /// <summary>Seed of the weights: convolution 0, convolution 1 and the readout draw from streams 0, 1 and 2. Default 0.</summary>
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

    /// <summary>Height of the feature maps after both poolings, ⌊⌊H/2⌋/2⌋.</summary>
    public int PooledHeight => Input.Height / 2 / 2;

    /// <summary>Width of the feature maps after both poolings, ⌊⌊W/2⌋/2⌋.</summary>
    public int PooledWidth => Input.Width / 2 / 2;

    /// <summary>Inputs of the readout, <see cref="Channels"/>·<see cref="PooledHeight"/>·<see cref="PooledWidth"/>.</summary>
    public int ReadoutFanIn => checked(Channels * PooledHeight * PooledWidth);

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
        ArgumentOutOfRangeException.ThrowIfLessThan(Channels, 1, nameof(Channels));
        ConfigChecks.RequireDefined(Activation, nameof(Activation));
        ConfigChecks.RequireDefined(Pooling, nameof(Pooling));
        ConfigChecks.RequireVariance(HiddenWeightVariance, nameof(HiddenWeightVariance));
        ConfigChecks.RequireVariance(ReadoutWeightVariance, nameof(ReadoutWeightVariance));
        ConfigChecks.RequireNetworkType(DType, nameof(DType));
        FullyConnectedConfig.ValidateInitialisation(Initialisation, NetworkParameterisation.Sp, HiddenWeightVariance, ReadoutWeightVariance);
    }
}
