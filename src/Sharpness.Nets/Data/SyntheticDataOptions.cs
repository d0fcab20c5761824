using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Data;

/// <summary>The function that makes the targets of synthetic data.</summary>
public enum SyntheticTarget
{
    /// <summary>
    /// A random tanh network with one hidden layer of <see cref="SyntheticDataOptions.TeacherWidth"/>
    /// units and no biases: y = W₂ tanh(W₁ x), W₁ ~ N(0, 1/d), W₂ ~ N(0, 1/width).
    /// </summary>
    TeacherNetwork,

    /// <summary>A random linear map y = W x / √d with W ~ N(0, 1): each target has variance |w_k|²/d, 1 on average over teachers.</summary>
    Linear,
}

/// <summary>
/// Synthetic data for tests and small experiments (<see cref="SyntheticDatasets"/>): inputs with
/// independent N(0, 1) entries, targets from a random teacher plus optional Gaussian noise, or class
/// labels from the teacher's largest output.
/// </summary>
public sealed record SyntheticDataOptions
{
    /// <summary>Training examples, ≥ 1. Default 256.</summary>
    public int TrainCount { get; init; } = 256;

    /// <summary>Test examples, ≥ 1. Default 256.</summary>
    public int TestCount { get; init; } = 256;

    /// <summary>Input features d ≥ 1 (ignored when <see cref="ImageShape"/> is set). Default 10.</summary>
    public int InputDimension { get; init; } = 10;

    /// <summary>
    /// When set, inputs are C×H×W images (d = C·H·W), laid out as <see cref="Layout"/> says, for
    /// convolutional networks. Default null: plain vectors.
    /// </summary>
    public ImageShape? ImageShape { get; init; }

    /// <summary>Layout of image inputs: flat (default) or [N, C, H, W]; only with <see cref="ImageShape"/>.</summary>
    public InputLayout Layout { get; init; } = InputLayout.Flat;

    /// <summary>Teacher outputs k ≥ 1 (the class count for classification, then ≥ 2). Default 1.</summary>
    public int OutputDimension { get; init; } = 1;

    /// <summary>The teacher. Default <see cref="SyntheticTarget.TeacherNetwork"/>.</summary>
    public SyntheticTarget Target { get; init; } = SyntheticTarget.TeacherNetwork;

    /// <summary>Hidden units of the teacher network, ≥ 1. Default 32.</summary>
    public int TeacherWidth { get; init; } = 32;

    /// <summary>Standard deviation of the Gaussian noise added to every teacher output, ≥ 0. Default 0.</summary>
    public double NoiseStandardDeviation { get; init; }

    /// <summary>
    /// When true the data is a classification task: label = index of the largest (noisy) teacher
    /// output, targets its one-hot row. Default false: regression with the teacher outputs as targets.
    /// </summary>
    public bool Classification { get; init; }

    /// <summary>
    /// Seed: training inputs, test inputs, teacher weights, training noise and test noise come from
    /// streams 0 to 4 of it. Default 0.
    /// </summary>
    public ulong Seed { get; init; }

    /// <summary>Type of inputs and targets: Float64 (default) or Float32.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float64;

    /// <summary>Features per example, d = C·H·W with an image shape, else <see cref="InputDimension"/>.</summary>
    public int FeatureCount => ImageShape?.FeatureCount ?? InputDimension;

    /// <summary>Checks the options and throws on the first problem, naming the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(TrainCount, 1, nameof(TrainCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(TestCount, 1, nameof(TestCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(InputDimension, 1, nameof(InputDimension));
        ImageShape?.Validate(nameof(ImageShape));
        if (!Enum.IsDefined(Layout) || (Layout == InputLayout.Images && ImageShape is null))
        {
            throw new ArgumentOutOfRangeException(nameof(Layout), Layout, "Image layout needs an image shape.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(OutputDimension, Classification ? 2 : 1, nameof(OutputDimension));
        if (!Enum.IsDefined(Target))
        {
            throw new ArgumentOutOfRangeException(nameof(Target), Target, "Unknown target.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(TeacherWidth, 1, nameof(TeacherWidth));
        if (!(NoiseStandardDeviation >= 0 && double.IsFinite(NoiseStandardDeviation)))
        {
            throw new ArgumentOutOfRangeException(nameof(NoiseStandardDeviation), NoiseStandardDeviation, "The noise level must be finite and non-negative.");
        }

        if (DType is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(DType), DType, "Inputs are Float32 or Float64.");
        }

        if ((long)Math.Max(TrainCount, TestCount) * Math.Max(FeatureCount, OutputDimension) > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(TrainCount), "Too many values for one array.");
        }
    }
}
