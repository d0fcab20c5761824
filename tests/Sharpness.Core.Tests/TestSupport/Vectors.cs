using Sharpness.Core.LinearAlgebra;

namespace Sharpness.Core.Tests.TestSupport;

/// <summary>Plain-loop vector helpers used as independent oracles in tests.</summary>
internal static class Vectors
{
    public static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    public static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    public static double[] Apply(ILinearOperator op, double[] v)
    {
        var result = new double[op.Size];
        op.Apply(v, result);
        return result;
    }

    public static double[] Apply(double[,] a, double[] v)
    {
        int n = v.Length;
        var result = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                sum += a[i, j] * v[j];
            }

            result[i] = sum;
        }

        return result;
    }

    /// <summary>‖A v − λ v‖ computed with plain loops.</summary>
    public static double Residual(double[,] a, double[] v, double lambda)
    {
        double[] av = Apply(a, v);
        double sum = 0;
        for (int i = 0; i < v.Length; i++)
        {
            double r = av[i] - lambda * v[i];
            sum += r * r;
        }

        return Math.Sqrt(sum);
    }

    public static double RayleighQuotient(double[,] a, double[] v) => Dot(v, Apply(a, v)) / Dot(v, v);
}
