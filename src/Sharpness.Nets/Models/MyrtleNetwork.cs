using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// A Myrtle CNN (<see cref="MyrtleConfig"/>): stage 1 of [conv 3×3 → φ] blocks, 2×2 average pool,
/// stage 2, 2×2 average pool, stage 3, global average pool, linear readout. Standard
/// parameterisation: convolution weights N(0, σ_w²/(9·C_in)), readout weights N(0, σ_r²/C), biases
/// zero, all drawn from the seeded generator.
/// </summary>
/// <remarks>
/// <para>
/// The original network ends with three 2×2 average poolings on 8×8 maps of a 32×32 input, which
/// is exactly a global average; a global average is used here so that other image sizes
/// (28×28, tiny test images) work too.
/// </para>
/// <para>
/// Takes batches [B, C, H, W] or flattened [B, C·H·W] (row-major channel, row, column).
/// Parameters: "convolutions.{i}.weight" [C_out, C_in, 3, 3] and "convolutions.{i}.bias" [C_out]
/// for i = 0 … Depth − 2 in the order they are applied, "readout.weight" [k, C], "readout.bias" [k].
/// </para>
/// </remarks>
public sealed class MyrtleNetwork : NetworkModule
{
    private readonly ModuleList<Convolution3x3> _convolutions;
    private readonly Linear _readout;
    private readonly HashSet<int> _poolAfter;

    /// <summary>Creates the network and draws its weights from <see cref="MyrtleConfig.Seed"/>.</summary>
    /// <param name="config">Architecture and initialisation; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">The configuration is invalid.</exception>
    public MyrtleNetwork(MyrtleConfig config)
        : this(config, draw: true)
    {
    }

    private MyrtleNetwork(MyrtleConfig config, bool draw)
        : base(nameof(MyrtleNetwork), Validated(config).DType)
    {
        Config = config;
        IReadOnlyList<int> stages = config.ConvolutionsPerStage;
        int count = stages.Sum();
        // 2×2 average pooling after the last convolution of stages 1 and 2.
        _poolAfter = [stages[0] - 1, stages[0] + stages[1] - 1];
        var convolutions = new Convolution3x3[count];
        int inputChannels = config.Input.Channels;
        for (int i = 0; i < count; i++)
        {
            int fanIn = Convolution3x3.FanIn(inputChannels);
            var (weight, bias) = CreateLayerParameters(
                [config.Channels, inputChannels, 3, 3], fanIn, config.Bias, config.Initialisation,
                Math.Sqrt(config.EffectiveHiddenWeightVariance / fanIn), config.Seed, (ulong)i, config.DType, draw);
            convolutions[i] = new Convolution3x3(weight, bias);
            inputChannels = config.Channels;
        }

        var (readoutWeight, readoutBias) = CreateLayerParameters(
            [config.OutputDimension, config.Channels], config.Channels, config.Bias, config.Initialisation,
            Math.Sqrt(config.ReadoutWeightVariance / config.Channels), config.Seed, (ulong)count, config.DType, draw);
        _convolutions = nn.ModuleList(convolutions);
        _readout = nn.Linear(readoutWeight, readoutBias);
        register_module("convolutions", _convolutions);
        register_module("readout", _readout);
    }

    /// <summary>The configuration the network was built from.</summary>
    public MyrtleConfig Config { get; }

    /// <inheritdoc />
    public override int InputDimension => Config.Input.FeatureCount;

    /// <inheritdoc />
    public override int OutputDimension => Config.OutputDimension;

    /// <summary>[C, H, W] of <see cref="MyrtleConfig.Input"/>.</summary>
    public override IReadOnlyList<int> InputShape => Config.Input.Dimensions;

    /// <summary>Outputs [B, k] for inputs [B, C, H, W] or [B, C·H·W] of <see cref="NetworkModule.DType"/>.</summary>
    /// <param name="input">A batch of images.</param>
    /// <exception cref="ArgumentException">Wrong shape or type.</exception>
    public override Tensor forward(Tensor input)
    {
        Tensor x = ToInputShape(input);
        for (int i = 0; i < _convolutions.Count; i++)
        {
            x = Config.Activation.Apply(_convolutions[i].forward(x));
            if (_poolAfter.Contains(i))
            {
                x = nn.functional.avg_pool2d(x, kernel_size: 2);
            }
        }

        return _readout.forward(x.mean([2, 3]));
    }

    /// <inheritdoc />
    protected override NetworkModule CreateEmpty(ScalarType dtype) => new MyrtleNetwork(Config with { DType = dtype }, draw: false);

    private static MyrtleConfig Validated(MyrtleConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return config;
    }
}
