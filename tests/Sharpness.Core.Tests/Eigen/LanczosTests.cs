using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Core.Tests.TestSupport;

namespace Sharpness.Core.Tests.Eigen;

public class LanczosTests
{
    public static TheoryData<string, int, int, EigenTarget> OracleCases()
    {
        var data = new TheoryData<string, int, int, EigenTarget>();
        foreach (EigenTarget target in Enum.GetValues<EigenTarget>())
        {
            data.Add("goe", 60, 1, target);
            data.Add("goe", 300, 5, target);
            data.Add("wishart", 200, 1, target);
            data.Add("wishart", 200, 6, target);
        }

        return data;
    }

    internal static double[,] Matrix(string kind, int n, ulong seed) => kind switch
    {
        "goe" => TestMatrices.Goe(n, new DeterministicRandom(seed)),
        "wishart" => TestMatrices.Wishart(n, 2 * n, new DeterministicRandom(seed)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(OracleCases))]
    public void MatchesTheDenseOracle(string kind, int n, int k, EigenTarget target)
    {
        double[,] a = Matrix(kind, n, seed: (ulong)(n + k));
        var oracle = new DenseOracle(a);
        var op = new CountingOperator(new DenseSymmetricOperator(a));

        EigenResult result = Lanczos.Solve(op, new EigenSolverOptions
        {
            Count = k,
            Target = target,
            StopCriterion = StopCriteria.Default(maxMatvecs: 3000, residualTolerance: 1e-10),
        });

        Assert.True(result.Converged, $"stopped with {result.StopReason} after {result.Matvecs} matvecs");
        Assert.Equal(StopReason.Converged, result.StopReason);
        Assert.Equal(op.Count, result.Matvecs);
        Assert.Equal(result.Matvecs, result.Iterations);
        Assert.True(result.Matvecs < n, "a Krylov solver should need fewer products than the dimension here");
        oracle.AssertMatches(result, k, target);
    }

    [Fact]
    public void ResidualsSatisfyTheDefaultCriterion()
    {
        double[,] a = Matrix("goe", 150, 3);
        EigenResult result = Lanczos.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions { Count = 3 });

        Assert.True(result.Converged);
        double scale = result.Eigenvalues.Max(Math.Abs);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(Vectors.Residual(a, result.Eigenvectors[i], result.Eigenvalues[i]) <= 1.01e-8 * scale);
        }
    }

    [Fact]
    public void ManyThickRestartsWithASmallBasisStillConverge()
    {
        double[,] a = Matrix("wishart", 120, 8);
        var oracle = new DenseOracle(a);
        var op = new CountingOperator(new DenseSymmetricOperator(a));

        EigenResult result = Lanczos.Solve(op, new EigenSolverOptions
        {
            Count = 3,
            MaxBasisSize = 6,
            StopCriterion = StopCriteria.Default(maxMatvecs: 5000, residualTolerance: 1e-10),
        });

        Assert.True(result.Converged, $"{result.StopReason} after {result.Matvecs}");
        Assert.True(result.Matvecs > 6, "the basis must have been restarted");
        Assert.Equal(op.Count, result.Matvecs);
        oracle.AssertMatches(result, 3, EigenTarget.LargestAlgebraic);
    }

    [Fact]
    public void ExactEigenvectorStartConvergesInOneProduct()
    {
        double[,] a = Matrix("wishart", 100, 21);
        var oracle = new DenseOracle(a);
        int top = oracle.Wanted(1, EigenTarget.LargestAlgebraic)[0];
        var op = new CountingOperator(new DenseSymmetricOperator(a));

        EigenResult result = Lanczos.Solve(op, new EigenSolverOptions { StartVector = oracle.Vector(top) });

        Assert.True(result.Converged);
        Assert.True(result.Matvecs <= 2, $"took {result.Matvecs} products");
        Assert.Equal(oracle.Values[top], result.Eigenvalues[0], 12);
    }

    [Theory]
    [InlineData(EigenTarget.LargestAlgebraic)]
    [InlineData(EigenTarget.SmallestAlgebraic)]
    public void NearlyConvergedStartNeedsFewerProductsThanARandomStart(EigenTarget target)
    {
        double[,] a = Matrix("goe", 200, 5);
        var oracle = new DenseOracle(a);
        int wanted = oracle.Wanted(1, target)[0];
        double[] start = oracle.Vector(wanted);
        var noise = new double[start.Length];
        new DeterministicRandom(77).FillGaussian(noise, 1e-3 / Math.Sqrt(start.Length));
        for (int i = 0; i < start.Length; i++)
        {
            start[i] += noise[i];
        }

        var op = new DenseSymmetricOperator(a);
        EigenResult cold = Lanczos.Solve(op, new EigenSolverOptions { Target = target });
        EigenResult warm = Lanczos.Solve(op, new EigenSolverOptions { Target = target, StartVector = start });

        Assert.True(cold.Converged && warm.Converged);
        Assert.True(warm.Matvecs < cold.Matvecs, $"warm {warm.Matvecs} vs cold {cold.Matvecs}");
        Assert.Equal(cold.Eigenvalues[0], warm.Eigenvalues[0], 10);
    }

    [Fact]
    public void StartVectorIsNotModified()
    {
        double[,] a = Matrix("goe", 40, 1);
        double[] start = Enumerable.Range(0, 40).Select(i => (double)(i + 1)).ToArray();
        var copy = (double[])start.Clone();

        Lanczos.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions { StartVector = start, Count = 2 });

        Assert.Equal(copy, start);
    }

    [Fact]
    public void SameSeedGivesBitIdenticalResults()
    {
        double[,] a = Matrix("goe", 120, 9);
        var options = new EigenSolverOptions { Count = 4, Seed = 42, Target = EigenTarget.LargestMagnitude, MaxBasisSize = 12 };

        EigenResult first = Lanczos.Solve(new DenseSymmetricOperator(a), options);
        EigenResult second = Lanczos.Solve(new DenseSymmetricOperator(a), options);

        Assert.Equal(first.Eigenvalues, second.Eigenvalues);
        Assert.Equal(first.Residuals, second.Residuals);
        Assert.Equal(first.Matvecs, second.Matvecs);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(first.Eigenvectors[i], second.Eigenvectors[i]);
        }
    }

    [Fact]
    public void DifferentSeedsConvergeToTheSameValues()
    {
        double[,] a = Matrix("wishart", 120, 10);
        var op = new DenseSymmetricOperator(a);

        EigenResult first = Lanczos.Solve(op, new EigenSolverOptions { Count = 3, Seed = 1 });
        EigenResult second = Lanczos.Solve(op, new EigenSolverOptions { Count = 3, Seed = 2 });

        Assert.True(first.Converged && second.Converged);
        Assert.NotEqual(first.Eigenvectors[0], second.Eigenvectors[0]);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(first.Eigenvalues[i], second.Eigenvalues[i], 10);
        }
    }

    [Theory]
    [InlineData(EigenTarget.LargestAlgebraic, new double[] { 3, 2, 1, 0, 0 })]
    [InlineData(EigenTarget.LargestMagnitude, new double[] { 3, 2, 1, 0, 0 })]
    [InlineData(EigenTarget.SmallestAlgebraic, new double[] { 0, 0, 0, 0, 0 })]
    public void RankDeficientOperatorGivesItsNonzeroEigenvaluesThenZeros(EigenTarget target, double[] expected)
    {
        var lambda = new double[50];
        lambda[0] = 3;
        lambda[1] = 2;
        lambda[2] = 1;
        double[,] a = TestMatrices.WithSpectrum(lambda, new DeterministicRandom(4));
        var op = new CountingOperator(new DenseSymmetricOperator(a));

        EigenResult result = Lanczos.Solve(op, new EigenSolverOptions { Count = 5, Target = target });

        Assert.True(result.Converged, $"{result.StopReason} after {result.Matvecs}");
        Assert.Equal(op.Count, result.Matvecs);
        for (int i = 0; i < 5; i++)
        {
            Assert.True(Math.Abs(result.Eigenvalues[i] - expected[i]) <= 1e-10, $"λ[{i}] = {result.Eigenvalues[i]}");
            Assert.True(Vectors.Residual(a, result.Eigenvectors[i], result.Eigenvalues[i]) <= 1e-9);
        }

        AssertOrthonormal(result.Eigenvectors, 1e-8);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RepeatedTopEigenvalueIsFoundWithItsMultiplicity(bool rotated)
    {
        // Krylov space of one start vector: one direction per distinct eigenvalue, so a single vector cannot give 5,5,5.
        var lambda = Enumerable.Repeat(1.0, 30).ToArray();
        lambda[0] = lambda[1] = lambda[2] = 5;
        double[,] a = rotated ? TestMatrices.WithSpectrum(lambda, new DeterministicRandom(8)) : TestMatrices.Diagonal(lambda);

        EigenResult result = Lanczos.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions { Count = 3 });

        Assert.True(result.Converged);
        Assert.All(result.Eigenvalues, v => Assert.Equal(5.0, v, 10));
        AssertOrthonormal(result.Eigenvectors, 1e-8);
    }

    [Fact]
    public void RepeatedEigenvalueAmongFewDistinctValuesIsNotMissed()
    {
        double[] lambda = [5, 5, 5, 4, 3, 2, .. Enumerable.Repeat(1.0, 44)];
        double[,] a = TestMatrices.WithSpectrum(lambda, new DeterministicRandom(12));

        EigenResult result = Lanczos.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions { Count = 4 });

        Assert.True(result.Converged);
        Assert.Equal([5.0, 5.0, 5.0, 4.0], result.Eigenvalues.Select(v => Math.Round(v, 9)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void IdentityConvergesImmediately(int k)
    {
        var op = new CountingOperator(new DenseSymmetricOperator(TestMatrices.Identity(20)));

        EigenResult result = Lanczos.Solve(op, new EigenSolverOptions { Count = k });

        Assert.True(result.Converged);
        Assert.All(result.Eigenvalues, v => Assert.Equal(1.0, v, 14));
        Assert.All(result.Residuals, r => Assert.True(r <= 1e-14));
        Assert.True(result.Matvecs <= k + 1, $"took {result.Matvecs}");
        AssertOrthonormal(result.Eigenvectors, 1e-12);
    }

    [Theory]
    [InlineData(EigenTarget.LargestAlgebraic)]
    [InlineData(EigenTarget.SmallestAlgebraic)]
    [InlineData(EigenTarget.LargestMagnitude)]
    public void ZeroOperatorGivesZeros(EigenTarget target)
    {
        EigenResult result = Lanczos.Solve(new DenseSymmetricOperator(new double[10, 10]), new EigenSolverOptions { Count = 2, Target = target });

        Assert.True(result.Converged);
        Assert.Equal([0.0, 0.0], result.Eigenvalues);
        Assert.Equal([0.0, 0.0], result.Residuals);
    }

    [Fact]
    public void SizeOneIsExact()
    {
        var op = new CountingOperator(new DenseSymmetricOperator(new double[,] { { -2.5 } }));

        EigenResult result = Lanczos.Solve(op);

        Assert.True(result.Converged);
        Assert.Equal(StopReason.InvariantSubspace, result.StopReason);
        Assert.Equal(-2.5, result.Eigenvalues[0]);
        Assert.Equal(1.0, Math.Abs(result.Eigenvectors[0][0]));
        Assert.Equal(1, result.Matvecs);
        Assert.Equal(1, op.Count);
    }

    [Theory]
    [InlineData(EigenTarget.LargestAlgebraic)]
    [InlineData(EigenTarget.SmallestAlgebraic)]
    [InlineData(EigenTarget.LargestMagnitude)]
    public void CountEqualToSizeReturnsTheWholeSpectrum(EigenTarget target)
    {
        double[,] a = Matrix("goe", 12, 6);
        var oracle = new DenseOracle(a);

        EigenResult result = Lanczos.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions { Count = 12, Target = target });

        Assert.True(result.Converged);
        Assert.Equal(StopReason.InvariantSubspace, result.StopReason);
        Assert.Equal(12, result.Matvecs);
        oracle.AssertMatches(result, 12, target, 1e-12);
        AssertOrthonormal(result.Eigenvectors, 1e-10);
    }

    [Fact]
    public void TrySolveReportsConvergence()
    {
        var op = new DenseSymmetricOperator(Matrix("goe", 50, 2));

        Assert.True(Lanczos.TrySolve(op, null, out EigenResult converged));
        Assert.True(converged.Converged);
        Assert.False(Lanczos.TrySolve(op, new EigenSolverOptions { StopCriterion = StopCriteria.MaxMatvecs(3) }, out EigenResult stopped));
        Assert.Equal(StopReason.MaxMatvecs, stopped.StopReason);
    }

    internal static void AssertOrthonormal(double[][] vectors, double tolerance)
    {
        for (int i = 0; i < vectors.Length; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double expected = i == j ? 1 : 0;
                Assert.True(Math.Abs(Vectors.Dot(vectors[i], vectors[j]) - expected) <= tolerance, $"⟨v{i}, v{j}⟩");
            }
        }
    }
}
