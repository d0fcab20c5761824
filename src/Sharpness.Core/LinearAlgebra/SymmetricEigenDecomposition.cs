namespace Sharpness.Core.LinearAlgebra;

/// <summary>
/// Dense eigen-decomposition of a small real symmetric matrix: Householder reduction to
/// tridiagonal form followed by the implicit QL algorithm (the classical tred2/tql2 pair).
/// Intended for projected matrices inside iterative solvers and for test oracles; cost is O(n³).
/// </summary>
public static class SymmetricEigenDecomposition
{
    private const int MaxSweepsPerEigenvalue = 60;

    /// <summary>
    /// Computes all eigenvalues and orthonormal eigenvectors of the symmetric matrix A.
    /// </summary>
    /// <param name="symmetric">
    /// A non-empty square matrix with finite entries. Only its symmetric part (A + Aᵀ)/2 is used,
    /// so a matrix that is symmetric up to rounding is accepted as is. The input is not modified.
    /// </param>
    /// <returns>
    /// <c>Values</c>: the n eigenvalues in ascending order.
    /// <c>Vectors</c>: an n×n orthogonal matrix whose column j, <c>Vectors[·, j]</c>, is a unit eigenvector for <c>Values[j]</c>.
    /// Eigenvectors are determined up to sign (and, for repeated eigenvalues, up to a rotation within the eigenspace).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="symmetric"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="symmetric"/> is empty, not square, or has a NaN or infinite entry.</exception>
    /// <exception cref="ArithmeticException">The QL iteration failed to converge (not expected for finite input).</exception>
    public static (double[] Values, double[,] Vectors) Decompose(double[,] symmetric)
    {
        ArgumentNullException.ThrowIfNull(symmetric);
        int n = symmetric.GetLength(0);
        if (n == 0 || symmetric.GetLength(1) != n)
        {
            throw new ArgumentException(
                $"Expected a non-empty square matrix, got {symmetric.GetLength(0)}×{symmetric.GetLength(1)}.",
                nameof(symmetric));
        }

        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double x = symmetric[i, j];
                if (!double.IsFinite(x))
                {
                    throw new ArgumentException($"Entry [{i},{j}] is {x}; all entries must be finite.", nameof(symmetric));
                }

                a[i * n + j] = x;
            }
        }

        var values = new double[n];
        var vectorsFlat = new double[n * n];
        DecomposeCore(a, n, values, vectorsFlat);

        var vectors = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                vectors[i, j] = vectorsFlat[i * n + j];
            }
        }

        return (values, vectors);
    }

    /// <summary>
    /// Decomposes the symmetric part of the row-major n×n matrix <paramref name="a"/> (finite entries, not modified).
    /// On return <paramref name="values"/> holds the eigenvalues ascending and <paramref name="vectors"/> (row-major n×n)
    /// holds the matching unit eigenvectors as columns.
    /// </summary>
    internal static void DecomposeCore(ReadOnlySpan<double> a, int n, Span<double> values, Span<double> vectors)
    {
        // Symmetrise and scale by a power of two (exact) so that intermediate sums cannot overflow.
        double maxAbs = 0;
        for (int i = 0; i < n * n; i++)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(a[i]));
        }

        if (maxAbs == 0)
        {
            values[..n].Clear();
            vectors[..(n * n)].Clear();
            for (int i = 0; i < n; i++)
            {
                vectors[i * n + i] = 1.0;
            }

            return;
        }

        int exponent = Math.ILogB(maxAbs);
        double down = Math.ScaleB(1.0, -exponent);
        Span<double> v = vectors[..(n * n)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double x = 0.5 * (a[i * n + j] + a[j * n + i]) * down;
                v[i * n + j] = x;
                v[j * n + i] = x;
            }
        }

        Span<double> d = values[..n];
        var e = new double[n];
        Tridiagonalize(v, d, e, n);
        DiagonalizeTridiagonal(v, d, e, n);

        double up = Math.ScaleB(1.0, exponent);
        for (int i = 0; i < n; i++)
        {
            d[i] *= up;
        }
    }

    // Householder reduction of the symmetric matrix in v (row-major) to tridiagonal form;
    // on exit d is the diagonal, e[1..n-1] the sub-diagonal, and v the accumulated orthogonal transformation.
    private static void Tridiagonalize(Span<double> v, Span<double> d, Span<double> e, int n)
    {
        for (int j = 0; j < n; j++)
        {
            d[j] = v[(n - 1) * n + j];
        }

        for (int i = n - 1; i > 0; i--)
        {
            double scale = 0.0;
            double h = 0.0;
            for (int k = 0; k < i; k++)
            {
                scale += Math.Abs(d[k]);
            }

            if (scale == 0.0)
            {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++)
                {
                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0.0;
                    v[j * n + i] = 0.0;
                }
            }
            else
            {
                for (int k = 0; k < i; k++)
                {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }

                double f = d[i - 1];
                double g = Math.Sqrt(h);
                if (f > 0)
                {
                    g = -g;
                }

                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++)
                {
                    e[j] = 0.0;
                }

                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    v[j * n + i] = f;
                    g = e[j] + v[j * n + j] * f;
                    for (int k = j + 1; k <= i - 1; k++)
                    {
                        g += v[k * n + j] * d[k];
                        e[k] += v[k * n + j] * f;
                    }

                    e[j] = g;
                }

                f = 0.0;
                for (int j = 0; j < i; j++)
                {
                    e[j] /= h;
                    f += e[j] * d[j];
                }

                double hh = f / (h + h);
                for (int j = 0; j < i; j++)
                {
                    e[j] -= hh * d[j];
                }

                for (int j = 0; j < i; j++)
                {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++)
                    {
                        v[k * n + j] -= f * e[k] + g * d[k];
                    }

                    d[j] = v[(i - 1) * n + j];
                    v[i * n + j] = 0.0;
                }
            }

            d[i] = h;
        }

        // Accumulate the transformations.
        for (int i = 0; i < n - 1; i++)
        {
            v[(n - 1) * n + i] = v[i * n + i];
            v[i * n + i] = 1.0;
            double h = d[i + 1];
            if (h != 0.0)
            {
                for (int k = 0; k <= i; k++)
                {
                    d[k] = v[k * n + i + 1] / h;
                }

                for (int j = 0; j <= i; j++)
                {
                    double g = 0.0;
                    for (int k = 0; k <= i; k++)
                    {
                        g += v[k * n + i + 1] * v[k * n + j];
                    }

                    for (int k = 0; k <= i; k++)
                    {
                        v[k * n + j] -= g * d[k];
                    }
                }
            }

            for (int k = 0; k <= i; k++)
            {
                v[k * n + i + 1] = 0.0;
            }
        }

        for (int j = 0; j < n; j++)
        {
            d[j] = v[(n - 1) * n + j];
            v[(n - 1) * n + j] = 0.0;
        }

        v[(n - 1) * n + n - 1] = 1.0;
        e[0] = 0.0;
    }

    // Implicit QL iteration on the tridiagonal matrix (d, e), applying the rotations to v;
    // finishes by sorting eigenvalues ascending together with their columns.
    private static void DiagonalizeTridiagonal(Span<double> v, Span<double> d, Span<double> e, int n)
    {
        for (int i = 1; i < n; i++)
        {
            e[i - 1] = e[i];
        }

        e[n - 1] = 0.0;

        double f = 0.0;
        double tst1 = 0.0;
        const double eps = 2.220446049250313e-16; // 2^-52
        for (int l = 0; l < n; l++)
        {
            tst1 = Math.Max(tst1, Math.Abs(d[l]) + Math.Abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.Abs(e[m]) > eps * tst1)
            {
                m++;
            }

            if (m > l)
            {
                int sweeps = 0;
                do
                {
                    if (++sweeps > MaxSweepsPerEigenvalue)
                    {
                        throw new ArithmeticException("The implicit QL iteration did not converge.");
                    }

                    double g = d[l];
                    double p = (d[l + 1] - g) / (2.0 * e[l]);
                    double r = Hypot(p, 1.0);
                    if (p < 0)
                    {
                        r = -r;
                    }

                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++)
                    {
                        d[i] -= h;
                    }

                    f += h;

                    p = d[m];
                    double c = 1.0;
                    double c2 = c;
                    double c3 = c;
                    double el1 = e[l + 1];
                    double s = 0.0;
                    double s2 = 0.0;
                    for (int i = m - 1; i >= l; i--)
                    {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (int k = 0; k < n; k++)
                        {
                            int row = k * n;
                            h = v[row + i + 1];
                            v[row + i + 1] = s * v[row + i] + c * h;
                            v[row + i] = c * v[row + i] - s * h;
                        }
                    }

                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                }
                while (Math.Abs(e[l]) > eps * tst1);
            }

            d[l] += f;
            e[l] = 0.0;
        }

        // Selection sort into ascending order (stable with respect to the QL output for equal values).
        for (int i = 0; i < n - 1; i++)
        {
            int k = i;
            double p = d[i];
            for (int j = i + 1; j < n; j++)
            {
                if (d[j] < p)
                {
                    k = j;
                    p = d[j];
                }
            }

            if (k != i)
            {
                d[k] = d[i];
                d[i] = p;
                for (int j = 0; j < n; j++)
                {
                    (v[j * n + i], v[j * n + k]) = (v[j * n + k], v[j * n + i]);
                }
            }
        }
    }

    private static double Hypot(double a, double b)
    {
        double x = Math.Abs(a);
        double y = Math.Abs(b);
        if (x < y)
        {
            (x, y) = (y, x);
        }

        if (x == 0)
        {
            return 0;
        }

        double t = y / x;
        return x * Math.Sqrt(1 + t * t);
    }
}
