using System.Numerics.Tensors;

namespace Sharpness.Core.Eigen;

/// <summary>Vector kernels shared by the solvers; all work in place without allocating.</summary>
internal static class VectorOps
{
    /// <summary>
    /// One classical Gram–Schmidt pass: <c>coefficients[i] = ⟨basis[i], w⟩</c> for i &lt; <paramref name="count"/>,
    /// then <c>w −= Σ coefficients[i] · basis[i]</c>.
    /// </summary>
    public static void ProjectOut(double[][] basis, int count, Span<double> w, Span<double> coefficients)
    {
        for (int i = 0; i < count; i++)
        {
            coefficients[i] = TensorPrimitives.Dot<double>(basis[i], w);
        }

        for (int i = 0; i < count; i++)
        {
            if (coefficients[i] != 0)
            {
                TensorPrimitives.MultiplyAdd<double>(basis[i], -coefficients[i], w, w);
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="w"/> a unit vector orthogonal to <c>basis[0..count)</c> (up to three Gram–Schmidt passes).
    /// Returns false, leaving <paramref name="w"/> unspecified, when it lies numerically in the span of the basis.
    /// </summary>
    public static bool OrthonormalizeAgainst(double[][] basis, int count, Span<double> w, Span<double> scratch)
    {
        double original = TensorPrimitives.Norm<double>(w);
        if (!(original > 0) || !double.IsFinite(original))
        {
            return false;
        }

        double norm = original;
        for (int pass = 0; pass < 3 && count > 0; pass++)
        {
            ProjectOut(basis, count, w, scratch);
            double next = TensorPrimitives.Norm<double>(w);
            bool settled = next > 0.5 * norm;
            norm = next;
            if (settled && pass >= 1)
            {
                break;
            }
        }

        if (!(norm > 1e-10 * original))
        {
            return false;
        }

        TensorPrimitives.Divide<double>(w, norm, w);
        return true;
    }

    /// <summary>
    /// <c>destination = Σ_{l &lt; count} vectors[l] · coefficients[l · stride + column]</c>, i.e. the basis times one
    /// column of a row-major coefficient matrix.
    /// </summary>
    public static void Combine(double[][] vectors, int count, ReadOnlySpan<double> coefficients, int stride, int column, Span<double> destination)
    {
        destination.Clear();
        for (int l = 0; l < count; l++)
        {
            double c = coefficients[l * stride + column];
            if (c != 0)
            {
                TensorPrimitives.MultiplyAdd<double>(vectors[l], c, destination, destination);
            }
        }
    }

    /// <summary>
    /// Replaces <c>vectors[0..outputs)</c> by <c>vectors[0..count) · C[:, columns[0..outputs)]</c> in place
    /// (C row-major with <paramref name="stride"/>), processing rows in blocks through <paramref name="block"/>
    /// (length ≥ count · blockRows) so that no full-length temporary is needed.
    /// </summary>
    public static void TransformInPlace(
        double[][] vectors,
        int count,
        ReadOnlySpan<double> coefficients,
        int stride,
        ReadOnlySpan<int> columns,
        Span<double> block,
        int blockRows)
    {
        int n = vectors[0].Length;
        int outputs = columns.Length;
        for (int r0 = 0; r0 < n; r0 += blockRows)
        {
            int len = Math.Min(blockRows, n - r0);
            for (int l = 0; l < count; l++)
            {
                vectors[l].AsSpan(r0, len).CopyTo(block.Slice(l * blockRows, len));
            }

            for (int i = 0; i < outputs; i++)
            {
                Span<double> dst = vectors[i].AsSpan(r0, len);
                dst.Clear();
                for (int l = 0; l < count; l++)
                {
                    double c = coefficients[l * stride + columns[i]];
                    if (c != 0)
                    {
                        TensorPrimitives.MultiplyAdd<double>(block.Slice(l * blockRows, len), c, dst, dst);
                    }
                }
            }
        }
    }
}
