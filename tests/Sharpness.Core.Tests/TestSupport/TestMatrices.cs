using Sharpness.Core.Random;

namespace Sharpness.Core.Tests.TestSupport;

/// <summary>Random test matrices with known or independently computable spectra.</summary>
internal static class TestMatrices
{
    /// <summary>A random orthogonal matrix: the product of n Householder reflections I − 2uuᵀ with Gaussian u.</summary>
    public static double[,] RandomOrthogonal(int n, DeterministicRandom random)
    {
        var q = Identity(n);
        var u = new double[n];
        for (int r = 0; r < n; r++)
        {
            random.FillGaussian(u);
            double norm = Math.Sqrt(u.Sum(x => x * x));
            for (int i = 0; i < n; i++)
            {
                u[i] /= norm;
            }

            // q ← q (I − 2uuᵀ)
            for (int i = 0; i < n; i++)
            {
                double dot = 0;
                for (int j = 0; j < n; j++)
                {
                    dot += q[i, j] * u[j];
                }

                for (int j = 0; j < n; j++)
                {
                    q[i, j] -= 2 * dot * u[j];
                }
            }
        }

        return q;
    }

    /// <summary>A = Q diag(λ) Qᵀ with a random orthogonal Q; exactly symmetric.</summary>
    public static double[,] WithSpectrum(double[] eigenvalues, DeterministicRandom random) =>
        WithSpectrum(eigenvalues, RandomOrthogonal(eigenvalues.Length, random));

    /// <summary>A = Q diag(λ) Qᵀ for the given orthogonal Q; exactly symmetric.</summary>
    public static double[,] WithSpectrum(double[] eigenvalues, double[,] q)
    {
        int n = eigenvalues.Length;
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = 0;
                for (int l = 0; l < n; l++)
                {
                    sum += q[i, l] * eigenvalues[l] * q[j, l];
                }

                a[i, j] = sum;
                a[j, i] = sum;
            }
        }

        return a;
    }

    /// <summary>GOE-like matrix: symmetric with N(0, 1/n) entries (spectrum close to [−2, 2]).</summary>
    public static double[,] Goe(int n, DeterministicRandom random)
    {
        var a = new double[n, n];
        double sd = 1.0 / Math.Sqrt(n);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double x = random.NextGaussian() * sd * (i == j ? Math.Sqrt(2) : 1.0);
                a[i, j] = x;
                a[j, i] = x;
            }
        }

        return a;
    }

    /// <summary>Wishart matrix XᵀX / m with X an m×n Gaussian matrix (positive semi-definite, rank min(m, n)).</summary>
    public static double[,] Wishart(int n, int m, DeterministicRandom random)
    {
        var x = new double[m, n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                x[i, j] = random.NextGaussian();
            }
        }

        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = 0;
                for (int r = 0; r < m; r++)
                {
                    sum += x[r, i] * x[r, j];
                }

                a[i, j] = sum / m;
                a[j, i] = sum / m;
            }
        }

        return a;
    }

    /// <summary>GOE-like matrix plus planted rank-one spikes s·uuᵀ along random unit vectors (well separated top/bottom pairs).</summary>
    public static double[,] Spiked(int n, double[] spikes, DeterministicRandom random)
    {
        var a = Goe(n, random);
        var u = new double[n];
        foreach (double s in spikes)
        {
            random.FillGaussian(u);
            double norm = Math.Sqrt(u.Sum(x => x * x));
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double add = s * u[i] * u[j] / (norm * norm);
                    a[i, j] += add;
                    if (i != j)
                    {
                        a[j, i] += add;
                    }
                }
            }
        }

        return a;
    }

    public static double[,] Diagonal(params double[] values)
    {
        var a = new double[values.Length, values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            a[i, i] = values[i];
        }

        return a;
    }

    public static double[,] Identity(int n)
    {
        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            a[i, i] = 1;
        }

        return a;
    }

    public static double[] Column(double[,] m, int column)
    {
        var v = new double[m.GetLength(0)];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = m[i, column];
        }

        return v;
    }

    public static double MaxAbs(double[] values) => values.Max(Math.Abs);
}
