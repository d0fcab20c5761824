using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// Architecture and initialisation of a <see cref="FullyConnectedNetwork"/>: <see cref="Depth"/> linear
/// layers d → w → … → w → k with <see cref="Activation"/> after every layer but the last.
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
    /// Hidden-layer weight variance σ_w²: weights are N(0, σ_w²/fan_in). Default null: 2 for ReLU,
    /// 1 otherwise (standard parameterisation).
    /// </summary>
    public double? HiddenWeightVariance { get; init; }

    /// <summary>Readout weight variance: readout weights are N(0, σ²/fan_in). Default 1.</summary>
    public double ReadoutWeightVariance { get; init; } = 1.0;

    /// <summary>Seed of the weights: layer ℓ (0-based) is drawn row by row from stream ℓ of the seed. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Floating-point type of the parameters: Float32 (default) or Float64.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>The hidden-layer variance actually used.</summary>
    public double EffectiveHiddenWeightVariance => HiddenWeightVariance ?? Activation.StandardHiddenVariance();

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

        if (DType is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(DType), DType, "Networks are float32 or float64.");
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
