using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Core.Tests.TestSupport;

namespace Sharpness.Core.Tests.Eigen;

public class PowerIterationTests
{
    private static readonly double[] Spikes = [12, 8, -10, -6];

    public static TheoryData<string, int, EigenTarget> OracleCases()
    {
        var data = new TheoryData<string, int, EigenTarget>();
        foreach (EigenTarget target in Enum.GetValues<EigenTarget>())
        {
            data.Add("spiked", 1, target);
            data.Add("spiked", 2, target);
            data.Add("wishart", 1, target);
        }

        data.Add("spiked", 4, EigenTarget.LargestMagnitude);
        return data;
    }

    private static double[,] Matrix(string kind, ulong seed) => kind switch
    {
        "spiked" => TestMatrices.Spiked(150, Spikes, new DeterministicRandom(seed)),
        "wishart" => TestMatrices.Wishart(80, 240, new DeterministicRandom(seed)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(OracleCases))]
    public void MatchesTheDenseOracle(string kind, int k, EigenTarget target)
    {
        double[,] a = Matrix(kind, (ulong)(31 + k));
        var oracle = new DenseOracle(a);
        var op = new CountingOperator(new DenseSymmetricOperator(a));

        EigenResult result = PowerIteration.Solve(op, new EigenSolverOptions
        {
            Count = k,
            Target = target,
            StopCriterion = StopCriteria.Default(maxMatvecs: 60_000, residualTolerance: 1e-9),
        });

        Assert.True(result.Converged, $"stopped with {result.StopReason} after {result.Matvecs} matvecs");
        Assert.Equal(op.Count, result.Matvecs);
        oracle.AssertMatches(result, k, target);
    }

    [Fact]
    public void LargestAlgebraicOfANegativeDefiniteOperator()
    {
        double[] lambda = Enumerable.Range(0, 40).Select(i => -1.0 - 0.25 * i).ToArray();
        double[,] a = TestMatrices.WithSpectrum(lambda, new DeterministicRandom(2));
        var oracle = new DenseOracle(a);

        EigenResult result = PowerIteration.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions
        {
            Count = 2,
            StopCriterion = StopCriteria.Default(maxMatvecs: 20_000),
        });

        Assert.True(result.Converged, $"{result.StopReason} after {result.Matvecs}");
        oracle.AssertMatches(result, 2, EigenTarget.LargestAlgebraic);
    }

    [Fact]
    public void ShiftIsRaisedWhenTheSpectralRadiusIsUnderestimated()
    {
        // Start on the eigenvector of −1: the power steps then estimate ρ = 1 instead of 10, so A + ρI is indefinite
        // and dominated by its negative end until the shift is corrected.
        double[] lambda = Enumerable.Range(0, 30).Select(i => -1.0 - 0.5 * i).Append(-10).ToArray();
        var q = TestMatrices.RandomOrthogonal(lambda.Length, new DeterministicRandom(6));
        double[,] a = TestMatrices.WithSpectrum(lambda, q);
        var oracle = new DenseOracle(a);

        EigenResult result = PowerIteration.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions
        {
            Count = 2,
            StartVector = TestMatrices.Column(q, 0),
            StopCriterion = StopCriteria.Default(maxMatvecs: 20_000),
        });

        Assert.True(result.Converged, $"{result.StopReason} after {result.Matvecs}");
        oracle.AssertMatches(result, 2, EigenTarget.LargestAlgebraic);
    }

    [Theory]
    [InlineData(EigenTarget.LargestAlgebraic)]
    [InlineData(EigenTarget.LargestMagnitude)]
    public void ExactEigenvectorStartConvergesInAFewProducts(EigenTarget target)
    {
        double[,] a = Matrix("spiked", 3);
        var oracle = new DenseOracle(a);
        int top = oracle.Wanted(1, target)[0];
        var op = new CountingOperator(new DenseSymmetricOperator(a));

        EigenResult result = PowerIteration.Solve(op, new EigenSolverOptions { Target = target, StartVector = oracle.Vector(top) });

        Assert.True(result.Converged);
        Assert.True(result.Matvecs <= 4, $"took {result.Matvecs} products");
        Assert.Equal(oracle.Values[top], result.Eigenvalues[0], 11);
    }

    [Fact]
    public void NearlyConvergedStartNeedsFewerProductsThanARandomStart()
    {
        double[,] a = Matrix("spiked", 4);
        var oracle = new DenseOracle(a);
        double[] start = oracle.Vector(oracle.Wanted(1, EigenTarget.LargestAlgebraic)[0]);
        start[0] += 1e-4;

        var op = new DenseSymmetricOperator(a);
        EigenResult cold = PowerIteration.Solve(op);
        EigenResult warm = PowerIteration.Solve(op, new EigenSolverOptions { StartVector = start });

        Assert.True(cold.Converged && warm.Converged);
        Assert.True(warm.Matvecs < cold.Matvecs, $"warm {warm.Matvecs} vs cold {cold.Matvecs}");
        Assert.Equal(cold.Eigenvalues[0], warm.Eigenvalues[0], 10);
    }

    [Fact]
    public void SameSeedGivesBitIdenticalResultsAndOtherSeedsTheSameValues()
    {
        double[,] a = Matrix("spiked", 5);
        var op = new DenseSymmetricOperator(a);
        var options = new EigenSolverOptions { Count = 2, Seed = 9, Target = EigenTarget.SmallestAlgebraic };

        EigenResult first = PowerIteration.Solve(op, options);
        EigenResult second = PowerIteration.Solve(op, options);
        EigenResult other = PowerIteration.Solve(op, options with { Seed = 10 });

        Assert.Equal(first.Eigenvalues, second.Eigenvalues);
        Assert.Equal(first.Residuals, second.Residuals);
        Assert.Equal(first.Eigenvectors[0], second.Eigenvectors[0]);
        Assert.Equal(first.Eigenvectors[1], second.Eigenvectors[1]);
        Assert.True(other.Converged);
        Assert.NotEqual(first.Eigenvectors[0], other.Eigenvectors[0]);
        Assert.Equal(first.Eigenvalues[0], other.Eigenvalues[0], 10);
        Assert.Equal(first.Eigenvalues[1], other.Eigenvalues[1], 10);
    }

    [Fact]
    public void RankDeficientOperatorGivesItsNonzeroEigenvaluesThenZeros()
    {
        var lambda = new double[50];
        lambda[0] = 3;
        lambda[1] = 2;
        lambda[2] = 1;
        double[,] a = TestMatrices.WithSpectrum(lambda, new DeterministicRandom(4));

        EigenResult result = PowerIteration.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions
        {
            Count = 5,
            StopCriterion = StopCriteria.Default(maxMatvecs: 20_000),
        });

        Assert.True(result.Converged, $"{result.StopReason} after {result.Matvecs}");
        double[] expected = [3, 2, 1, 0, 0];
        for (int i = 0; i < 5; i++)
        {
            Assert.True(Math.Abs(result.Eigenvalues[i] - expected[i]) <= 1e-8, $"λ[{i}] = {result.Eigenvalues[i]}");
        }

        LanczosTests.AssertOrthonormal(result.Eigenvectors, 1e-10);
    }

    [Theory]
    [InlineData(EigenTarget.LargestAlgebraic)]
    [InlineData(EigenTarget.SmallestAlgebraic)]
    [InlineData(EigenTarget.LargestMagnitude)]
    public void IdentityAndZeroOperatorsConvergeAtOnce(EigenTarget target)
    {
        var identity = new CountingOperator(new DenseSymmetricOperator(TestMatrices.Identity(15)));
        EigenResult one = PowerIteration.Solve(identity, new EigenSolverOptions { Count = 2, Target = target });
        EigenResult zero = PowerIteration.Solve(new DenseSymmetricOperator(new double[15, 15]), new EigenSolverOptions { Count = 2, Target = target });

        Assert.True(one.Converged);
        Assert.All(one.Eigenvalues, v => Assert.Equal(1.0, v, 13));
        Assert.True(one.Matvecs <= 5, $"took {one.Matvecs}");
        Assert.Equal(identity.Count, one.Matvecs);
        Assert.True(zero.Converged);
        Assert.All(zero.Eigenvalues, v => Assert.Equal(0.0, v));
        Assert.All(zero.Residuals, r => Assert.Equal(0.0, r));
    }

    [Fact]
    public void SizeOneIsExact()
    {
        EigenResult result = PowerIteration.Solve(new DenseSymmetricOperator(new double[,] { { 4.0 } }));

        Assert.True(result.Converged);
        Assert.Equal(StopReason.InvariantSubspace, result.StopReason);
        Assert.Equal(4.0, result.Eigenvalues[0]);
        Assert.Equal(1, result.Matvecs);
    }

    [Theory]
    [InlineData(EigenTarget.LargestAlgebraic)]
    [InlineData(EigenTarget.SmallestAlgebraic)]
    [InlineData(EigenTarget.LargestMagnitude)]
    public void CountEqualToSizeReturnsTheWholeSpectrum(EigenTarget target)
    {
        double[,] a = TestMatrices.Goe(10, new DeterministicRandom(1));
        var oracle = new DenseOracle(a);

        EigenResult result = PowerIteration.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions { Count = 10, Target = target });

        Assert.Equal(StopReason.InvariantSubspace, result.StopReason);
        Assert.Equal(10, result.Matvecs);
        oracle.AssertMatches(result, 10, target, 1e-12);
    }

    [Fact]
    public void TrySolveReportsConvergence()
    {
        var op = new DenseSymmetricOperator(Matrix("spiked", 6));

        Assert.True(PowerIteration.TrySolve(op, null, out EigenResult converged));
        Assert.True(converged.Converged);
        Assert.False(PowerIteration.TrySolve(op, new EigenSolverOptions { StopCriterion = StopCriteria.MaxMatvecs(15) }, out EigenResult stopped));
        Assert.Equal(StopReason.MaxMatvecs, stopped.StopReason);
        Assert.Equal(15, stopped.Matvecs);
    }
}
