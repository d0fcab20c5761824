using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tests.TestSupport;
using Sharpness.Uv.Model;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Models;

public sealed class ModelTests
{
    [Theory]
    [InlineData(Activation.Tanh, true)]
    [InlineData(Activation.Relu, false)]
    [InlineData(Activation.Elu, true)]
    [InlineData(Activation.Linear, false)]
    public void TheFullyConnectedNetworkComputesTheLayersByHand(Activation activation, bool bias)
    {
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = 3, OutputDimension = 2, Depth = 3, Width = 4, Activation = activation, Bias = bias, Seed = 3, DType = ScalarType.Float64,
        });
        // Nonzero biases, so that their placement is checked too.
        double[] theta = ParameterVector.Flatten(network).Select((t, i) => t + (0.01 * i)).ToArray();
        ParameterVector.Unflatten(network, theta);
        double[] x = [0.3, -1.2, 0.7];
        using var scope = NewDisposeScope();

        double[] output = network.forward(tensor(x, [1, 3], ScalarType.Float64)).data<double>().ToArray();

        var parameters = ParameterVector.Ordered(network).ToDictionary(p => p.Name, p => p.Parameter);
        double[] h = x;
        for (int l = 0; l < 3; l++)
        {
            double[,] w = ToMatrix(parameters[$"layers.{l}.weight"]);
            double[] b = bias ? parameters[$"layers.{l}.bias"].data<double>().ToArray() : new double[w.GetLength(0)];
            double[] z = Enumerable.Range(0, w.GetLength(0)).Select(i => b[i] + Enumerable.Range(0, h.Length).Sum(j => w[i, j] * h[j])).ToArray();
            h = l == 2 ? z : z.Select(v => Reference(activation, v)).ToArray();
        }

        Assert.Equal(h.Length, output.Length);
        for (int i = 0; i < h.Length; i++)
        {
            Assert.Equal(h[i], output[i], 1e-14);
        }
    }

    [Fact]
    public void TheSameSeedGivesBitIdenticalWeightsAndAnotherSeedDifferentOnes()
    {
        var config = new FullyConnectedConfig { InputDimension = 5, OutputDimension = 3, Depth = 3, Width = 16, Seed = 11 };
        using var a = new FullyConnectedNetwork(config);
        using (var noise = randn(100))
        {
            // LibTorch's global generator does not influence the weights.
        }

        using var b = new FullyConnectedNetwork(config);
        using var c = new FullyConnectedNetwork(config with { Seed = 12 });

        Assert.Equal(ParameterVector.Flatten(a), ParameterVector.Flatten(b));
        Assert.NotEqual(ParameterVector.Flatten(a), ParameterVector.Flatten(c));
    }

    [Fact]
    public void WeightsHaveTheStandardParameterisationVariance()
    {
        var config = new FullyConnectedConfig { InputDimension = 100, OutputDimension = 50, Depth = 2, Width = 400, Activation = Activation.Relu, Seed = 5 };
        using var network = new FullyConnectedNetwork(config);
        var parameters = ParameterVector.Ordered(network).ToDictionary(p => p.Name, p => p.Parameter);

        double hidden = Variance(parameters["layers.0.weight"]);
        double readout = Variance(parameters["layers.1.weight"]);

        Assert.Equal(2.0 / 100, hidden, 0.1 * 2.0 / 100);
        Assert.Equal(1.0 / 400, readout, 0.1 * 1.0 / 400);
        Assert.All(parameters["layers.0.bias"].data<float>().ToArray(), b => Assert.Equal(0f, b));
    }

    [Fact]
    public void CloneConvertsTheTypeAndSharesNothing()
    {
        using var single = new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 4, OutputDimension = 2, Depth = 2, Width = 8, Seed = 1 });

        using var copy = single.Clone(ScalarType.Float64);
        double[] theta = ParameterVector.Flatten(single);
        ParameterVector.Unflatten(copy, new double[theta.Length]);

        Assert.Equal(ScalarType.Float64, copy.DType);
        Assert.All(ParameterVector.Ordered(copy), p => Assert.Equal(ScalarType.Float64, p.Parameter.dtype));
        Assert.Equal(theta, ParameterVector.Flatten(single));
    }

    [Fact]
    public void AModuleBuiltInsideADisposeScopeOutlivesIt()
    {
        FullyConnectedNetwork network;
        using (NewDisposeScope())
        {
            network = new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 2, OutputDimension = 1, Depth = 2, Width = 3, Seed = 2 });
        }

        using (network)
        {
            Assert.Equal(13, ParameterVector.Flatten(network).Length);
        }
    }

    [Fact]
    public void WrongInputsAreRejectedBeforeReachingLibTorch()
    {
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 3, OutputDimension = 1, Depth = 2, Width = 4 });
        using var scope = NewDisposeScope();

        Assert.Throws<ArgumentException>(() => network.forward(zeros([2, 4], ScalarType.Float32)));
        Assert.Throws<ArgumentException>(() => network.forward(zeros([3], ScalarType.Float32)));
        Assert.Throws<ArgumentException>(() => network.forward(zeros([2, 3], ScalarType.Float64)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FullyConnectedNetwork(new FullyConnectedConfig { Depth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FullyConnectedNetwork(new FullyConnectedConfig { DType = ScalarType.Int32 }));
    }

    [Fact]
    public void TheUvModuleEqualsTheUvModelItWasCreatedFrom()
    {
        var config = new UvModelConfig { Width = 6, Input = [0.5, -1.5, 2.0], Target = 1.3, Seed = 9, Parameterisation = Parameterisation.Sp };
        var reduced = UvNetwork.Create(config);
        var full = UvFullNetwork.Create(config);
        using var module = UvModule.Create(config);
        using var scope = NewDisposeScope();

        double f = module.forward(tensor(config.Input, [1, 3], ScalarType.Float64)).item<double>();

        Assert.Equal(full.Output, f, 1e-14);
        Assert.Equal(reduced.Output, f, 1e-13);
        Assert.Equal(config.Normaliser, module.Normaliser);
        Assert.Equal(6, module.Width);
        Assert.Equal((6 * 3) + 6, ParameterVector.Count(module));
    }

    [Fact]
    public void TheUvModuleTakesABatchOfInputs()
    {
        using var module = new UvModule(new double[,] { { 1, 0 }, { 0, 2 } }, [3, 4], normaliser: 2);
        using var scope = NewDisposeScope();

        double[] f = module.forward(tensor(new double[] { 1, 1, 2, -1 }, [2, 2], ScalarType.Float64)).data<double>().ToArray();

        // f(x) = vᵀUx / S: (3·1 + 4·2)/2 = 5.5 and (3·2 − 4·2)/2 = −1.
        Assert.Equal([5.5, -1.0], f);
    }

    private static double Reference(Activation activation, double z) => activation switch
    {
        Activation.Tanh => Math.Tanh(z),
        Activation.Relu => Math.Max(z, 0),
        Activation.Elu => z > 0 ? z : Math.Exp(z) - 1,
        _ => z,
    };

    private static double[,] ToMatrix(Tensor t)
    {
        double[] values = t.data<double>().ToArray();
        int rows = (int)t.shape[0], columns = (int)t.shape[1];
        var m = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                m[i, j] = values[(i * columns) + j];
            }
        }

        return m;
    }

    private static double Variance(Tensor t)
    {
        double[] values = t.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray();
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }
}
