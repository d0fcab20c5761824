using System.Numerics.Tensors;

namespace Sharpness.Core.LinearAlgebra;

/// <summary>
/// The operator <c>scale · A + shift · I</c> built on top of another operator A, without forming any matrix.
/// Used for spectral shifts (turning the smallest end of a spectrum into the largest) and in tests
/// (scaling and shifting a known spectrum).
/// </summary>
/// <remarks>
/// Every <see cref="Apply"/> calls <see cref="Inner"/>.<see cref="ILinearOperator.Apply"/> exactly once,
/// so matrix-vector products counted on the inner operator equal those counted on this one.
/// If A is symmetric, so is this operator; its eigenvalues are <c>scale · λ + shift</c> with the same eigenvectors.
/// </remarks>
public sealed class ScaledOperator : ILinearOperator
{
    /// <summary>Creates the operator <c>scale · inner + shift · I</c>.</summary>
    /// <param name="inner">The operator A.</param>
    /// <param name="scale">Finite factor α multiplying A.</param>
    /// <param name="shift">Finite multiple σ of the identity added to α·A; default 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="inner"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scale"/> or <paramref name="shift"/> is NaN or infinite.</exception>
    public ScaledOperator(ILinearOperator inner, double scale, double shift = 0)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!double.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite.");
        }

        if (!double.IsFinite(shift))
        {
            throw new ArgumentOutOfRangeException(nameof(shift), shift, "The shift must be finite.");
        }

        Inner = inner;
        Scale = scale;
        Shift = shift;
    }

    /// <summary>The wrapped operator A.</summary>
    public ILinearOperator Inner { get; }

    /// <summary>The factor α multiplying A.</summary>
    public double Scale { get; }

    /// <summary>The multiple σ of the identity added to α·A.</summary>
    public double Shift { get; }

    /// <inheritdoc />
    public int Size => Inner.Size;

    /// <inheritdoc />
    /// <remarks>Computes <c>output = α · (A · input) + σ · input</c> with one application of <see cref="Inner"/>.</remarks>
    public void Apply(ReadOnlySpan<double> input, Span<double> output)
    {
        Inner.Apply(input, output);
        if (Scale != 1.0)
        {
            TensorPrimitives.Multiply(output, Scale, output);
        }

        if (Shift != 0.0)
        {
            TensorPrimitives.MultiplyAdd(input, Shift, output, output);
        }
    }
}
