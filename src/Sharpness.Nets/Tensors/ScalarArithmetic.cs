using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tensors;

/// <summary>
/// Tensor arithmetic that involves a number, keeping the number's native <see cref="Scalar"/> alive until LibTorch has
/// used it. Some TorchSharp methods create such numbers themselves (<c>add(t)</c> passes an implicit alpha of 1,
/// <c>square()</c> is <c>pow(2)</c>); the helpers here avoid those too.
/// </summary>
/// <remarks>
/// In TorchSharp 0.107 <c>tensor.mul(0.5)</c> converts 0.5 into a <see cref="Scalar"/> that nothing references once
/// its handle has been read, so the garbage collector may finalise it (freeing the native scalar) while the native
/// call still reads it; LibTorch then fails with "Unknown scalar type", or worse. It is rare but happens in long
/// runs that allocate many tensors. These helpers hold the scalar in a local until the call has returned and then
/// dispose it.
/// </remarks>
internal static class ScalarArithmetic
{
    /// <summary><paramref name="tensor"/> · <paramref name="value"/>.</summary>
    public static Tensor MulBy(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.mul(scalar);
    }

    /// <summary><paramref name="tensor"/> / <paramref name="value"/>.</summary>
    public static Tensor DivBy(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.div(scalar);
    }

    /// <summary>In place: <paramref name="tensor"/> ← <paramref name="tensor"/> · <paramref name="value"/>.</summary>
    public static Tensor MulByInPlace(this Tensor tensor, double value)
    {
        using Scalar scalar = value.ToScalar();
        return tensor.mul_(scalar);
    }

    /// <summary><paramref name="tensor"/> + <paramref name="other"/>.</summary>
    public static Tensor Plus(this Tensor tensor, Tensor other)
    {
        using Scalar one = 1.0.ToScalar();
        return tensor.add(other, one);
    }

    /// <summary>In place: <paramref name="tensor"/> ← <paramref name="tensor"/> + <paramref name="other"/>.</summary>
    public static Tensor AddInPlace(this Tensor tensor, Tensor other)
    {
        using Scalar one = 1.0.ToScalar();
        return tensor.add_(other, one);
    }

    /// <summary>Element-wise square, as a product (no scalar exponent).</summary>
    public static Tensor Squared(this Tensor tensor) => tensor.mul(tensor);

    /// <summary>In place: <paramref name="tensor"/> ← <paramref name="tensor"/> + <paramref name="alpha"/> · <paramref name="other"/>.</summary>
    public static Tensor AddScaledInPlace(this Tensor tensor, Tensor other, double alpha)
    {
        using Scalar scalar = alpha.ToScalar();
        return tensor.add_(other, scalar);
    }
}
