namespace Sharpness.Nets.Models;

/// <summary>
/// How a network's weights and biases are drawn at initialisation. Both draw from the toolkit's own
/// seeded generator (<see cref="Core.Random.DeterministicRandom"/>), never from LibTorch's, so the
/// same seed gives bit-identical weights on every machine.
/// </summary>
public enum Initialisation
{
    /// <summary>
    /// Gaussian weights: in the standard parameterisation N(0, σ²/fan_in) (σ² = 2 for ReLU hidden
    /// layers, 1 otherwise and for the readout), scaled as the parameterisation says; biases zero. The
    /// convention of Kalra &amp; Barkeshli's code (flax <c>variance_scaling(σ², "fan_in", "normal")</c>,
    /// zero biases). The default.
    /// </summary>
    Normal,

    /// <summary>
    /// PyTorch's default for <c>nn.Linear</c> and <c>nn.Conv2d</c> (kaiming-uniform with a = √5):
    /// weights and biases independently uniform in [−1/√fan_in, 1/√fan_in], fan_in = in_features for a
    /// linear layer and in_channels·k·k for a k×k convolution. The weight variance is 1/(3 fan_in).
    /// Cohen et al.'s edge-of-stability code initialises this way. Only for the standard
    /// parameterisation (and its output-scaled μP), with no variance overrides.
    /// </summary>
    Torch,
}
