using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Core.Tests.TestSupport;

namespace Sharpness.Core.Tests.LinearAlgebra;

public class SymmetricEigenDecompositionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(20)]
    [InlineData(64)]
    [InlineData(200)]
    public void RecoversAKnownSpectrum(int n)
    {
        var random = new DeterministicRandom((ulong)n);
        double[] lambda = Enumerable.Range(0, n).Select(_ => 10 * (random.NextDouble() - 0.5)).ToArray();
        double[,] a = TestMatrices.WithSpectrum(lambda, random);

        var (values, vectors) = SymmetricEigenDecomposition.Decompose(a);

        double[] expected = lambda.Order().ToArray();
        double scale = TestMatrices.MaxAbs(lambda);
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(values[i] - expected[i]) <= 1e-10 * scale, $"λ[{i}] = {values[i]}, expected {expected[i]}");
        }

        AssertEigenpairs(a, values, vectors, 1e-10 * scale);
        AssertOrthonormalColumns(vectors, 1e-10);
    }

    [Fact]
    public void ValuesAreAscending()
    {
        var random = new DeterministicRandom(11);
        double[,] a = TestMatrices.Goe(50, random);

        var (values, _) = SymmetricEigenDecomposition.Decompose(a);

        for (int i = 1; i < values.Length; i++)
        {
            Assert.True(values[i - 1] <= values[i]);
        }
    }

    [Fact]
    public void DiagonalMatrixGivesSortedDiagonalAndUnitVectors()
    {
        double[,] a = TestMatrices.Diagonal(3, -1, 7, 0, 2);

        var (values, vectors) = SymmetricEigenDecomposition.Decompose(a);

        Assert.Equal(new double[] { -1, 0, 2, 3, 7 }, values);
        int[] expectedIndex = [1, 3, 4, 0, 2];
        for (int j = 0; j < 5; j++)
        {
            Assert.Equal(1.0, Math.Abs(vectors[expectedIndex[j], j]), 14);
        }
    }

    [Theory]
    [InlineData(2.0, 1.0, 3.0)]
    [InlineData(1.0, 0.0, 1.0)]
    [InlineData(-4.0, 2.5, 1e-3)]
    [InlineData(1e6, 1e-6, -1e6)]
    public void TwoByTwoMatchesClosedForm(double p, double q, double r)
    {
        // [[p, q], [q, r]]: λ = (p + r)/2 ± sqrt(((p − r)/2)² + q²)
        var a = new double[,] { { p, q }, { q, r } };
        double mean = (p + r) / 2;
        double radius = Math.Sqrt((p - r) * (p - r) / 4 + q * q);

        var (values, vectors) = SymmetricEigenDecomposition.Decompose(a);

        double scale = Math.Max(Math.Abs(p), Math.Max(Math.Abs(q), Math.Abs(r)));
        Assert.True(Math.Abs(values[0] - (mean - radius)) <= 1e-14 * scale);
        Assert.True(Math.Abs(values[1] - (mean + radius)) <= 1e-14 * scale);
        AssertEigenpairs(a, values, vectors, 1e-13 * scale);
    }

    [Fact]
    public void RepeatedEigenvaluesGiveAnOrthonormalEigenbasis()
    {
        var random = new DeterministicRandom(5);
        double[] lambda = [2, 2, 2, -1, -1, 5, 0, 0, 0, 0];
        double[,] a = TestMatrices.WithSpectrum(lambda, random);

        var (values, vectors) = SymmetricEigenDecomposition.Decompose(a);

        double[] expected = lambda.Order().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(values[i] - expected[i]) <= 1e-12 * 5);
        }

        AssertEigenpairs(a, values, vectors, 1e-12 * 5);
        AssertOrthonormalColumns(vectors, 1e-12);
    }

    [Fact]
    public void ZeroMatrixGivesZerosAndIdentity()
    {
        var (values, vectors) = SymmetricEigenDecomposition.Decompose(new double[4, 4]);

        Assert.All(values, v => Assert.Equal(0.0, v));
        AssertOrthonormalColumns(vectors, 0);
    }

    [Fact]
    public void ExtremeScalesDoNotOverflowOrUnderflow()
    {
        var random = new DeterministicRandom(9);
        foreach (double scale in new[] { 1e-300, 1e300 })
        {
            double[] lambda = [1 * scale, -0.5 * scale, 0.25 * scale];
            double[,] a = TestMatrices.WithSpectrum(lambda, random);

            var (values, _) = SymmetricEigenDecomposition.Decompose(a);

            Assert.True(Math.Abs(values[0] + 0.5 * scale) <= 1e-12 * scale);
            Assert.True(Math.Abs(values[2] - scale) <= 1e-12 * scale);
        }
    }

    [Fact]
    public void InputIsNotModified()
    {
        double[,] a = TestMatrices.Goe(6, new DeterministicRandom(3));
        var copy = (double[,])a.Clone();

        SymmetricEigenDecomposition.Decompose(a);

        Assert.Equal(copy, a);
    }

    [Fact]
    public void RejectsNonSquareEmptyAndNonFiniteInput()
    {
        var e1 = Assert.Throws<ArgumentException>(() => SymmetricEigenDecomposition.Decompose(new double[2, 3]));
        Assert.Equal("symmetric", e1.ParamName);
        Assert.Throws<ArgumentException>(() => SymmetricEigenDecomposition.Decompose(new double[0, 0]));
        var nan = new double[,] { { 1, double.NaN }, { double.NaN, 1 } };
        Assert.Equal("symmetric", Assert.Throws<ArgumentException>(() => SymmetricEigenDecomposition.Decompose(nan)).ParamName);
        var inf = new double[,] { { double.PositiveInfinity } };
        Assert.Throws<ArgumentException>(() => SymmetricEigenDecomposition.Decompose(inf));
        Assert.Throws<ArgumentNullException>(() => SymmetricEigenDecomposition.Decompose(null!));
    }

    private static void AssertEigenpairs(double[,] a, double[] values, double[,] vectors, double tolerance)
    {
        for (int j = 0; j < values.Length; j++)
        {
            double[] v = TestMatrices.Column(vectors, j);
            double residual = Vectors.Residual(a, v, values[j]);
            Assert.True(residual <= tolerance, $"‖Av − λv‖ = {residual} for λ = {values[j]}");
        }
    }

    private static void AssertOrthonormalColumns(double[,] vectors, double tolerance)
    {
        int n = vectors.GetLength(0);
        for (int i = 0; i < n; i++)
        {
            double[] vi = TestMatrices.Column(vectors, i);
            for (int j = 0; j <= i; j++)
            {
                double dot = Vectors.Dot(vi, TestMatrices.Column(vectors, j));
                double expected = i == j ? 1.0 : 0.0;
                Assert.True(Math.Abs(dot - expected) <= tolerance, $"(VᵀV)[{i},{j}] = {dot}");
            }
        }
    }
}
