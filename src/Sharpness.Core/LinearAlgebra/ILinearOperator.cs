namespace Sharpness.Core.LinearAlgebra;

/// <summary>
/// A square linear operator known only through its action on vectors (matrix-free).
/// Eigen-solvers take an operator, never a model: the same solver runs on a dense matrix,
/// the UV model's exact Hessian and an autograd Hessian of a network.
/// </summary>
/// <remarks>
/// Implementations used with the symmetric solvers must be symmetric: for all x, y,
/// yᵀ(Ax) = xᵀ(Ay) up to rounding. <see cref="Apply"/> must not retain the spans and must
/// fully overwrite <c>output</c>.
/// </remarks>
public interface ILinearOperator
{
    /// <summary>Dimension N of the space the operator acts on (the matrix is N×N).</summary>
    int Size { get; }

    /// <summary>Computes <c>output = A · input</c>. Both spans have length <see cref="Size"/> and do not overlap.</summary>
    /// <param name="input">The vector x, length <see cref="Size"/>.</param>
    /// <param name="output">Receives A x, length <see cref="Size"/>.</param>
    void Apply(ReadOnlySpan<double> input, Span<double> output);
}
