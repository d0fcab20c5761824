using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Nets.Tests.TestSupport;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Models;

public sealed class ParameterisationTests
{
    private static FullyConnectedConfig Small(NetworkParameterisation parameterisation, Activation activation = Activation.Tanh, ulong seed = 7) => new()
    {
        InputDimension = 5,
        OutputDimension = 3,
        Depth = 3,
        Width = 16,
        Activation = activation,
        Parameterisation = parameterisation,
        Seed = seed,
        DType = ScalarType.Float64,
    };

    [Fact]
    public void TheStandardParameterisationIsTheDefaultAndKeepsItsWeights()
    {
        var config = new FullyConnectedConfig { InputDimension = 4, OutputDimension = 2, Depth = 3, Width = 6, Seed = 3 };
        using var implicitSp = new FullyConnectedNetwork(config);
        using var explicitSp = new FullyConnectedNetwork(config with { Parameterisation = NetworkParameterisation.Sp, OutputMultiplier = 1 });

        Assert.Equal(NetworkParameterisation.Sp, config.Parameterisation);
        Assert.Equal(ParameterVector.Flatten(implicitSp), ParameterVector.Flatten(explicitSp));
        Assert.All(Enumerable.Range(0, 3), l => Assert.Equal(1.0, config.WeightMultiplier(l)));
    }

    [Theory]
    [InlineData(NetworkParameterisation.Sp)]
    [InlineData(NetworkParameterisation.Ntp)]
    [InlineData(NetworkParameterisation.MuPAbc)]
    public void StoredWeightsAreTheSameNormalsScaledByTheDocumentedDeviation(NetworkParameterisation parameterisation)
    {
        var config = Small(parameterisation, Activation.Relu);
        using var network = new FullyConnectedNetwork(config);
        using var ntp = new FullyConnectedNetwork(config with { Parameterisation = NetworkParameterisation.Ntp });
        var weights = ParameterVector.Ordered(network).ToDictionary(p => p.Name, p => p.Parameter);
        var normals = ParameterVector.Ordered(ntp).ToDictionary(p => p.Name, p => p.Parameter);
        // σ² = 2 hidden (ReLU), 1 readout; fan-ins 5, 16, 16; width n = 16.
        double[] expected = parameterisation switch
        {
            NetworkParameterisation.Sp => [Math.Sqrt(2.0 / 5), Math.Sqrt(2.0 / 16), Math.Sqrt(1.0 / 16)],
            NetworkParameterisation.Ntp => [1, 1, 1],
            _ => [Math.Sqrt(2.0 / (5 * 16)), Math.Sqrt(2.0 / 16), Math.Sqrt(1.0 / 16)],
        };

        for (int l = 0; l < 3; l++)
        {
            Assert.Equal(expected[l], config.InitialWeightStandardDeviation(l), 1e-15);
            double[] w = weights[$"layers.{l}.weight"].data<double>().ToArray();
            double[] g = normals[$"layers.{l}.weight"].data<double>().ToArray();
            Assert.All(w.Zip(g), p => Assert.Equal(expected[l] * p.Second, p.First, 1e-15));
        }
    }

    [Fact]
    public void NtpComputesTheSameFunctionAsSpAtInitialisation()
    {
        using var sp = new FullyConnectedNetwork(Small(NetworkParameterisation.Sp));
        using var ntp = new FullyConnectedNetwork(Small(NetworkParameterisation.Ntp));
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(9, 5, seed: 1);

        double[] fSp = sp.forward(x).data<double>().ToArray();
        double[] fNtp = ntp.forward(x).data<double>().ToArray();

        Assert.True(HessianOracles.RelativeError(fNtp, fSp) < 1e-13, $"relative error {HessianOracles.RelativeError(fNtp, fSp):e3}");
        Assert.NotEqual(ParameterVector.Flatten(sp), ParameterVector.Flatten(ntp));
    }

    [Fact]
    public void NtpWeightGradientsAreTheSpGradientsTimesTheLayerMultiplier()
    {
        var spConfig = Small(NetworkParameterisation.Sp);
        var ntpConfig = Small(NetworkParameterisation.Ntp);
        using var sp = new FullyConnectedNetwork(spConfig);
        using var ntp = new FullyConnectedNetwork(ntpConfig);
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(11, 5, seed: 2);
        Tensor y = SyntheticData.TeacherTargets(x, 3, seed: 3);

        var (lossSp, gradientSp) = Gradients(sp, x, y);
        var (lossNtp, gradientNtp) = Gradients(ntp, x, y);

        // θ_SP = m θ_NTP for each weight, the same function, so ∂L/∂θ_NTP = m ∂L/∂θ_SP.
        Assert.Equal(lossSp, lossNtp, 1e-13);
        for (int l = 0; l < 3; l++)
        {
            double m = ntpConfig.WeightMultiplier(l);
            Assert.Equal(Math.Sqrt(1.0 / spConfig.FanIn(l)), m, 1e-15); // σ² = 1 for tanh and the readout
            double[] expected = gradientSp[$"layers.{l}.weight"].Select(g => m * g).ToArray();
            Assert.True(HessianOracles.RelativeError(gradientNtp[$"layers.{l}.weight"], expected) < 1e-12, $"layer {l}");
            Assert.True(HessianOracles.RelativeError(gradientNtp[$"layers.{l}.bias"], gradientSp[$"layers.{l}.bias"]) < 1e-12, $"bias {l}");
        }
    }

    [Fact]
    public void MuPInitialOutputShrinksLikeTheInverseSquareRootOfTheWidthWhileSpDoesNot()
    {
        int[] widths = [64, 256, 1024];
        double[] mup = widths.Select(w => MeanOutputNorm(NetworkParameterisation.MuPAbc, w)).ToArray();
        double[] sp = widths.Select(w => MeanOutputNorm(NetworkParameterisation.Sp, w)).ToArray();

        for (int i = 1; i < widths.Length; i++)
        {
            // Width ×4: μP output ×1/2, SP output ×1.
            Assert.InRange(mup[i] / mup[i - 1], 0.35, 0.7);
            Assert.InRange(sp[i] / sp[i - 1], 0.75, 1.33);
        }
    }

    [Fact]
    public void MuPEffectiveReadoutVarianceIsOneOverFanInSquared()
    {
        var config = new FullyConnectedConfig { InputDimension = 10, OutputDimension = 50, Depth = 2, Width = 400, Parameterisation = NetworkParameterisation.MuPAbc, Seed = 1 };
        using var network = new FullyConnectedNetwork(config);
        var parameters = ParameterVector.Ordered(network).ToDictionary(p => p.Name, p => p.Parameter);
        double m = config.WeightMultiplier(1);

        double effective = m * m * Variance(parameters["layers.1.weight"]);
        double input = config.WeightMultiplier(0) * config.WeightMultiplier(0) * Variance(parameters["layers.0.weight"]);

        Assert.Equal(1.0 / (400.0 * 400.0), effective, 0.1 / (400.0 * 400.0));
        Assert.Equal(1.0 / 10, input, 0.1 / 10);
        Assert.Equal(Math.Sqrt(400), config.WeightMultiplier(0), 1e-12);
        Assert.Equal(1 / Math.Sqrt(400), m, 1e-15);
    }

    [Theory]
    [InlineData(NetworkParameterisation.Sp)]
    [InlineData(NetworkParameterisation.MuPAbc)]
    public void AZeroReadoutGivesZeroOutputAndLeavesTheHiddenLayersAlone(NetworkParameterisation parameterisation)
    {
        var config = Small(parameterisation);
        using var drawn = new FullyConnectedNetwork(config);
        using var zero = new FullyConnectedNetwork(config with { ZeroReadout = true });
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(6, 5, seed: 4);
        var drawnWeights = ParameterVector.Ordered(drawn).ToDictionary(p => p.Name, p => p.Parameter);
        var zeroWeights = ParameterVector.Ordered(zero).ToDictionary(p => p.Name, p => p.Parameter);

        Assert.All(zero.forward(x).data<double>().ToArray(), f => Assert.Equal(0.0, f));
        Assert.Equal(drawnWeights["layers.1.weight"].data<double>().ToArray(), zeroWeights["layers.1.weight"].data<double>().ToArray());
        Assert.All(zeroWeights["layers.2.weight"].data<double>().ToArray(), w => Assert.Equal(0.0, w));
        Assert.Equal(0.0, zero.Config.InitialWeightStandardDeviation(2));
    }

    [Fact]
    public void TheOutputMultiplierScalesTheOutput()
    {
        var config = Small(NetworkParameterisation.MuPAbc);
        using var plain = new FullyConnectedNetwork(config);
        using var scaled = new FullyConnectedNetwork(config with { OutputMultiplier = -2.5 });
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(4, 5, seed: 5);

        double[] f = plain.forward(x).data<double>().ToArray();
        double[] g = scaled.forward(x).data<double>().ToArray();

        Assert.All(f.Zip(g), p => Assert.Equal(-2.5 * p.First, p.Second, 1e-15));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FullyConnectedNetwork(config with { OutputMultiplier = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FullyConnectedNetwork(config with { OutputMultiplier = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FullyConnectedNetwork(config with { Parameterisation = (NetworkParameterisation)9 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => config.WeightMultiplier(3));
    }

    [Theory]
    [InlineData(NetworkParameterisation.Ntp)]
    [InlineData(NetworkParameterisation.MuPAbc)]
    public void TheHessianProductMatchesFiniteDifferencesWithMultipliers(NetworkParameterisation parameterisation)
    {
        using var network = new FullyConnectedNetwork(Small(parameterisation) with { OutputMultiplier = 1.7 });
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(10, 5, seed: 6);
        Tensor y = SyntheticData.TeacherTargets(x, 3, seed: 7);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, x, y, batchSize: 4);
        double[] v = HessianOracles.RandomVector(op.Size, seed: 8);
        var hv = new double[op.Size];

        op.Apply(v, hv);

        double[] expected = HessianOracles.FiniteDifferenceHvp(network, v, 1e-5, LossFunction.HalfSquaredError, x, y);
        Assert.True(HessianOracles.RelativeError(hv, expected) < 1e-6, $"relative error {HessianOracles.RelativeError(hv, expected):e3}");
    }

    [Fact]
    public void TheAuthorsMuPIsTheStandardNetworkDividedByTheSquareRootOfTheWidth()
    {
        // fcn_mup: same stored weights and multipliers as SP, output / width^out_exp with out_exp = 1/2.
        var config = Small(NetworkParameterisation.Sp, Activation.Relu);
        using var sp = new FullyConnectedNetwork(config);
        using var mup = new FullyConnectedNetwork(config with { Parameterisation = NetworkParameterisation.MuPOutput });
        using var exponent = new FullyConnectedNetwork(config with { Parameterisation = NetworkParameterisation.MuPOutput, OutputExponent = 1.0, OutputMultiplier = 3 });
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(5, 5, seed: 11);

        Assert.Equal(ParameterVector.Flatten(sp), ParameterVector.Flatten(mup));
        Assert.All(Enumerable.Range(0, 3), l => Assert.Equal(1.0, mup.Config.WeightMultiplier(l)));
        Assert.Equal(0.5, mup.Config.EffectiveOutputExponent);
        double[] f = sp.forward(x).data<double>().ToArray();
        Assert.All(f.Zip(mup.forward(x).data<double>().ToArray()), p => Assert.Equal(p.First / 4, p.Second, 1e-15));
        Assert.All(f.Zip(exponent.forward(x).data<double>().ToArray()), p => Assert.Equal(3 * p.First / 16, p.Second, 1e-15));
    }

    [Fact]
    public void TheSmallReadoutHasVarianceOneOverFanInTimesWidthAndTheHiddenLayersOfSp()
    {
        var config = new FullyConnectedConfig { InputDimension = 10, OutputDimension = 40, Depth = 2, Width = 400, Seed = 3 };
        using var sp = new FullyConnectedNetwork(config);
        using var small = new FullyConnectedNetwork(config with { Parameterisation = NetworkParameterisation.SmallReadout });
        var a = ParameterVector.Ordered(sp).ToDictionary(p => p.Name, p => p.Parameter);
        var b = ParameterVector.Ordered(small).ToDictionary(p => p.Name, p => p.Parameter);

        Assert.Equal(a["layers.0.weight"].data<float>().ToArray(), b["layers.0.weight"].data<float>().ToArray());
        Assert.Equal(1.0 / (400.0 * 400.0), Variance(b["layers.1.weight"]), 0.1 / (400.0 * 400.0));
        Assert.Equal(Math.Sqrt(1.0 / (400 * 400)), small.Config.InitialWeightStandardDeviation(1), 15);
        Assert.Equal(1.0, small.Config.WeightMultiplier(1));
    }

    [Fact]
    public void TheOutputExponentDividesAnNtpNetworkByAPowerOfTheWidth()
    {
        // linear_fcn: NTP layers without bias, no activation, σ² = 1, output / width^s.
        var config = Small(NetworkParameterisation.Ntp, Activation.Linear) with { Bias = false, HiddenWeightVariance = 1 };
        using var plain = new FullyConnectedNetwork(config);
        using var scaled = new FullyConnectedNetwork(config with { OutputExponent = 0.75 });
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(4, 5, seed: 12);

        double factor = Math.Pow(16, -0.75);
        Assert.Equal(factor, scaled.Config.EffectiveOutputMultiplier, 15);
        Assert.All(plain.forward(x).data<double>().ToArray().Zip(scaled.forward(x).data<double>().ToArray()), p => Assert.Equal(factor * p.First, p.Second, 1e-15));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FullyConnectedNetwork(config with { OutputExponent = double.PositiveInfinity }));
    }

    [Fact]
    public void EveryParameterisationHasACommandLineNameThatParsesBack()
    {
        foreach (var parameterisation in Enum.GetValues<NetworkParameterisation>())
        {
            Assert.True(NetworkParameterisationNames.TryParse(parameterisation.Name().ToUpperInvariant(), out var parsed));
            Assert.Equal(parameterisation, parsed);
        }

        Assert.Equal(["sp", "ntp", "mup-abc", "mup-out", "small-readout"], NetworkParameterisationNames.All);
        Assert.False(NetworkParameterisationNames.TryParse("mup", out _));
    }

    [Fact]
    public void CloneKeepsTheParameterisation()
    {
        using var network = new FullyConnectedNetwork(Small(NetworkParameterisation.MuPAbc) with { DType = ScalarType.Float32, OutputMultiplier = 3 });
        using var copy = network.Clone(ScalarType.Float64);
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(3, 5, seed: 9);

        double[] f = network.forward(x.to(ScalarType.Float32)).to(ScalarType.Float64).data<double>().ToArray();
        double[] g = copy.forward(x).data<double>().ToArray();

        Assert.True(HessianOracles.RelativeError(f, g) < 1e-5);
    }

    private static double MeanOutputNorm(NetworkParameterisation parameterisation, int width)
    {
        using var scope = NewDisposeScope();
        Tensor x = SyntheticData.Inputs(16, 20, seed: 100).to(ScalarType.Float32);
        double sum = 0;
        const int seeds = 6;
        for (ulong seed = 0; seed < seeds; seed++)
        {
            using var network = new FullyConnectedNetwork(new FullyConnectedConfig
            {
                InputDimension = 20, OutputDimension = 10, Depth = 3, Width = width, Parameterisation = parameterisation, Seed = seed,
            });
            using var noGrad = no_grad();
            sum += network.forward(x).norm().item<float>();
        }

        return sum / seeds;
    }

    private static (double Loss, Dictionary<string, double[]> Gradient) Gradients(FullyConnectedNetwork network, Tensor x, Tensor y)
    {
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, x, y);
        var gradient = new double[op.Size];
        double loss = op.LossAndGradient(gradient);
        var result = new Dictionary<string, double[]>();
        int offset = 0;
        foreach (var (name, parameter) in ParameterVector.Ordered(network))
        {
            int n = (int)parameter.numel();
            result[name] = gradient[offset..(offset + n)];
            offset += n;
        }

        return (loss, result);
    }

    private static double Variance(Tensor t)
    {
        double[] values = t.detach().to(ScalarType.Float64).reshape(-1).data<double>().ToArray();
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }
}
