using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;

namespace Sharpness.Uv.Tests.Model;

public class HessianTests
{
    public static TheoryData<int, double, double, ulong> States => new()
    {
        // width, target, weight scale, seed
        { 1, 1.0, 1.0, 1 },
        { 2, 1.0, 1.0, 2 },
        { 2, -0.5, 0.3, 3 },
        { 3, 2.0, 1.0, 4 },
        { 4, 1.0, 0.2, 5 },
        { 8, 0.0, 1.5, 6 },
        { 16, 3.0, 0.7, 7 },
        { 40, -1.0, 1.0, 8 },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void ClosedFormSharpnessEqualsTopEigenvalueOfTheFiniteDifferenceHessian(int width, double target, double scale, ulong seed)
    {
        var (network, _) = RandomNetwork(width, scale, seed);
        double closedForm = UvSharpness.Hessian(new UvFunctionState(network.Output, network.Ntk), target, network.Normaliser, width);

        // Oracle: central differences of the analytic gradient ∇L = Δf (v, u)/s, then a dense eigen-decomposition.
        double[,] hessian = FiniteDifferenceHessian(network, target);
        var (values, _) = SymmetricEigenDecomposition.Decompose(hessian);

        Assert.Equal(values[^1], closedForm, 6);
    }

    [Theory]
    [MemberData(nameof(States))]
    public void ClosedFormSharpnessEqualsLanczosOnTheExactHessianVectorProduct(int width, double target, double scale, ulong seed)
    {
        var (network, _) = RandomNetwork(width, scale, seed);
        double closedForm = UvSharpness.Hessian(new UvFunctionState(network.Output, network.Ntk), target, network.Normaliser, width);
        var op = new UvHessianOperator(network, target);

        var lanczos = Lanczos.Solve(op, new EigenSolverOptions { Count = 1, StopCriterion = StopCriteria.Default(2000, 1e-12) });
        var dense = SymmetricEigenDecomposition.Decompose(Densify(op));

        Assert.True(lanczos.Converged);
        Assert.True(Math.Abs(lanczos.Eigenvalues[0] - closedForm) <= 1e-10 * Math.Max(1, closedForm), $"Lanczos {lanczos.Eigenvalues[0]:R} vs closed form {closedForm:R}");
        Assert.True(Math.Abs(dense.Values[^1] - closedForm) <= 1e-12 * Math.Max(1, closedForm), $"dense {dense.Values[^1]:R} vs closed form {closedForm:R}");
    }

    [Fact]
    public void ClosedFormSharpnessMatchesLanczosAtLargeWidth()
    {
        var network = UvNetwork.Create(new UvModelConfig { Width = 100_000, Seed = 12, Target = 2.0 });
        double closedForm = UvSharpness.Hessian(new UvFunctionState(network.Output, network.Ntk), 2.0, network.Normaliser, network.Width);

        var lanczos = Lanczos.Solve(new UvHessianOperator(network, 2.0), new EigenSolverOptions { Count = 2, StopCriterion = StopCriteria.Default(500, 1e-11) });

        Assert.True(lanczos.Converged);
        Assert.Equal(closedForm, lanczos.Eigenvalues[0], 9);
    }

    [Theory]
    [InlineData(3, 0.0)]
    [InlineData(10, 0.25)]
    public void HessianVectorProductMatchesFiniteDifferencesOfTheGradient(int width, double weightDecay)
    {
        var (network, rng) = RandomNetwork(width, 1.0, 99);
        const double target = 0.7;
        var op = new UvHessianOperator(network, target, weightDecay);
        var direction = new double[2 * width];
        rng.FillGaussian(direction);
        var product = new double[2 * width];
        op.Apply(direction, product);

        const double h = 1e-5;
        var plus = Gradient(Shift(network, direction, h), target, weightDecay);
        var minus = Gradient(Shift(network, direction, -h), target, weightDecay);
        for (int i = 0; i < product.Length; i++)
        {
            Assert.Equal((plus[i] - minus[i]) / (2 * h), product[i], 7);
        }
    }

    [Fact]
    public void HessianOperatorIsSymmetric()
    {
        var (network, rng) = RandomNetwork(6, 1.0, 4);
        var op = new UvHessianOperator(network, 1.5);
        var a = new double[12];
        var b = new double[12];
        rng.FillGaussian(a);
        rng.FillGaussian(b);
        var ha = new double[12];
        var hb = new double[12];
        op.Apply(a, ha);
        op.Apply(b, hb);

        Assert.Equal(Dot(b, ha), Dot(a, hb), 12);
    }

    [Fact]
    public void AtAMinimumTheHessianSharpnessEqualsTheNtk()
    {
        var state = new UvFunctionState(1.0, 3.7);

        Assert.Equal(3.7, UvSharpness.Hessian(state, target: 1.0, normaliser: 2.0, width: 10), 14);
    }

    private static (UvNetwork Network, DeterministicRandom Rng) RandomNetwork(int width, double scale, ulong seed)
    {
        var rng = new DeterministicRandom(seed);
        var u = new double[width];
        var v = new double[width];
        rng.FillGaussian(u, scale);
        rng.FillGaussian(v, scale);
        return (new UvNetwork(u, v, 0.5 + rng.NextDouble()), rng);
    }

    private static double[] Gradient(UvNetwork network, double target, double weightDecay)
    {
        int n = network.Width;
        double residual = network.Output - target;
        var gradient = new double[2 * n];
        for (int i = 0; i < n; i++)
        {
            gradient[i] = (residual * network.V[i] / network.Normaliser) + (weightDecay * network.U[i]);
            gradient[n + i] = (residual * network.U[i] / network.Normaliser) + (weightDecay * network.V[i]);
        }

        return gradient;
    }

    private static UvNetwork Shift(UvNetwork network, double[] direction, double h)
    {
        int n = network.Width;
        var u = new double[n];
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            u[i] = network.U[i] + (h * direction[i]);
            v[i] = network.V[i] + (h * direction[n + i]);
        }

        return new UvNetwork(u, v, network.Normaliser);
    }

    private static double[,] FiniteDifferenceHessian(UvNetwork network, double target)
    {
        int size = 2 * network.Width;
        var hessian = new double[size, size];
        const double h = 1e-5;
        var e = new double[size];
        for (int j = 0; j < size; j++)
        {
            e[j] = 1;
            var plus = Gradient(Shift(network, e, h), target, 0);
            var minus = Gradient(Shift(network, e, -h), target, 0);
            e[j] = 0;
            for (int i = 0; i < size; i++)
            {
                hessian[i, j] = (plus[i] - minus[i]) / (2 * h);
            }
        }

        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < i; j++)
            {
                double mean = 0.5 * (hessian[i, j] + hessian[j, i]);
                hessian[i, j] = mean;
                hessian[j, i] = mean;
            }
        }

        return hessian;
    }

    private static double[,] Densify(ILinearOperator op)
    {
        var dense = new double[op.Size, op.Size];
        var e = new double[op.Size];
        var column = new double[op.Size];
        for (int j = 0; j < op.Size; j++)
        {
            e[j] = 1;
            op.Apply(e, column);
            e[j] = 0;
            for (int i = 0; i < op.Size; i++)
            {
                dense[i, j] = column[i];
            }
        }

        return dense;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
