using Sharpness.Core.Random;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Models;

public sealed class InitialisationTests
{
    private static FullyConnectedConfig Fc(Initialisation initialisation, ulong seed = 5) => new()
    {
        InputDimension = 30,
        OutputDimension = 4,
        Depth = 3,
        Width = 50,
        Initialisation = initialisation,
        Seed = seed,
        DType = ScalarType.Float64,
    };

    private static Dictionary<string, double[]> Values(NetworkModule module) =>
        ParameterVector.Ordered(module).ToDictionary(p => p.Name, p => p.Parameter.data<double>().ToArray());

    // The uniform draws by hand from the generator: value i of stream s is b·(2u_i − 1).
    private static double[] Uniform(ulong seed, ulong stream, int count, double bound)
    {
        var random = DeterministicRandom.ForStream(seed, stream);
        return Enumerable.Range(0, count).Select(_ => bound * (2 * random.NextDouble() - 1)).ToArray();
    }

    [Fact]
    public void TorchWeightsAndBiasesAreTheDocumentedUniformDrawsOfEachLayer()
    {
        using var network = new FullyConnectedNetwork(Fc(Initialisation.Torch));
        var values = Values(network);
        int[] fanIn = [30, 50, 50];
        int[] fanOut = [50, 50, 4];
        for (int l = 0; l < 3; l++)
        {
            double bound = 1 / Math.Sqrt(fanIn[l]);
            Assert.Equal(Uniform(5, (ulong)l, fanOut[l] * fanIn[l], bound), values[$"layers.{l}.weight"]);
            Assert.Equal(Uniform(5, NetworkModule.BiasStreamOffset + (ulong)l, fanOut[l], bound), values[$"layers.{l}.bias"]);
            Assert.Equal(bound, network.Config.InitialUniformBound(l), 15);
        }
    }

    [Fact]
    public void TorchWeightsHaveAThirdOfTheVarianceOfTheNormalOnesAndStayInsideTheirBound()
    {
        // 1/(3 fan_in) for U(±1/√fan_in), against 1/fan_in for N(0, 1/fan_in) (tanh).
        var config = Fc(Initialisation.Torch) with { InputDimension = 400, Width = 400 };
        using var torchNetwork = new FullyConnectedNetwork(config);
        using var normalNetwork = new FullyConnectedNetwork(config with { Initialisation = Initialisation.Normal });
        double[] w = Values(torchNetwork)["layers.1.weight"];
        double[] g = Values(normalNetwork)["layers.1.weight"];
        double bound = 1 / Math.Sqrt(400);
        Assert.All(w, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.True(w.Max() > 0.999 * bound && w.Min() < -0.999 * bound);
        double variance = w.Select(v => v * v).Average();
        Assert.InRange(variance * 3 * 400, 0.97, 1.03);
        Assert.InRange(variance / g.Select(v => v * v).Average(), 0.31, 0.36);
        Assert.All(Values(normalNetwork).Where(p => p.Key.EndsWith("bias", StringComparison.Ordinal)), p => Assert.All(p.Value, v => Assert.Equal(0.0, v)));
    }

    [Fact]
    public void DrawingBiasesLeavesTheWeightsOfEveryStreamUnchanged()
    {
        using var withBias = new FullyConnectedNetwork(Fc(Initialisation.Torch));
        using var withoutBias = new FullyConnectedNetwork(Fc(Initialisation.Torch) with { Bias = false });
        var a = Values(withBias);
        var b = Values(withoutBias);
        Assert.Equal(3, b.Count);
        Assert.All(b, p => Assert.Equal(p.Value, a[p.Key]));
    }

    [Fact]
    public void ATorchZeroReadoutHasZeroWeightsAndBiasSoTheOutputIsZero()
    {
        using var network = new FullyConnectedNetwork(Fc(Initialisation.Torch) with { ZeroReadout = true });
        using var reference = new FullyConnectedNetwork(Fc(Initialisation.Torch));
        var values = Values(network);
        Assert.All(values["layers.2.weight"].Concat(values["layers.2.bias"]), v => Assert.Equal(0.0, v));
        Assert.Equal(Values(reference)["layers.1.weight"], values["layers.1.weight"]);
        Assert.Equal(Values(reference)["layers.0.bias"], values["layers.0.bias"]);
        using var scope = NewDisposeScope();
        Tensor output = network.forward(randn(7, 30, ScalarType.Float64));
        Assert.Equal(0.0, output.abs().max().item<double>());
    }

    [Theory]
    [InlineData(NetworkParameterisation.Ntp)]
    [InlineData(NetworkParameterisation.MuPAbc)]
    [InlineData(NetworkParameterisation.SmallReadout)]
    public void TorchIsRefusedWithParameterisationsThatDefineTheirOwnScales(NetworkParameterisation parameterisation)
    {
        var error = Assert.Throws<ArgumentException>(() => new FullyConnectedNetwork(Fc(Initialisation.Torch) with { Parameterisation = parameterisation }));
        Assert.Equal("Parameterisation", error.ParamName);
    }

    [Fact]
    public void TorchIsRefusedWithVarianceOverrides()
    {
        Assert.Equal("HiddenWeightVariance", Assert.Throws<ArgumentException>(() => new FullyConnectedNetwork(Fc(Initialisation.Torch) with { HiddenWeightVariance = 2 })).ParamName);
        Assert.Equal("ReadoutWeightVariance", Assert.Throws<ArgumentException>(() => new FullyConnectedNetwork(Fc(Initialisation.Torch) with { ReadoutWeightVariance = 0.5 })).ParamName);
        Assert.Equal("HiddenWeightVariance", Assert.Throws<ArgumentException>(() => new SmallConvolutionalNetwork(new SmallConvolutionalConfig { Initialisation = Initialisation.Torch, HiddenWeightVariance = 2 })).ParamName);
        Assert.Equal("ReadoutWeightVariance", Assert.Throws<ArgumentException>(() => new MyrtleNetwork(new MyrtleConfig { Initialisation = Initialisation.Torch, ReadoutWeightVariance = 2 })).ParamName);
    }

    [Fact]
    public void TorchConvolutionsUseTheInputChannelsTimesTheKernelAreaAsFanIn()
    {
        var config = new SmallConvolutionalConfig { Input = new ImageShape(2, 8, 8), OutputDimension = 3, Channels = 4, Initialisation = Initialisation.Torch, Seed = 9, DType = ScalarType.Float64 };
        using var network = new SmallConvolutionalNetwork(config);
        var values = Values(network);
        // fan_in: 2·9 for the first convolution, 4·9 for the second, 4·2·2 for the readout.
        Assert.Equal(Uniform(9, 0, 4 * 2 * 9, 1 / Math.Sqrt(18)), values["convolutions.0.weight"]);
        Assert.Equal(Uniform(9, NetworkModule.BiasStreamOffset, 4, 1 / Math.Sqrt(18)), values["convolutions.0.bias"]);
        Assert.Equal(Uniform(9, 1, 4 * 4 * 9, 1 / Math.Sqrt(36)), values["convolutions.1.weight"]);
        Assert.Equal(Uniform(9, 2, 3 * 16, 1 / Math.Sqrt(16)), values["readout.weight"]);
        Assert.Equal(Uniform(9, NetworkModule.BiasStreamOffset + 2, 3, 1 / Math.Sqrt(16)), values["readout.bias"]);

        var myrtle = new MyrtleConfig { Input = new ImageShape(1, 8, 8), OutputDimension = 2, Channels = 3, Initialisation = Initialisation.Torch, Seed = 2, DType = ScalarType.Float64 };
        using var myrtleNetwork = new MyrtleNetwork(myrtle);
        var myrtleValues = Values(myrtleNetwork);
        Assert.Equal(Uniform(2, 3, 3 * 3 * 9, 1 / Math.Sqrt(27)), myrtleValues["convolutions.3.weight"]);
        Assert.Equal(Uniform(2, 4, 2 * 3, 1 / Math.Sqrt(3)), myrtleValues["readout.weight"]);
        Assert.Equal(Uniform(2, NetworkModule.BiasStreamOffset + 4, 2, 1 / Math.Sqrt(3)), myrtleValues["readout.bias"]);
    }

    [Fact]
    public void CloneKeepsTorchWeightsAndBiases()
    {
        using var network = new FullyConnectedNetwork(Fc(Initialisation.Torch) with { DType = ScalarType.Float32 });
        using var copy = network.Clone(ScalarType.Float64);
        Assert.Equal(ParameterVector.Flatten(network), ParameterVector.Flatten(copy));
    }
}
