using System.Numerics;

namespace Sharpness.Core.Dynamics;

/// <summary>Dense operations on the small d×d row-major matrices of map analysis (d is 1 or 2 in practice).</summary>
internal static class SmallMatrix
{
    /// <summary>result = a · b (all d×d, row-major); result must not alias a or b.</summary>
    public static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result, int d)
    {
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double sum = 0;
                for (int k = 0; k < d; k++)
                {
                    sum += a[(i * d) + k] * b[(k * d) + j];
                }

                result[(i * d) + j] = sum;
            }
        }
    }

    /// <summary>Solves A x = b in place by Gaussian elimination with partial pivoting; false when A is singular to working precision.</summary>
    public static bool Solve(Span<double> a, Span<double> b, int d)
    {
        double scale = 0;
        foreach (double value in a)
        {
            scale = Math.Max(scale, Math.Abs(value));
        }

        for (int col = 0; col < d; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < d; row++)
            {
                if (Math.Abs(a[(row * d) + col]) > Math.Abs(a[(pivot * d) + col]))
                {
                    pivot = row;
                }
            }

            if (!(Math.Abs(a[(pivot * d) + col]) > 1e-300 + (1e-15 * scale)))
            {
                return false;
            }

            if (pivot != col)
            {
                for (int j = 0; j < d; j++)
                {
                    (a[(col * d) + j], a[(pivot * d) + j]) = (a[(pivot * d) + j], a[(col * d) + j]);
                }

                (b[col], b[pivot]) = (b[pivot], b[col]);
            }

            for (int row = col + 1; row < d; row++)
            {
                double factor = a[(row * d) + col] / a[(col * d) + col];
                for (int j = col; j < d; j++)
                {
                    a[(row * d) + j] -= factor * a[(col * d) + j];
                }

                b[row] -= factor * b[col];
            }
        }

        for (int row = d - 1; row >= 0; row--)
        {
            double sum = b[row];
            for (int j = row + 1; j < d; j++)
            {
                sum -= a[(row * d) + j] * b[j];
            }

            b[row] = sum / a[(row * d) + row];
        }

        return true;
    }

    /// <summary>Eigenvalues of a 1×1 or 2×2 matrix (closed form), ordered by decreasing modulus.</summary>
    /// <exception cref="NotSupportedException">d &gt; 2.</exception>
    public static Complex[] Eigenvalues(ReadOnlySpan<double> m, int d)
    {
        if (d == 1)
        {
            return [new Complex(m[0], 0)];
        }

        if (d != 2)
        {
            throw new NotSupportedException($"Multipliers are computed in closed form for maps of dimension 1 and 2, not {d}.");
        }

        double trace = m[0] + m[3];
        double determinant = (m[0] * m[3]) - (m[1] * m[2]);
        double discriminant = (trace * trace / 4) - determinant;
        Complex[] values;
        if (discriminant >= 0)
        {
            double root = Math.Sqrt(discriminant);
            // Avoid cancellation: compute the larger root directly, the other from the determinant.
            double large = (trace / 2) + (trace >= 0 ? root : -root);
            double small = large != 0 ? determinant / large : (trace / 2) - (trace >= 0 ? root : -root);
            values = [new Complex(large, 0), new Complex(small, 0)];
        }
        else
        {
            double imaginary = Math.Sqrt(-discriminant);
            values = [new Complex(trace / 2, imaginary), new Complex(trace / 2, -imaginary)];
        }

        return values.OrderByDescending(v => v.Magnitude).ToArray();
    }

    /// <summary>A unit eigenvector of a real eigenvalue μ of a 1×1 or 2×2 matrix.</summary>
    public static double[] EigenvectorOfReal(ReadOnlySpan<double> m, int d, double mu)
    {
        if (d == 1)
        {
            return [1.0];
        }

        // (m − μI) v = 0: take the row with the larger norm and its orthogonal direction.
        double a = m[0] - mu, b = m[1], c = m[2], e = m[3] - mu;
        double[] v = (a * a) + (b * b) >= (c * c) + (e * e) ? [-b, a] : [-e, c];
        double norm = Math.Sqrt((v[0] * v[0]) + (v[1] * v[1]));
        return norm == 0 ? [1.0, 0.0] : [v[0] / norm, v[1] / norm];
    }
}
