using Sharpness.Nets.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Models;

/// <summary>
/// A network f: R^d → R^k on TorchSharp that maps a batch of inputs [B, d] to outputs [B, k],
/// knows its floating-point type, and can copy itself into another type (float64 for
/// measurements while training runs in float32).
/// </summary>
/// <remarks>
/// Parameters are created from <see cref="Core.Random.DeterministicRandom"/>, never from LibTorch's
/// global generator, so the same seed gives bit-identical weights whatever else has drawn random
/// numbers. Parameter tensors are detached from any ambient dispose scope: a module owns them
/// until it is disposed.
/// </remarks>
public abstract class NetworkModule : nn.Module<Tensor, Tensor>
{
    /// <summary>Initialises the module's name and floating-point type.</summary>
    /// <param name="name">Module name reported by TorchSharp.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not Float32 or Float64.</exception>
    protected NetworkModule(string name, ScalarType dtype)
        : base(name)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Networks are float32 or float64.");
        }

        DType = dtype;
    }

    /// <summary>The floating-point type of every parameter, and of the inputs <c>forward</c> accepts.</summary>
    public ScalarType DType { get; }

    /// <summary>Input features d per example.</summary>
    public abstract int InputDimension { get; }

    /// <summary>Outputs k per example.</summary>
    public abstract int OutputDimension { get; }

    /// <summary>
    /// A deep copy with every parameter converted to <paramref name="dtype"/> (values rounded to
    /// float32 when converting down). The copy shares nothing with this module.
    /// </summary>
    /// <param name="dtype">Float32 or Float64.</param>
    public NetworkModule Clone(ScalarType dtype)
    {
        NetworkModule copy = CreateEmpty(dtype);
        try
        {
            ParameterVector.CopyValues(this, copy);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A module of the same architecture in <paramref name="dtype"/> with all parameters zero
    /// (no random numbers drawn); <see cref="Clone"/> fills it.
    /// </summary>
    /// <param name="dtype">Float32 or Float64.</param>
    protected abstract NetworkModule CreateEmpty(ScalarType dtype);

    /// <summary>
    /// Throws unless <paramref name="input"/> is a batch [B, d] (B ≥ 1, d = <see cref="InputDimension"/>)
    /// of <see cref="DType"/>: checked in managed code because a shape error inside a LibTorch
    /// kernel can take the process down.
    /// </summary>
    /// <param name="input">The batch passed to <c>forward</c>.</param>
    /// <exception cref="ArgumentException">Wrong rank, width or type.</exception>
    protected void ValidateInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2 || input.shape[0] < 1 || input.shape[1] != InputDimension)
        {
            throw new ArgumentException(
                $"{GetName()} expects a batch of shape [B, {InputDimension}] with B ≥ 1, got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        if (input.dtype != DType)
        {
            throw new ArgumentException($"{GetName()} is {DType} but the input is {input.dtype}; convert one of them first.", nameof(input));
        }
    }

    /// <summary>
    /// A parameter holding a copy of <paramref name="values"/> (row-major) with the given shape, detached
    /// from any dispose scope so that the module owns it.
    /// </summary>
    /// <param name="values">Values, length = product of <paramref name="shape"/>.</param>
    /// <param name="shape">Parameter shape.</param>
    /// <param name="dtype">Float32 or Float64.</param>
    protected static TorchSharp.Modules.Parameter CreateParameter(double[] values, long[] shape, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        Tensor data = tensor(values, shape, dtype);
        var parameter = new TorchSharp.Modules.Parameter(data, requires_grad: true);
        parameter.DetachFromDisposeScope();
        return parameter;
    }
}
