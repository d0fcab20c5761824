using Sharpness.Core.Random;
using Sharpness.Nets.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// A fully connected network f(x) = α n^(−s) (m_L W_L φ(… φ(m_1 W_1 x + b_1) …) + b_L)
/// (<see cref="FullyConnectedConfig"/>): in the standard parameterisation (the default) all
/// multipliers are 1 and W_ℓ ~ N(0, σ²/fan_in) with zero biases, or, under
/// <see cref="Initialisation.Torch"/>, weights and biases uniform in ±1/√fan_in; NTP and Yang &amp;
/// Hu's μP move part of the scale into the fixed multipliers m_ℓ (<see cref="NetworkParameterisation"/>).
/// </summary>
/// <remarks>
/// Parameters are named "layers.{ℓ}.weight" ([fan_out, fan_in]) and "layers.{ℓ}.bias" ([fan_out]),
/// whatever the parameterisation; they are the stored weights W_ℓ, not m_ℓ W_ℓ.
/// </remarks>
public sealed class FullyConnectedNetwork : NetworkModule
{
    private readonly ModuleList<Linear> _layers;
    private readonly Activation _activation;
    private readonly double[] _multipliers;
    private readonly double _outputMultiplier;

    /// <summary>Creates the network and draws its weights from <see cref="FullyConnectedConfig.Seed"/>.</summary>
    /// <param name="config">Architecture and initialisation; validated here.</param>
    public FullyConnectedNetwork(FullyConnectedConfig config)
        : this(config, draw: true)
    {
    }

    private FullyConnectedNetwork(FullyConnectedConfig config, bool draw)
        : base(nameof(FullyConnectedNetwork), Validated(config).DType)
    {
        Config = config;
        _activation = config.Activation;
        _multipliers = new double[config.Depth];
        _outputMultiplier = config.EffectiveOutputMultiplier;
        var layers = new Linear[config.Depth];
        for (int l = 0; l < config.Depth; l++)
        {
            var (weight, bias) = CreateLayerParameters(
                [config.FanOut(l), config.FanIn(l)], config.FanIn(l), config.Bias, config.Initialisation,
                config.InitialWeightStandardDeviation(l), config.Seed, (ulong)l, config.DType, draw,
                zero: l == config.Depth - 1 && config.ZeroReadout);
            _multipliers[l] = config.WeightMultiplier(l);
            layers[l] = nn.Linear(weight, bias);
        }

        _layers = nn.ModuleList(layers);
        register_module("layers", _layers);
    }

    /// <summary>The configuration the network was built from.</summary>
    public FullyConnectedConfig Config { get; }

    /// <inheritdoc />
    public override int InputDimension => Config.InputDimension;

    /// <inheritdoc />
    public override int OutputDimension => Config.OutputDimension;

    /// <summary>Outputs [B, k] for inputs [B, d] of <see cref="NetworkModule.DType"/>.</summary>
    /// <param name="input">A batch [B, d].</param>
    /// <exception cref="ArgumentException">Wrong shape or type.</exception>
    public override Tensor forward(Tensor input)
    {
        ValidateInput(input);
        Tensor x = input;
        for (int l = 0; l < _layers.Count; l++)
        {
            // m W h + b = W (m h) + b; a multiplier of exactly 1 is skipped.
            x = _layers[l].forward(_multipliers[l] == 1.0 ? x : x.MulBy(_multipliers[l]));
            if (l < _layers.Count - 1)
            {
                x = _activation.Apply(x);
            }
        }

        return _outputMultiplier == 1.0 ? x : x.MulBy(_outputMultiplier);
    }

    /// <inheritdoc />
    protected override NetworkModule CreateEmpty(ScalarType dtype) => new FullyConnectedNetwork(Config with { DType = dtype }, draw: false);

    private static FullyConnectedConfig Validated(FullyConnectedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return config;
    }
}
