using System.Numerics.Tensors;

namespace Sharpness.Core.LinearAlgebra;

/// <summary>
/// A dense symmetric N×N matrix stored row-major, as an <see cref="ILinearOperator"/>.
/// </summary>
public sealed class DenseSymmetricOperator : ILinearOperator
{
    private readonly double[] _entries;

    /// <summary>Wraps a copy of a square symmetric matrix.</summary>
    /// <param name="matrix">Square matrix; must be symmetric to <paramref name="symmetryTolerance"/> (relative to its largest entry).</param>
    /// <param name="symmetryTolerance">Largest allowed |a_ij − a_ji| / max|a|; default 1e-12.</param>
    /// <exception cref="ArgumentException">The matrix is not square, is empty, or is not symmetric.</exception>
    public DenseSymmetricOperator(double[,] matrix, double symmetryTolerance = 1e-12)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.GetLength(0);
        if (n == 0 || matrix.GetLength(1) != n)
        {
            throw new ArgumentException($"Expected a non-empty square matrix, got {matrix.GetLength(0)}×{matrix.GetLength(1)}.", nameof(matrix));
        }

        Size = n;
        _entries = new double[n * n];
        double scale = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                _entries[i * n + j] = matrix[i, j];
                scale = Math.Max(scale, Math.Abs(matrix[i, j]));
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                if (Math.Abs(matrix[i, j] - matrix[j, i]) > symmetryTolerance * Math.Max(scale, double.Epsilon))
                {
                    throw new ArgumentException($"Matrix is not symmetric: a[{i},{j}] = {matrix[i, j]} but a[{j},{i}] = {matrix[j, i]}.", nameof(matrix));
                }
            }
        }
    }

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>Entry a_ij.</summary>
    public double this[int i, int j] => _entries[i * Size + j];

    /// <summary>A copy of the matrix as a two-dimensional array.</summary>
    public double[,] ToArray()
    {
        var result = new double[Size, Size];
        for (int i = 0; i < Size; i++)
        {
            for (int j = 0; j < Size; j++)
            {
                result[i, j] = _entries[i * Size + j];
            }
        }

        return result;
    }

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<double> input, Span<double> output)
    {
        if (input.Length != Size || output.Length != Size)
        {
            throw new ArgumentException($"Expected vectors of length {Size}, got input {input.Length} and output {output.Length}.");
        }

        ReadOnlySpan<double> entries = _entries;
        for (int i = 0; i < Size; i++)
        {
            output[i] = TensorPrimitives.Dot(entries.Slice(i * Size, Size), input);
        }
    }
}
