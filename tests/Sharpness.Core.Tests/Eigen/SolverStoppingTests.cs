using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Core.Tests.TestSupport;

namespace Sharpness.Core.Tests.Eigen;

/// <summary>How both solvers honour stop criteria, divergence and cancellation.</summary>
public class SolverStoppingTests
{
    public delegate EigenResult Solver(ILinearOperator op, EigenSolverOptions? options);

    public static TheoryData<string> Solvers() => ["lanczos", "power"];

    internal static Solver Get(string name) => name == "lanczos" ? Lanczos.Solve : PowerIteration.Solve;

    private static DenseSymmetricOperator Goe(int n, ulong seed) => new(TestMatrices.Goe(n, new DeterministicRandom(seed)));

    public static TheoryData<string, int, int> BudgetCases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string solver in new[] { "lanczos", "power" })
        {
            foreach (int max in new[] { 1, 2, 7, 25 })
            {
                data.Add(solver, max, 1);
                data.Add(solver, max, 3);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BudgetCases))]
    public void MaxMatvecsIsHonouredExactly(string solver, int max, int k)
    {
        var op = new CountingOperator(Goe(200, 1));

        EigenResult result = Get(solver)(op, new EigenSolverOptions { Count = k, StopCriterion = StopCriteria.MaxMatvecs(max) });

        Assert.False(result.Converged);
        Assert.Equal(StopReason.MaxMatvecs, result.StopReason);
        Assert.Equal(max, result.Matvecs);
        Assert.Equal(op.Count, result.Matvecs);
        Assert.True(result.Eigenvalues.Length <= k);
        Assert.Equal(result.Eigenvalues.Length, result.Eigenvectors.Length);
        Assert.Equal(result.Eigenvalues.Length, result.Residuals.Length);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void DefaultBudgetIsHonouredWhenConvergenceIsOutOfReach(string solver)
    {
        var op = new CountingOperator(Goe(300, 2));

        EigenResult result = Get(solver)(op, new EigenSolverOptions
        {
            Count = 2,
            StopCriterion = StopCriteria.Default(maxMatvecs: 30, residualTolerance: 1e-14),
        });

        Assert.Equal(StopReason.MaxMatvecs, result.StopReason);
        Assert.Equal(30, result.Matvecs);
        Assert.Equal(30, op.Count);
    }

    [Theory]
    [InlineData("lanczos", 0)]
    [InlineData("lanczos", 5)]
    [InlineData("power", 0)]
    [InlineData("power", 5)]
    [InlineData("power", 20)]
    public void NaNFromTheOperatorGivesDivergedWithoutThrowing(string solver, int goodProducts)
    {
        var op = new CountingOperator(Goe(60, 3), nanAfter: goodProducts);

        EigenResult result = Get(solver)(op, new EigenSolverOptions { Count = 2 });

        Assert.False(result.Converged);
        Assert.Equal(StopReason.Diverged, result.StopReason);
        Assert.Equal(goodProducts + 1, result.Matvecs);
        Assert.Equal(op.Count, result.Matvecs);
        Assert.All(result.Eigenvalues, v => Assert.True(double.IsFinite(v)));
        Assert.All(result.Eigenvectors, v => Assert.True(v.All(double.IsFinite)));
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void AlreadyCancelledTokenStopsBeforeAnyProduct(string solver)
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        var op = new CountingOperator(Goe(30, 4));

        EigenResult result = Get(solver)(op, new EigenSolverOptions { CancellationToken = source.Token });

        Assert.Equal(StopReason.Cancelled, result.StopReason);
        Assert.False(result.Converged);
        Assert.Equal(0, result.Matvecs);
        Assert.Equal(0, op.Count);
        Assert.Empty(result.Eigenvalues);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void CancellationDuringTheRunStopsBeforeTheNextProduct(string solver)
    {
        using var source = new CancellationTokenSource();
        var op = new CountingOperator(Goe(200, 5));
        var cancelAtTwelve = new CallbackCriterion(state =>
        {
            if (state.Matvecs == 12)
            {
                source.Cancel();
            }
        });

        EigenResult result = Get(solver)(op, new EigenSolverOptions
        {
            StopCriterion = StopCriteria.Any(cancelAtTwelve, StopCriteria.Residual(1e-14)),
            CancellationToken = source.Token,
        });

        Assert.Equal(StopReason.Cancelled, result.StopReason);
        Assert.Equal(12, result.Matvecs);
        Assert.Equal(12, op.Count);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void CancellationCriterionStopsTheRun(string solver)
    {
        using var source = new CancellationTokenSource();
        source.Cancel();

        EigenResult result = Get(solver)(Goe(30, 6), new EigenSolverOptions
        {
            StopCriterion = StopCriteria.Any(StopCriteria.Cancellation(source.Token), StopCriteria.Residual()),
        });

        Assert.Equal(StopReason.Cancelled, result.StopReason);
        Assert.Equal(1, result.Matvecs);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void AllOfResidualAndRelativeChangeConvergesWithBothSatisfied(string solver)
    {
        double[,] a = TestMatrices.Spiked(100, [9, -7], new DeterministicRandom(7));
        EigenIterationState last = default;
        var recorder = new CallbackCriterion(state => last = state);

        EigenResult result = Get(solver)(new DenseSymmetricOperator(a), new EigenSolverOptions
        {
            StopCriterion = StopCriteria.Any(
                recorder,
                StopCriteria.All(StopCriteria.Residual(1e-9), StopCriteria.RelativeChange(1e-13)),
                StopCriteria.MaxMatvecs(20_000)),
        });

        Assert.Equal(StopReason.Converged, result.StopReason);
        Assert.True(last.RelativeChange <= 1e-13);
        Assert.True(last.Residuals[0] <= 1e-9 * Math.Abs(last.Eigenvalues[0]));
        Assert.Equal(result.Eigenvalues[0], last.Eigenvalues[0]);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void AnyStopsWhenItsBudgetCriterionFires(string solver)
    {
        EigenResult result = Get(solver)(Goe(50, 8), new EigenSolverOptions
        {
            StopCriterion = StopCriteria.Any(StopCriteria.MaxMatvecs(4), StopCriteria.Residual(1e-12)),
        });

        Assert.Equal(StopReason.MaxMatvecs, result.StopReason);
        Assert.Equal(4, result.Matvecs);
    }

    [Theory]
    [InlineData("lanczos", EigenTarget.LargestAlgebraic)]
    [InlineData("lanczos", EigenTarget.SmallestAlgebraic)]
    [InlineData("lanczos", EigenTarget.LargestMagnitude)]
    [InlineData("power", EigenTarget.LargestAlgebraic)]
    [InlineData("power", EigenTarget.SmallestAlgebraic)]
    [InlineData("power", EigenTarget.LargestMagnitude)]
    public void CriterionSeesEveryProductAndOrderedEstimates(string solver, EigenTarget target)
    {
        double[,] a = TestMatrices.Spiked(80, [6, 5, -6, -5], new DeterministicRandom(9));
        var states = new List<EigenIterationState>();
        var recorder = new CallbackCriterion(state => states.Add(state with
        {
            Eigenvalues = state.Eigenvalues.ToArray(),
            Residuals = state.Residuals.ToArray(),
        }));

        EigenResult result = Get(solver)(new DenseSymmetricOperator(a), new EigenSolverOptions
        {
            Count = 2,
            Target = target,
            StopCriterion = StopCriteria.Any(recorder, StopCriteria.Default(5000)),
        });

        Assert.True(result.Converged);
        Assert.Equal(Enumerable.Range(1, result.Matvecs), states.Select(s => s.Matvecs));
        Assert.True(double.IsPositiveInfinity(states[0].RelativeChange));
        foreach (EigenIterationState state in states.Where(s => s.Eigenvalues.Count == 2))
        {
            double x = state.Eigenvalues[0];
            double y = state.Eigenvalues[1];
            Assert.True(target switch
            {
                EigenTarget.LargestAlgebraic => x >= y,
                EigenTarget.SmallestAlgebraic => x <= y,
                _ => Math.Abs(x) >= Math.Abs(y),
            });
        }

        EigenIterationState final = states[^1];
        Assert.Equal(result.Eigenvalues, final.Eigenvalues);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(result.Residuals[i], final.Residuals[i], 1e-12);
        }
    }

    private sealed class CallbackCriterion(Action<EigenIterationState> callback) : IEigenStopCriterion
    {
        public StopReason Check(in EigenIterationState state)
        {
            callback(state);
            return StopReason.None;
        }
    }
}
