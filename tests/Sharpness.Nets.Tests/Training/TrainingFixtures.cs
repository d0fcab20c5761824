using Sharpness.Nets.Models;
using Sharpness.Nets.Tests.TestSupport;
using Sharpness.Nets.Training;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Training;

/// <summary>Small networks and synthetic data sets for the trainer tests.</summary>
internal static class TrainingFixtures
{
    /// <summary>A tanh network d → w → w → k.</summary>
    public static FullyConnectedNetwork Network(int inputs, int outputs, int width, ulong seed, ScalarType dtype = ScalarType.Float64, Activation activation = Activation.Tanh) => new(new FullyConnectedConfig
    {
        InputDimension = inputs,
        OutputDimension = outputs,
        Depth = 3,
        Width = width,
        Activation = activation,
        Seed = seed,
        DType = dtype,
    });

    /// <summary>Gaussian inputs [n, d] with teacher-network targets [n, k] (float64), bit-reproducible.</summary>
    public static ExampleSet Regression(int n, int d, int k, ulong seed)
    {
        Tensor inputs = AlignedInputs(n, d, seed);
        return new ExampleSet(inputs, SyntheticData.TeacherTargets(inputs, k, seed + 1000));
    }

    /// <summary>Gaussian inputs [n, d] labelled by the largest output of a random teacher (Int64 labels in [0, k)).</summary>
    public static ExampleSet Classification(int n, int d, int k, ulong seed)
    {
        Tensor inputs = AlignedInputs(n, d, seed);
        Tensor labels = SyntheticData.TeacherTargets(inputs, k, seed + 1000).argmax(1);
        return new ExampleSet(inputs, labels);
    }

    /// <summary>
    /// <see cref="SyntheticData.Inputs"/> copied into LibTorch's own memory. The tensor made from a
    /// managed array is only 8-byte aligned, and the teacher's matrix product rounds differently for
    /// different alignments, so its targets would differ in the last bits from one call to the next.
    /// </summary>
    public static Tensor AlignedInputs(int n, int d, ulong seed) => SyntheticData.Inputs(n, d, seed).clone();

    /// <summary>
    /// A linear model w ↦ f(x) = w x with one weight, set to <paramref name="weight"/>: with the single
    /// example x = 2, y = 1 and the half squared error, L(w) = ½(2w − 1)², ∇L = 2(2w − 1) and H = 4.
    /// </summary>
    public static FullyConnectedNetwork ScalarModel(double weight)
    {
        var model = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = 1, OutputDimension = 1, Depth = 1, Bias = false, DType = ScalarType.Float64,
        });
        Sharpness.Nets.Parameters.ParameterVector.Unflatten(model, [weight]);
        return model;
    }

    /// <summary>The single example (x = 2, y = 1) of <see cref="ScalarModel"/>.</summary>
    public static ExampleSet ScalarExample() =>
        new(tensor(new[] { 2.0 }, [1, 1], ScalarType.Float64), tensor(new[] { 1.0 }, [1, 1], ScalarType.Float64));

    /// <summary>The bit patterns of a sequence of doubles (NaN included), for exact comparisons.</summary>
    public static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
