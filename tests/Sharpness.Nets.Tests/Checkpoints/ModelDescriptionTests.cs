using System.Text.Json.Nodes;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using Sharpness.Uv.Model;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Checkpoints;

public sealed class ModelDescriptionTests
{
    public static TheoryData<string> Models => ["fc-sp", "fc-ntp-scaled", "fc-mup-abc", "fc-mup-out", "fc-torch-zero", "cnn-max", "cnn-avg-torch", "myrtle-5", "myrtle-7", "uv"];

    private static NetworkModule Build(string name) => name switch
    {
        "fc-sp" => new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 6, OutputDimension = 3, Depth = 3, Width = 8, Seed = 1, DType = ScalarType.Float64 }),
        "fc-ntp-scaled" => new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 6, OutputDimension = 3, Depth = 4, Width = 8, Activation = Activation.Elu, Parameterisation = NetworkParameterisation.Ntp, OutputMultiplier = -1.5, OutputExponent = 0.25, Seed = 2, DType = ScalarType.Float64 }),
        "fc-mup-abc" => new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 6, OutputDimension = 2, Depth = 3, Width = 9, Activation = Activation.Relu, Parameterisation = NetworkParameterisation.MuPAbc, Bias = false, Seed = 3, DType = ScalarType.Float64 }),
        "fc-mup-out" => new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 6, OutputDimension = 2, Depth = 2, Width = 16, Activation = Activation.Linear, Parameterisation = NetworkParameterisation.MuPOutput, Seed = 4, DType = ScalarType.Float64 }),
        "fc-torch-zero" => new FullyConnectedNetwork(new FullyConnectedConfig { InputDimension = 6, OutputDimension = 3, Depth = 3, Width = 8, Initialisation = Initialisation.Torch, ZeroReadout = true, Seed = 5, DType = ScalarType.Float64 }),
        "cnn-max" => new SmallConvolutionalNetwork(new SmallConvolutionalConfig { Input = new ImageShape(2, 7, 9), OutputDimension = 3, Channels = 4, Seed = 6, DType = ScalarType.Float64 }),
        "cnn-avg-torch" => new SmallConvolutionalNetwork(new SmallConvolutionalConfig { Input = new ImageShape(1, 8, 8), OutputDimension = 2, Channels = 3, Activation = Activation.Tanh, Pooling = Pooling.Average, Initialisation = Initialisation.Torch, Seed = 7, DType = ScalarType.Float64 }),
        "myrtle-5" => new MyrtleNetwork(new MyrtleConfig { Input = new ImageShape(1, 8, 8), OutputDimension = 2, Depth = 5, Channels = 3, Bias = false, Seed = 8, DType = ScalarType.Float64 }),
        "myrtle-7" => new MyrtleNetwork(new MyrtleConfig { Input = new ImageShape(2, 9, 8), OutputDimension = 3, Depth = 7, Channels = 2, Initialisation = Initialisation.Torch, Seed = 9, DType = ScalarType.Float64 }),
        _ => UvModule.Create(new UvModelConfig { Width = 5, Input = [1.0, -0.5, 2.0], Seed = 10 }),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void TheDescribedOperationsComputeTheModelsOutput(string name)
    {
        using var model = Build(name);
        // Shift every parameter so that zero readouts and biases take part in the comparison.
        double[] theta = ParameterVector.Flatten(model);
        var random = new Random(3);
        ParameterVector.Unflatten(model, theta.Select(t => t + (0.1 * (random.NextDouble() - 0.5))).ToArray());
        // Read back from its text, as another program reads model.json.
        JsonObject description = JsonNode.Parse(ModelDescription.Describe(model).ToJsonString())!.AsObject();
        using var scope = NewDisposeScope();
        Tensor x = randn([5, model.InputDimension], ScalarType.Float64, generator: new TorchSharp.torch.Generator(11));

        Tensor expected = model.forward(x);
        Tensor actual = Interpret(description, model, x);

        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.allclose(actual, rtol: 1e-12, atol: 1e-14), $"{name}: the described operations give another output");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TheDescriptionListsEveryParameterWithItsShapeAndInitialisation(string name)
    {
        using var model = Build(name);
        JsonObject description = ModelDescription.Describe(model);
        var parameters = ParameterVector.Ordered(model);

        Assert.Equal(ModelDescription.Format, description["format"]!.GetValue<string>());
        Assert.Equal(model.InputShape.Select(n => (long)n), description["input_shape"]!.AsArray().Select(n => n!.GetValue<long>()));
        Assert.Equal(parameters.Select(p => p.Name), description["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.Equal(parameters.Select(p => p.Parameter.shape), description["parameters"]!.AsArray().Select(p => p!["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray()));
        var init = description["initialisation"]!.AsObject();
        if (name != "uv")
        {
            Assert.Equal(parameters.Select(p => p.Name).Order(StringComparer.Ordinal), init["parameters"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void ACnnDescriptionCarriesItsPoolingAndInputShapeAndNoFullyConnectedFields()
    {
        using var model = Build("cnn-max");
        JsonObject description = ModelDescription.Describe(model);

        Assert.Equal("cnn", description["model"]!.GetValue<string>());
        Assert.Equal("max", description["pooling"]!.GetValue<string>());
        Assert.Equal("relu", description["activation"]!.GetValue<string>());
        Assert.Equal([2L, 7, 9], description["input_shape"]!.AsArray().Select(n => n!.GetValue<long>()));
        foreach (string key in new[] { "depth", "width", "parameterisation", "weight_multipliers", "output_multiplier" })
        {
            Assert.False(description.ContainsKey(key), key);
        }
    }

    [Fact]
    public void TheInitialisationRecordsTheDistributionOfEveryParameter()
    {
        using var torchZero = Build("fc-torch-zero");
        var init = ModelDescription.Describe(torchZero)["initialisation"]!;
        Assert.Equal("torch", init["scheme"]!.GetValue<string>());
        Assert.Equal(1 / Math.Sqrt(6), init["parameters"]!["layers.0.weight"]!["bound"]!.GetValue<double>(), 15);
        Assert.Equal("uniform", init["parameters"]!["layers.1.bias"]!["distribution"]!.GetValue<string>());
        Assert.Equal(NetworkModule.BiasStreamOffset + 1, init["parameters"]!["layers.1.bias"]!["stream"]!.GetValue<ulong>());
        Assert.Equal("zeros", init["parameters"]!["layers.2.weight"]!["distribution"]!.GetValue<string>());
        Assert.Equal("zeros", init["parameters"]!["layers.2.bias"]!["distribution"]!.GetValue<string>());

        using var ntp = Build("fc-ntp-scaled");
        var normal = ModelDescription.Describe(ntp);
        Assert.Equal("normal", normal["initialisation"]!["scheme"]!.GetValue<string>());
        Assert.Equal(1.0, normal["initialisation"]!["parameters"]!["layers.1.weight"]!["std"]!.GetValue<double>());
        Assert.Equal(-1.5 * Math.Pow(8, -0.25), normal["output_multiplier"]!.GetValue<double>(), 15);
    }

    // An independent reading of the "forward" list with TorchSharp's functional operations.
    private static Tensor Interpret(JsonObject description, NetworkModule model, Tensor x)
    {
        var parameters = ParameterVector.Ordered(model).ToDictionary(p => p.Name, p => (Tensor)p.Parameter);
        Tensor? P(JsonNode? name) => name is null ? null : parameters[name.GetValue<string>()];
        foreach (var node in description["forward"]!.AsArray())
        {
            var op = node!.AsObject();
            x = op["op"]!.GetValue<string>() switch
            {
                "reshape" => x.reshape([x.shape[0], .. op["shape"]!.AsArray().Select(n => n!.GetValue<long>())]),
                "linear" => nn.functional.linear(
                    x * op["input_multiplier"]!.GetValue<double>(),
                    P(op["weight"])!.dim() == 1 ? P(op["weight"])!.unsqueeze(0) : P(op["weight"])!,
                    P(op["bias"])),
                "conv2d" => nn.functional.conv2d(x, P(op["weight"])!, P(op["bias"]), strides: [op["stride"]!.GetValue<long>()], padding: [op["padding"]!.GetValue<long>()]),
                "tanh" => x.tanh(),
                "relu" => x.relu(),
                "elu" => nn.functional.elu(x, 1.0),
                "max_pool2d" => nn.functional.max_pool2d(x, op["kernel_size"]!.GetValue<long>(), op["stride"]!.GetValue<long>()),
                "avg_pool2d" => nn.functional.avg_pool2d(x, op["kernel_size"]!.GetValue<long>(), op["stride"]!.GetValue<long>()),
                "mean" => x.mean(op["dims"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray()),
                "flatten" => x.flatten(op["start_dim"]!.GetValue<long>()),
                "scale" => x * op["factor"]!.GetValue<double>(),
                var other => throw new InvalidOperationException($"unknown op {other}"),
            };
        }

        return x;
    }
}
