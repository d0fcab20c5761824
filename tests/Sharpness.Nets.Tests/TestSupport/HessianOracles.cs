using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.TestSupport;

/// <summary>Dense matrices and finite differences built from the operator and from gradients.</summary>
internal static class HessianOracles
{
    /// <summary>The matrix of an operator, column j = A e_j.</summary>
    public static double[,] Dense(ILinearOperator op)
    {
        int n = op.Size;
        var matrix = new double[n, n];
        var unit = new double[n];
        var column = new double[n];
        for (int j = 0; j < n; j++)
        {
            unit[j] = 1;
            op.Apply(unit, column);
            unit[j] = 0;
            for (int i = 0; i < n; i++)
            {
                matrix[i, j] = column[i];
            }
        }

        return matrix;
    }

    /// <summary>(A + Aᵀ)/2.</summary>
    public static double[,] Symmetrised(double[,] a)
    {
        int n = a.GetLength(0);
        var s = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                s[i, j] = 0.5 * (a[i, j] + a[j, i]);
            }
        }

        return s;
    }

    /// <summary>∇L at θ, via a float64 copy of <paramref name="model"/> with its parameters set to θ.</summary>
    public static double[] GradientAt(NetworkModule model, double[] theta, LossFunction loss, Tensor inputs, Tensor targets)
    {
        using var copy = model.Clone(ScalarType.Float64);
        ParameterVector.Unflatten(copy, theta);
        using var op = new AutogradHessianOperator(copy, loss, inputs, targets);
        var gradient = new double[op.Size];
        op.LossAndGradient(gradient);
        return gradient;
    }

    /// <summary>Central difference (∇L(θ + h v) − ∇L(θ − h v)) / 2h.</summary>
    public static double[] FiniteDifferenceHvp(NetworkModule model, double[] v, double h, LossFunction loss, Tensor inputs, Tensor targets)
    {
        double[] theta = ParameterVector.Flatten(model);
        double[] plus = GradientAt(model, theta.Select((t, i) => t + (h * v[i])).ToArray(), loss, inputs, targets);
        double[] minus = GradientAt(model, theta.Select((t, i) => t - (h * v[i])).ToArray(), loss, inputs, targets);
        return plus.Select((p, i) => (p - minus[i]) / (2 * h)).ToArray();
    }

    /// <summary>The Hessian by central differences of the gradient, column by column.</summary>
    public static double[,] FiniteDifferenceHessian(NetworkModule model, double h, LossFunction loss, Tensor inputs, Tensor targets)
    {
        int n = ParameterVector.Count(model);
        var matrix = new double[n, n];
        var unit = new double[n];
        for (int j = 0; j < n; j++)
        {
            unit[j] = 1;
            double[] column = FiniteDifferenceHvp(model, unit, h, loss, inputs, targets);
            unit[j] = 0;
            for (int i = 0; i < n; i++)
            {
                matrix[i, j] = column[i];
            }
        }

        return matrix;
    }

    /// <summary>A Gaussian vector of length n from a fixed seed.</summary>
    public static double[] RandomVector(int n, ulong seed)
    {
        var v = new double[n];
        new DeterministicRandom(seed).FillGaussian(v);
        return v;
    }

    /// <summary>max_i |a_i − b_i| / max(max_i |b_i|, floor).</summary>
    public static double RelativeError(double[] actual, double[] expected, double floor = 1e-12)
    {
        double scale = Math.Max(expected.Max(Math.Abs), floor);
        return actual.Zip(expected, (a, b) => Math.Abs(a - b)).Max() / scale;
    }

    public static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
