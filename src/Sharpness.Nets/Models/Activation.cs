using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>Elementwise nonlinearity between the layers of a <see cref="FullyConnectedNetwork"/>.</summary>
public enum Activation
{
    /// <summary>tanh(z).</summary>
    Tanh,

    /// <summary>max(z, 0).</summary>
    Relu,

    /// <summary>z for z &gt; 0, e^z − 1 otherwise (α = 1).</summary>
    Elu,

    /// <summary>The identity: a deep linear network.</summary>
    Linear,
}

/// <summary>Evaluation and initialisation constants of <see cref="Activation"/>.</summary>
public static class ActivationExtensions
{
    /// <summary>Applies the nonlinearity elementwise (a new tensor, or the input itself for <see cref="Activation.Linear"/>).</summary>
    /// <param name="activation">Which nonlinearity.</param>
    /// <param name="z">Pre-activations.</param>
    public static Tensor Apply(this Activation activation, Tensor z) => activation switch
    {
        Activation.Tanh => tanh(z),
        Activation.Relu => nn.functional.relu(z),
        Activation.Elu => nn.functional.elu(z, 1.0),
        Activation.Linear => z,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>
    /// The weight variance σ_w² of the standard parameterisation for hidden layers: 2 for ReLU (He),
    /// 1 otherwise (real-networks.md, "Parameterisation definitions").
    /// </summary>
    /// <param name="activation">Which nonlinearity.</param>
    public static double StandardHiddenVariance(this Activation activation) => activation == Activation.Relu ? 2.0 : 1.0;
}
