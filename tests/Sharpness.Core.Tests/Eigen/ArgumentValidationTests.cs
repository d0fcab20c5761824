using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Tests.TestSupport;

namespace Sharpness.Core.Tests.Eigen;

public class ArgumentValidationTests
{
    private static readonly DenseSymmetricOperator Op = new(TestMatrices.Identity(6));

    [Theory]
    [MemberData(nameof(SolverStoppingTests.Solvers), MemberType = typeof(SolverStoppingTests))]
    public void NullOperatorIsRejected(string solver)
    {
        var e = Assert.Throws<ArgumentNullException>(() => SolverStoppingTests.Get(solver)(null!, null));
        Assert.Equal("op", e.ParamName);
    }

    [Theory]
    [InlineData("lanczos", 0)]
    [InlineData("lanczos", -1)]
    [InlineData("lanczos", 7)]
    [InlineData("power", 0)]
    [InlineData("power", 7)]
    public void CountOutsideOneToSizeIsRejected(string solver, int count)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SolverStoppingTests.Get(solver)(Op, new EigenSolverOptions { Count = count }));
        Assert.Equal("options.Count", e.ParamName);
    }

    public static TheoryData<string, double[]> BadStarts()
    {
        var data = new TheoryData<string, double[]>();
        foreach (string solver in new[] { "lanczos", "power" })
        {
            data.Add(solver, [1, 2, 3]);
            data.Add(solver, new double[7]);
            data.Add(solver, new double[6]);
            data.Add(solver, [1, 0, 0, double.NaN, 0, 0]);
            data.Add(solver, [1, 0, 0, 0, double.PositiveInfinity, 0]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadStarts))]
    public void BadStartVectorsAreRejected(string solver, double[] start)
    {
        var e = Assert.Throws<ArgumentException>(() => SolverStoppingTests.Get(solver)(Op, new EigenSolverOptions { StartVector = start }));
        Assert.Equal("options.StartVector", e.ParamName);
    }

    [Fact]
    public void HugeButFiniteStartVectorIsAccepted()
    {
        EigenResult result = Lanczos.Solve(Op, new EigenSolverOptions { StartVector = [1e300, 1e300, 0, 0, 0, 1e300] });

        Assert.True(result.Converged);
        Assert.Equal(1.0, result.Eigenvalues[0], 14);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void LanczosRejectsABasisTooSmallForCount(int maxBasisSize)
    {
        var op = new DenseSymmetricOperator(TestMatrices.Identity(50));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Lanczos.Solve(op, new EigenSolverOptions { Count = 2, MaxBasisSize = maxBasisSize }));
        Assert.Equal("options.MaxBasisSize", e.ParamName);
    }

    [Fact]
    public void LanczosAcceptsABasisAsLargeAsTheSpaceOrLarger()
    {
        EigenResult result = Lanczos.Solve(Op, new EigenSolverOptions { Count = 6, MaxBasisSize = 1000 });

        Assert.True(result.Converged);
        Assert.Equal(6, result.Eigenvalues.Length);
    }

    [Theory]
    [MemberData(nameof(SolverStoppingTests.Solvers), MemberType = typeof(SolverStoppingTests))]
    public void UndefinedTargetIsRejected(string solver)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            SolverStoppingTests.Get(solver)(Op, new EigenSolverOptions { Target = (EigenTarget)42 }));
        Assert.Equal("options.Target", e.ParamName);
    }

    [Fact]
    public void DefaultOptionsAreDocumentedValues()
    {
        var options = new EigenSolverOptions();

        Assert.Equal(1, options.Count);
        Assert.Equal(EigenTarget.LargestAlgebraic, options.Target);
        Assert.Null(options.StartVector);
        Assert.Equal(0UL, options.Seed);
        Assert.Null(options.StopCriterion);
        Assert.Equal(0, options.MaxBasisSize);
        Assert.False(options.CancellationToken.CanBeCanceled);
    }
}
