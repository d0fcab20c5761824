using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Training;

/// <summary>
/// A set of N examples as two tensors: inputs [N, d] (floating point) and targets in the form the
/// loss expects ([N, k] floating point for squared error, class indices [N] of type Int64 for
/// cross-entropy). The set refers to the caller's tensors and never disposes them; they must stay
/// alive while it is in use.
/// </summary>
/// <param name="Inputs">Inputs [N, d], N ≥ 1.</param>
/// <param name="Targets">Targets for the N inputs, as <see cref="LossFunction.ValidateTargets"/> requires.</param>
public sealed record ExampleSet(Tensor Inputs, Tensor Targets)
{
    /// <summary>Number of examples N (the first dimension of <see cref="Inputs"/>).</summary>
    public int Count => checked((int)Inputs.shape[0]);

    /// <summary>
    /// Throws unless the inputs are a floating-point batch [N, d] with N ≥ 1 and d =
    /// <see cref="NetworkModule.InputDimension"/> of <paramref name="model"/>, and the targets fit
    /// <paramref name="loss"/>: checked in managed code before any LibTorch kernel sees the data.
    /// </summary>
    /// <param name="model">The network the examples are fed to.</param>
    /// <param name="loss">The loss the targets are used with.</param>
    /// <param name="name">The argument name reported in exceptions about the inputs.</param>
    /// <exception cref="ArgumentException">A shape or type does not fit.</exception>
    public void Validate(NetworkModule model, LossFunction loss, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        if (Inputs is null || Targets is null)
        {
            throw new ArgumentException("Inputs and targets must both be given.", name);
        }

        if (Inputs.dim() != 2 || Inputs.shape[0] < 1 || Inputs.shape[1] != model.InputDimension)
        {
            throw new ArgumentException(
                $"Inputs must have shape [N, {model.InputDimension}] with N ≥ 1, got [{string.Join(", ", Inputs.shape)}].", name);
        }

        if (!Inputs.is_floating_point())
        {
            throw new ArgumentException($"Inputs must be floating point, got {Inputs.dtype}.", name);
        }

        if (Inputs.shape[0] > int.MaxValue)
        {
            throw new ArgumentException($"At most {int.MaxValue} examples are supported, got {Inputs.shape[0]}.", name);
        }

        loss.ValidateTargets(Targets, Inputs.shape[0], model.OutputDimension);
    }
}
