using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tests.TestSupport;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Models;

public sealed class ConvolutionalNetworkTests
{
    private static SmallConvolutionalConfig TinySmall(Activation activation, Pooling pooling) => new()
    {
        Input = new ImageShape(2, 5, 6),
        OutputDimension = 2,
        Channels = 3,
        Activation = activation,
        Pooling = pooling,
        Seed = 4,
        DType = ScalarType.Float64,
    };

    private static MyrtleConfig TinyMyrtle(int depth = 5) => new()
    {
        Input = new ImageShape(1, 8, 8),
        OutputDimension = 2,
        Depth = depth,
        Channels = 2,
        Activation = Activation.Tanh,
        Seed = 6,
        DType = ScalarType.Float64,
    };

    [Theory]
    [InlineData(Activation.Tanh, Pooling.Average)]
    [InlineData(Activation.Relu, Pooling.Max)]
    public void TheSmallNetworkComputesConvolutionsPoolingAndReadoutByHand(Activation activation, Pooling pooling)
    {
        using var network = new SmallConvolutionalNetwork(TinySmall(activation, pooling));
        ShiftParameters(network, 0.05, seed: 1);
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(2, 60, seed: 2);

        double[] output = network.forward(x).data<double>().ToArray();

        var p = Parameters(network);
        double[] inputs = x.data<double>().ToArray();
        for (int b = 0; b < 2; b++)
        {
            var image = new Image(2, 5, 6, inputs[(b * 60)..((b + 1) * 60)]);
            for (int l = 0; l < 2; l++)
            {
                image = Pool(Apply(Convolve(image, p[$"convolutions.{l}.weight"], p[$"convolutions.{l}.bias"]), activation), pooling);
            }

            double[] expected = Linear(image.Values, p["readout.weight"], p["readout.bias"]);
            for (int k = 0; k < 2; k++)
            {
                Assert.Equal(expected[k], output[(b * 2) + k], 1e-13);
            }
        }
    }

    [Fact]
    public void TheMyrtleNetworkComputesItsStagesByHand()
    {
        using var network = new MyrtleNetwork(TinyMyrtle());
        ShiftParameters(network, 0.05, seed: 3);
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(1, 64, seed: 4);

        double[] output = network.forward(x).data<double>().ToArray();

        var p = Parameters(network);
        var image = new Image(1, 8, 8, x.data<double>().ToArray());
        // Depth 5: two convolutions, pool, one, pool, one, global average.
        int[] poolAfter = [1, 2];
        for (int i = 0; i < 4; i++)
        {
            image = Apply(Convolve(image, p[$"convolutions.{i}.weight"], p[$"convolutions.{i}.bias"]), Activation.Tanh);
            if (poolAfter.Contains(i))
            {
                image = Pool(image, Pooling.Average);
            }
        }

        double[] averages = Enumerable.Range(0, image.Channels)
            .Select(c => image.Values.Skip(c * image.Height * image.Width).Take(image.Height * image.Width).Average()).ToArray();
        double[] expected = Linear(averages, p["readout.weight"], p["readout.bias"]);
        Assert.Equal(expected[0], output[0], 1e-13);
        Assert.Equal(expected[1], output[1], 1e-13);
    }

    [Fact]
    public void FlatAndImageBatchesGiveTheSameOutputs()
    {
        using var small = new SmallConvolutionalNetwork(TinySmall(Activation.Relu, Pooling.Max));
        using var myrtle = new MyrtleNetwork(TinyMyrtle());
        using var scope = NewDisposeScope();
        Tensor flatSmall = SyntheticData.Inputs(3, 60, seed: 5);
        Tensor flatMyrtle = SyntheticData.Inputs(3, 64, seed: 6);

        Assert.Equal(small.forward(flatSmall).data<double>().ToArray(), small.forward(flatSmall.reshape(3, 2, 5, 6)).data<double>().ToArray());
        Assert.Equal(myrtle.forward(flatMyrtle).data<double>().ToArray(), myrtle.forward(flatMyrtle.reshape(3, 1, 8, 8)).data<double>().ToArray());
        Assert.Equal([2, 5, 6], small.InputShape);
        Assert.Equal(60, small.InputDimension);
    }

    [Fact]
    public void WrongImageBatchesAreRejectedBeforeReachingLibTorch()
    {
        using var network = new SmallConvolutionalNetwork(TinySmall(Activation.Tanh, Pooling.Average));
        using var scope = NewDisposeScope();

        var e = Assert.Throws<ArgumentException>(() => network.forward(zeros([2, 2, 6, 5], ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => network.forward(zeros([2, 5, 6], ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => network.forward(zeros([2, 59], ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => network.forward(zeros([0, 2, 5, 6], ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => network.forward(zeros([2, 2, 5, 6], ScalarType.Float32)));
        Assert.Contains("[B, 60] or [B, 2, 5, 6]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidConfigurationsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmallConvolutionalNetwork(new SmallConvolutionalConfig { Input = new ImageShape(1, 3, 8) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmallConvolutionalNetwork(new SmallConvolutionalConfig { Channels = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmallConvolutionalNetwork(new SmallConvolutionalConfig { Pooling = (Pooling)5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MyrtleNetwork(new MyrtleConfig { Depth = 6 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MyrtleNetwork(new MyrtleConfig { DType = ScalarType.Float16 }));
    }

    [Theory]
    [InlineData(5, 4)]
    [InlineData(7, 6)]
    [InlineData(10, 9)]
    public void MyrtleDepthCountsTheConvolutionsAndTheReadout(int depth, int convolutions)
    {
        using var network = new MyrtleNetwork(TinyMyrtle(depth));

        var names = ParameterVector.Ordered(network).Select(p => p.Name).ToArray();

        Assert.Equal((2 * convolutions) + 2, names.Length);
        Assert.Contains($"convolutions.{convolutions - 1}.weight", names);
        // First convolution 1 → 2 channels, the others 2 → 2, readout 2 → 2, all with biases.
        int expected = (2 * 9) + 2 + ((convolutions - 1) * ((2 * 2 * 9) + 2)) + (2 * 2) + 2;
        Assert.Equal(expected, ParameterVector.Count(network));
    }

    [Fact]
    public void TheSmallNetworkHasTheDocumentedParameters()
    {
        using var network = new SmallConvolutionalNetwork(new SmallConvolutionalConfig { Input = ImageShape.Cifar10, Seed = 1 });

        var shapes = ParameterVector.Ordered(network).ToDictionary(p => p.Name, p => p.Parameter.shape);

        Assert.Equal([32L, 3, 3, 3], shapes["convolutions.0.weight"]);
        Assert.Equal([32L, 32, 3, 3], shapes["convolutions.1.weight"]);
        Assert.Equal([10L, 2048], shapes["readout.weight"]);
        Assert.Equal([10L], shapes["readout.bias"]);
        Assert.Equal(6, shapes.Count);
    }

    [Fact]
    public void WeightsAreSeededAndHaveTheStandardVariance()
    {
        var config = new SmallConvolutionalConfig { Seed = 8 };
        using var a = new SmallConvolutionalNetwork(config);
        using (var noise = randn(100))
        {
            // LibTorch's global generator does not influence the weights.
        }

        using var b = new SmallConvolutionalNetwork(config);
        using var c = new SmallConvolutionalNetwork(config with { Seed = 9 });
        var p = ParameterVector.Ordered(a).ToDictionary(q => q.Name, q => q.Parameter);

        Assert.Equal(ParameterVector.Flatten(a), ParameterVector.Flatten(b));
        Assert.NotEqual(ParameterVector.Flatten(a), ParameterVector.Flatten(c));
        // ReLU: σ² = 2 over fan-in 9·C_in; readout 1 over 32·7·7.
        Assert.Equal(2.0 / (9 * 32), Variance(p["convolutions.1.weight"]), 0.1 * 2.0 / (9 * 32));
        Assert.Equal(1.0 / (32 * 49), Variance(p["readout.weight"]), 0.1 / (32 * 49));
        Assert.All(p["convolutions.0.bias"].data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void CloneConvertsTheType()
    {
        using var network = new MyrtleNetwork(TinyMyrtle() with { DType = ScalarType.Float32 });
        using var copy = network.Clone(ScalarType.Float64);
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(2, 64, seed: 7);

        double[] f = network.forward(x.to(ScalarType.Float32)).to(ScalarType.Float64).data<double>().ToArray();
        double[] g = copy.forward(x).data<double>().ToArray();

        Assert.Equal(ScalarType.Float64, copy.DType);
        Assert.IsType<MyrtleNetwork>(copy);
        Assert.True(HessianOracles.RelativeError(f, g) < 1e-5);
    }

    public static TheoryData<string> HessianCases => ["small-tanh-average", "small-relu-max", "myrtle-tanh"];

    [Theory]
    [MemberData(nameof(HessianCases))]
    public void TheHessianProductEqualsFiniteDifferencesOfTheGradient(string name)
    {
        NetworkModule network = name switch
        {
            "small-tanh-average" => new SmallConvolutionalNetwork(TinySmall(Activation.Tanh, Pooling.Average) with { Input = new ImageShape(1, 6, 6) }),
            "small-relu-max" => new SmallConvolutionalNetwork(TinySmall(Activation.Relu, Pooling.Max) with { Input = new ImageShape(1, 6, 6) }),
            _ => new MyrtleNetwork(TinyMyrtle()),
        };
        using var owned = network;
        // Zero biases can put ReLU units and pooling maxima on ties; move every parameter off the initial point.
        ShiftParameters(network, 0.1, seed: 10);
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(8, network.InputDimension, seed: 11);
        Tensor y = SyntheticData.TeacherTargets(x, 2, seed: 12);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, x, y, batchSize: 3);
        double[] v = HessianOracles.RandomVector(op.Size, seed: 13);
        var hv = new double[op.Size];

        op.Apply(v, hv);

        double[] expected = HessianOracles.FiniteDifferenceHvp(network, v, 1e-5, LossFunction.HalfSquaredError, x, y);
        Assert.True(HessianOracles.RelativeError(hv, expected) < 1e-6, $"relative error {HessianOracles.RelativeError(hv, expected):e3}");
    }

    private static void ShiftParameters(NetworkModule network, double scale, ulong seed)
    {
        double[] theta = ParameterVector.Flatten(network);
        double[] shift = HessianOracles.RandomVector(theta.Length, seed);
        ParameterVector.Unflatten(network, theta.Select((t, i) => t + (scale * shift[i])).ToArray());
    }

    private static Dictionary<string, double[]> Parameters(NetworkModule network) =>
        ParameterVector.Ordered(network).ToDictionary(p => p.Name, p => p.Parameter.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray());

    private sealed record Image(int Channels, int Height, int Width, double[] Values)
    {
        public double At(int c, int i, int j) => i < 0 || j < 0 || i >= Height || j >= Width ? 0 : Values[(((c * Height) + i) * Width) + j];
    }

    /// <summary>3×3 cross-correlation with zero padding 1; weight [out, in, 3, 3] row-major.</summary>
    private static Image Convolve(Image x, double[] weight, double[] bias)
    {
        int outputs = bias.Length;
        var values = new double[outputs * x.Height * x.Width];
        for (int o = 0; o < outputs; o++)
        {
            for (int i = 0; i < x.Height; i++)
            {
                for (int j = 0; j < x.Width; j++)
                {
                    double sum = bias[o];
                    for (int c = 0; c < x.Channels; c++)
                    {
                        for (int di = 0; di < 3; di++)
                        {
                            for (int dj = 0; dj < 3; dj++)
                            {
                                sum += weight[(((((o * x.Channels) + c) * 3) + di) * 3) + dj] * x.At(c, i + di - 1, j + dj - 1);
                            }
                        }
                    }

                    values[(((o * x.Height) + i) * x.Width) + j] = sum;
                }
            }
        }

        return new Image(outputs, x.Height, x.Width, values);
    }

    private static Image Apply(Image x, Activation activation) =>
        x with { Values = x.Values.Select(v => activation == Activation.Relu ? Math.Max(v, 0) : Math.Tanh(v)).ToArray() };

    /// <summary>2×2 pooling with stride 2, dropping a last odd row or column.</summary>
    private static Image Pool(Image x, Pooling pooling)
    {
        int h = x.Height / 2, w = x.Width / 2;
        var values = new double[x.Channels * h * w];
        for (int c = 0; c < x.Channels; c++)
        {
            for (int i = 0; i < h; i++)
            {
                for (int j = 0; j < w; j++)
                {
                    double[] window = [x.At(c, 2 * i, 2 * j), x.At(c, 2 * i, (2 * j) + 1), x.At(c, (2 * i) + 1, 2 * j), x.At(c, (2 * i) + 1, (2 * j) + 1)];
                    values[(((c * h) + i) * w) + j] = pooling == Pooling.Max ? window.Max() : window.Average();
                }
            }
        }

        return new Image(x.Channels, h, w, values);
    }

    private static double[] Linear(double[] x, double[] weight, double[] bias) =>
        Enumerable.Range(0, bias.Length).Select(o => bias[o] + Enumerable.Range(0, x.Length).Sum(i => weight[(o * x.Length) + i] * x[i])).ToArray();

    private static double Variance(Tensor t)
    {
        double[] values = t.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray();
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }
}
