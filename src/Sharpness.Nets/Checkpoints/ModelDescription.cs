using System.Text.Json.Nodes;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;

namespace Sharpness.Nets.Checkpoints;

/// <summary>
/// A self-contained description of a <see cref="NetworkModule"/> as JSON (the content of a run's
/// model.json): enough to rebuild the same function in another framework from the description and a
/// safetensors file of its parameters, without reading this code.
/// </summary>
/// <remarks>
/// <para>Keys (format <see cref="Format"/>):</para>
/// <list type="bullet">
/// <item><c>model</c> (fc, cnn, myrtle or uv), <c>dtype</c> (float32 or float64), <c>input_shape</c> (one example:
/// [d], or [C, H, W] for image models, which also accept flat rows in (channel, row, column) order),
/// <c>output_dimension</c>, <c>activation</c>, <c>bias</c>.</item>
/// <item><c>forward</c>: the operations applied in order to a batch [B, d]. <c>reshape</c> (to [B, …shape]);
/// <c>linear</c> (y = m·x Wᵀ + b with <c>weight</c> [out, in] and optional <c>bias</c> naming parameters, m =
/// <c>input_multiplier</c>; a 1-D weight of length in is used as the row [1, in]); <c>conv2d</c>
/// (<c>kernel_size</c>, <c>stride</c>, zero <c>padding</c>, weight [C_out, C_in, k, k]); <c>tanh</c>, <c>relu</c>,
/// <c>elu</c> (α = 1); <c>max_pool2d</c> and <c>avg_pool2d</c> (<c>kernel_size</c>, <c>stride</c>, no padding,
/// floor); <c>mean</c> over <c>dims</c>; <c>flatten</c> from <c>start_dim</c> (row-major); <c>scale</c> by
/// <c>factor</c>.</item>
/// <item><c>initialisation</c>: the scheme, the seed, the generator and, per parameter, the distribution
/// it was drawn from (normal with <c>std</c>, uniform in ±<c>bound</c>, or zeros) and the stream.</item>
/// <item>fc only: <c>depth</c>, <c>width</c>, <c>parameterisation</c>, <c>weight_multipliers</c> (m_ℓ),
/// <c>output_multiplier</c> (the whole output scale α·n^(−s)), <c>output_exponent</c> (s) and
/// <c>alpha</c> (α). cnn: <c>channels</c>, <c>pooling</c>; myrtle: <c>depth</c>, <c>channels</c>; uv:
/// <c>width</c> and <c>normaliser</c>.</item>
/// <item><c>parameters</c>: name and shape of every parameter, in the order of <see cref="ParameterVector"/>.</item>
/// </list>
/// </remarks>
public static class ModelDescription
{
    /// <summary>The value of the <c>format</c> key.</summary>
    public const string Format = "sharpness-model-2";

    /// <summary>Describes <paramref name="model"/>.</summary>
    /// <param name="model">A fully connected network, small CNN, Myrtle network or UV module.</param>
    /// <returns>A new JSON object.</returns>
    /// <exception cref="NotSupportedException">Another kind of module.</exception>
    public static JsonObject Describe(NetworkModule model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var description = new JsonObject
        {
            ["format"] = Format,
            ["model"] = Kind(model),
            ["dtype"] = model.DType.ToString().ToLowerInvariant(),
            ["input_shape"] = Numbers(model.InputShape.Select(n => (double)n)),
            ["output_dimension"] = model.OutputDimension,
        };
        switch (model)
        {
            case FullyConnectedNetwork fc:
                DescribeFullyConnected(fc.Config, description);
                break;
            case SmallConvolutionalNetwork cnn:
                DescribeSmallConvolutional(cnn.Config, description);
                break;
            case MyrtleNetwork myrtle:
                DescribeMyrtle(myrtle.Config, description);
                break;
            case UvModule uv:
                DescribeUv(uv, description);
                break;
        }

        description["parameters"] = new JsonArray(ParameterVector.Ordered(model).Select(p => (JsonNode?)new JsonObject
        {
            ["name"] = p.Name,
            ["shape"] = Numbers(p.Parameter.shape.Select(s => (double)s)),
        }).ToArray());
        return description;
    }

    /// <summary>The model kind as the command line names it: fc, cnn, myrtle or uv.</summary>
    /// <param name="model">A model.</param>
    /// <exception cref="NotSupportedException">Another kind of module.</exception>
    public static string Kind(NetworkModule model) => model switch
    {
        FullyConnectedNetwork => "fc",
        SmallConvolutionalNetwork => "cnn",
        MyrtleNetwork => "myrtle",
        UvModule => "uv",
        _ => throw new NotSupportedException($"{model.GetType().Name} has no model description."),
    };

    private static void DescribeFullyConnected(FullyConnectedConfig config, JsonObject description)
    {
        string activation = Name(config.Activation);
        description["activation"] = activation;
        description["bias"] = config.Bias;
        description["depth"] = config.Depth;
        description["width"] = config.Width;
        description["parameterisation"] = config.Parameterisation.Name();
        description["weight_multipliers"] = Numbers(Enumerable.Range(0, config.Depth).Select(config.WeightMultiplier));
        description["alpha"] = config.OutputMultiplier;
        description["output_exponent"] = config.EffectiveOutputExponent;
        description["output_multiplier"] = config.EffectiveOutputMultiplier;
        var forward = new JsonArray();
        var parameters = new JsonObject();
        for (int l = 0; l < config.Depth; l++)
        {
            string weight = $"layers.{l}.weight";
            string? bias = config.Bias ? $"layers.{l}.bias" : null;
            forward.Add(Linear(weight, bias, config.FanIn(l), config.FanOut(l), config.WeightMultiplier(l)));
            if (l < config.Depth - 1 && activation != "linear")
            {
                forward.Add(Op(activation));
            }

            bool zero = l == config.Depth - 1 && config.ZeroReadout;
            AddInitialisation(parameters, weight, bias, config.Initialisation, config.InitialWeightStandardDeviation(l), config.FanIn(l), (ulong)l, zero);
        }

        if (config.EffectiveOutputMultiplier != 1.0)
        {
            forward.Add(new JsonObject { ["op"] = "scale", ["factor"] = config.EffectiveOutputMultiplier });
        }

        description["forward"] = forward;
        description["initialisation"] = Initialisation(config.Initialisation, config.Seed, parameters, config.ZeroReadout);
    }

    private static void DescribeSmallConvolutional(SmallConvolutionalConfig config, JsonObject description)
    {
        string activation = Name(config.Activation);
        description["activation"] = activation;
        description["bias"] = config.Bias;
        description["channels"] = config.Channels;
        description["pooling"] = config.Pooling == Pooling.Max ? "max" : "avg";
        var forward = new JsonArray { Reshape(config.Input) };
        var parameters = new JsonObject();
        int inputChannels = config.Input.Channels;
        for (int l = 0; l < 2; l++)
        {
            int fanIn = Convolution3x3.FanIn(inputChannels);
            string weight = $"convolutions.{l}.weight";
            string? bias = config.Bias ? $"convolutions.{l}.bias" : null;
            forward.Add(Convolution(weight, bias, inputChannels, config.Channels));
            if (activation != "linear")
            {
                forward.Add(Op(activation));
            }

            forward.Add(Pool(config.Pooling == Pooling.Max ? "max_pool2d" : "avg_pool2d"));
            AddInitialisation(parameters, weight, bias, config.Initialisation, Math.Sqrt(config.EffectiveHiddenWeightVariance / fanIn), fanIn, (ulong)l, zero: false);
            inputChannels = config.Channels;
        }

        forward.Add(new JsonObject { ["op"] = "flatten", ["start_dim"] = 1 });
        forward.Add(Linear("readout.weight", config.Bias ? "readout.bias" : null, config.ReadoutFanIn, config.OutputDimension, 1.0));
        AddInitialisation(parameters, "readout.weight", config.Bias ? "readout.bias" : null, config.Initialisation,
            Math.Sqrt(config.ReadoutWeightVariance / config.ReadoutFanIn), config.ReadoutFanIn, 2, zero: false);
        description["forward"] = forward;
        description["initialisation"] = Initialisation(config.Initialisation, config.Seed, parameters, zeroReadout: false);
    }

    private static void DescribeMyrtle(MyrtleConfig config, JsonObject description)
    {
        string activation = Name(config.Activation);
        description["activation"] = activation;
        description["bias"] = config.Bias;
        description["depth"] = config.Depth;
        description["channels"] = config.Channels;
        description["pooling"] = "avg";
        IReadOnlyList<int> stages = config.ConvolutionsPerStage;
        int count = stages.Sum();
        int[] poolAfter = [stages[0] - 1, stages[0] + stages[1] - 1];
        var forward = new JsonArray { Reshape(config.Input) };
        var parameters = new JsonObject();
        int inputChannels = config.Input.Channels;
        for (int i = 0; i < count; i++)
        {
            int fanIn = Convolution3x3.FanIn(inputChannels);
            string weight = $"convolutions.{i}.weight";
            string? bias = config.Bias ? $"convolutions.{i}.bias" : null;
            forward.Add(Convolution(weight, bias, inputChannels, config.Channels));
            if (activation != "linear")
            {
                forward.Add(Op(activation));
            }

            if (poolAfter.Contains(i))
            {
                forward.Add(Pool("avg_pool2d"));
            }

            AddInitialisation(parameters, weight, bias, config.Initialisation, Math.Sqrt(config.EffectiveHiddenWeightVariance / fanIn), fanIn, (ulong)i, zero: false);
            inputChannels = config.Channels;
        }

        forward.Add(new JsonObject { ["op"] = "mean", ["dims"] = Numbers([2, 3]) });
        forward.Add(Linear("readout.weight", config.Bias ? "readout.bias" : null, config.Channels, config.OutputDimension, 1.0));
        AddInitialisation(parameters, "readout.weight", config.Bias ? "readout.bias" : null, config.Initialisation,
            Math.Sqrt(config.ReadoutWeightVariance / config.Channels), config.Channels, (ulong)count, zero: false);
        description["forward"] = forward;
        description["initialisation"] = Initialisation(config.Initialisation, config.Seed, parameters, zeroReadout: false);
    }

    private static void DescribeUv(UvModule uv, JsonObject description)
    {
        description["activation"] = "linear";
        description["bias"] = false;
        description["width"] = uv.Width;
        description["normaliser"] = uv.Normaliser;
        description["forward"] = new JsonArray
        {
            Linear("u", null, uv.InputDimension, uv.Width, 1.0),
            Linear("v", null, uv.Width, 1, 1.0),
            new JsonObject { ["op"] = "scale", ["factor"] = 1.0 / uv.Normaliser },
        };
        description["initialisation"] = new JsonObject
        {
            ["scheme"] = "uv",
            ["description"] = "the UV model's initial weights (UvModelConfig: the weights of UvFullNetwork.Create); the checkpoint holds them",
        };
    }

    private static JsonObject Initialisation(Initialisation scheme, ulong seed, JsonObject parameters, bool zeroReadout) => new()
    {
        ["scheme"] = scheme == Models.Initialisation.Torch ? "torch" : "normal",
        ["description"] = scheme == Models.Initialisation.Torch
            ? "PyTorch's default for nn.Linear and nn.Conv2d: weights and biases uniform in +-1/sqrt(fan_in)"
            : "weights normal with the listed standard deviations, biases zero",
        ["zero_readout"] = zeroReadout,
        ["seed"] = seed,
        ["generator"] = "xoshiro256** seeded through SplitMix64 (Sharpness.Core.Random.DeterministicRandom), one stream per parameter, values drawn row-major: normals by the Marsaglia polar method, uniforms as bound*(2u - 1) from 53-bit u",
        ["parameters"] = parameters,
    };

    private static void AddInitialisation(JsonObject parameters, string weight, string? bias, Initialisation scheme, double normalDeviation, int fanIn, ulong stream, bool zero)
    {
        if (zero)
        {
            parameters[weight] = new JsonObject { ["distribution"] = "zeros" };
            if (bias is not null)
            {
                parameters[bias] = new JsonObject { ["distribution"] = "zeros" };
            }

            return;
        }

        if (scheme == Models.Initialisation.Torch)
        {
            double bound = 1.0 / Math.Sqrt(fanIn);
            parameters[weight] = new JsonObject { ["distribution"] = "uniform", ["bound"] = bound, ["fan_in"] = fanIn, ["stream"] = stream };
            if (bias is not null)
            {
                parameters[bias] = new JsonObject { ["distribution"] = "uniform", ["bound"] = bound, ["fan_in"] = fanIn, ["stream"] = NetworkModule.BiasStreamOffset + stream };
            }

            return;
        }

        parameters[weight] = normalDeviation > 0
            ? new JsonObject { ["distribution"] = "normal", ["std"] = normalDeviation, ["fan_in"] = fanIn, ["stream"] = stream }
            : new JsonObject { ["distribution"] = "zeros" };
        if (bias is not null)
        {
            parameters[bias] = new JsonObject { ["distribution"] = "zeros" };
        }
    }

    private static JsonObject Linear(string weight, string? bias, int inFeatures, int outFeatures, double inputMultiplier) => new()
    {
        ["op"] = "linear",
        ["weight"] = weight,
        ["bias"] = bias,
        ["in_features"] = inFeatures,
        ["out_features"] = outFeatures,
        ["input_multiplier"] = inputMultiplier,
    };

    private static JsonObject Convolution(string weight, string? bias, int inChannels, int outChannels) => new()
    {
        ["op"] = "conv2d",
        ["weight"] = weight,
        ["bias"] = bias,
        ["in_channels"] = inChannels,
        ["out_channels"] = outChannels,
        ["kernel_size"] = 3,
        ["stride"] = 1,
        ["padding"] = 1,
    };

    private static JsonObject Pool(string op) => new() { ["op"] = op, ["kernel_size"] = 2, ["stride"] = 2 };

    private static JsonObject Reshape(ImageShape shape) => new() { ["op"] = "reshape", ["shape"] = Numbers(shape.Dimensions.Select(n => (double)n)) };

    private static JsonObject Op(string name) => new() { ["op"] = name };

    private static string Name(Activation activation) => activation.ToString().ToLowerInvariant();

    private static JsonArray Numbers(IEnumerable<double> values) =>
        new(values.Select(v => (JsonNode?)(v == Math.Floor(v) && Math.Abs(v) < 1e15 ? JsonValue.Create((long)v) : JsonValue.Create(v))).ToArray());
}
