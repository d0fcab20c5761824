using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// The small CNN of the edge-of-stability experiments (<see cref="SmallConvolutionalConfig"/>):
/// [conv 3×3 → φ → pool 2×2] twice, flatten, linear readout, as Cohen et al.'s "cnn" networks.
/// Standard parameterisation: convolution weights N(0, σ_w²/(9·C_in)), readout weights
/// N(0, σ_r²/fan_in), biases zero, all drawn from the seeded generator.
/// </summary>
/// <remarks>
/// Takes batches [B, C, H, W] or flattened [B, C·H·W] (row-major channel, row, column; the layout of
/// <see cref="Data.Dataset"/> inputs). Parameters: "convolutions.{0,1}.weight" [C_out, C_in, 3, 3],
/// "convolutions.{0,1}.bias" [C_out], "readout.weight" [k, C·⌊H/4⌋·⌊W/4⌋], "readout.bias" [k];
/// the readout reads the pooled maps flattened in (channel, row, column) order.
/// </remarks>
public sealed class SmallConvolutionalNetwork : NetworkModule
{
    private readonly ModuleList<Convolution3x3> _convolutions;
    private readonly Linear _readout;

    /// <summary>Creates the network and draws its weights from <see cref="SmallConvolutionalConfig.Seed"/>.</summary>
    /// <param name="config">Architecture and initialisation; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">The configuration is invalid.</exception>
    public SmallConvolutionalNetwork(SmallConvolutionalConfig config)
        : this(config, draw: true)
    {
    }

    private SmallConvolutionalNetwork(SmallConvolutionalConfig config, bool draw)
        : base(nameof(SmallConvolutionalNetwork), Validated(config).DType)
    {
        Config = config;
        var convolutions = new Convolution3x3[2];
        int inputChannels = config.Input.Channels;
        for (int l = 0; l < convolutions.Length; l++)
        {
            int fanIn = Convolution3x3.FanIn(inputChannels);
            var (weight, bias) = CreateLayerParameters(
                [config.Channels, inputChannels, 3, 3], fanIn, config.Bias, config.Initialisation,
                Math.Sqrt(config.EffectiveHiddenWeightVariance / fanIn), config.Seed, (ulong)l, config.DType, draw);
            convolutions[l] = new Convolution3x3(weight, bias);
            inputChannels = config.Channels;
        }

        var (readoutWeight, readoutBias) = CreateLayerParameters(
            [config.OutputDimension, config.ReadoutFanIn], config.ReadoutFanIn, config.Bias, config.Initialisation,
            Math.Sqrt(config.ReadoutWeightVariance / config.ReadoutFanIn), config.Seed, 2, config.DType, draw);
        _convolutions = nn.ModuleList(convolutions);
        _readout = nn.Linear(readoutWeight, readoutBias);
        register_module("convolutions", _convolutions);
        register_module("readout", _readout);
    }

    /// <summary>The configuration the network was built from.</summary>
    public SmallConvolutionalConfig Config { get; }

    /// <inheritdoc />
    public override int InputDimension => Config.Input.FeatureCount;

    /// <inheritdoc />
    public override int OutputDimension => Config.OutputDimension;

    /// <summary>[C, H, W] of <see cref="SmallConvolutionalConfig.Input"/>.</summary>
    public override IReadOnlyList<int> InputShape => Config.Input.Dimensions;

    /// <summary>Outputs [B, k] for inputs [B, C, H, W] or [B, C·H·W] of <see cref="NetworkModule.DType"/>.</summary>
    /// <param name="input">A batch of images.</param>
    /// <exception cref="ArgumentException">Wrong shape or type.</exception>
    public override Tensor forward(Tensor input)
    {
        Tensor x = ToInputShape(input);
        foreach (var convolution in _convolutions)
        {
            x = Pool(Config.Activation.Apply(convolution.forward(x)));
        }

        return _readout.forward(x.flatten(1));
    }

    /// <inheritdoc />
    protected override NetworkModule CreateEmpty(ScalarType dtype) => new SmallConvolutionalNetwork(Config with { DType = dtype }, draw: false);

    private Tensor Pool(Tensor x) => Config.Pooling == Pooling.Max
        ? nn.functional.max_pool2d(x, kernel_size: 2)
        : nn.functional.avg_pool2d(x, kernel_size: 2);

    private static SmallConvolutionalConfig Validated(SmallConvolutionalConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return config;
    }
}
