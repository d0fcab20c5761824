using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Nets.Experiments;

namespace Sharpness.Nets.Tests.Experiments;

public sealed class RitzCriteriaTests
{
    private static EigenIterationState State(double value, double residual) => new(3, 3, [value], [residual], 0.1);

    [Fact]
    public void AboveStopsOnlyWhenTheRitzValuePassesTheBound()
    {
        var above = new RitzValueAboveCriterion(10);

        Assert.Equal(StopReason.Cancelled, above.Check(State(10.001, 5)));
        Assert.Equal(StopReason.None, above.Check(State(10, 0)));
        Assert.Equal(StopReason.None, above.Check(State(double.NaN, 0)));
        Assert.Equal(StopReason.None, above.Check(new EigenIterationState(1, 1, [], [], double.PositiveInfinity)));
    }

    [Fact]
    public void BelowStopsOnlyWhenTheWholeResidualIntervalIsBelowTheBound()
    {
        var below = new RitzIntervalBelowCriterion(10, minimumMatvecs: 3);

        Assert.Equal(StopReason.Cancelled, below.Check(State(9, 0.9)));
        Assert.Equal(StopReason.None, below.Check(State(9, 1.0)));
        Assert.Equal(StopReason.None, below.Check(State(9, double.MaxValue)));
        Assert.Equal(StopReason.None, new RitzIntervalBelowCriterion(10, minimumMatvecs: 4).Check(State(9, 0.9)));
    }

    [Fact]
    public void OnADenseMatrixTheEarlyStopsGiveTheRightVerdictWithFewerProducts()
    {
        // Eigenvalues 10, 9.5, 9, ..., 0.5 on a random orthogonal basis: the top is 10.
        int n = 20;
        var values = Enumerable.Range(0, n).Select(i => 10 - (0.5 * i)).ToArray();
        var op = new DenseSymmetricOperator(RandomSymmetric(values, seed: 3));
        var full = Lanczos.Solve(op, new EigenSolverOptions { StopCriterion = StopCriteria.Default(200, 1e-12), Seed = 1 });

        var above = Lanczos.Solve(op, new EigenSolverOptions { StopCriterion = StopCriteria.Any(new RitzValueAboveCriterion(8), StopCriteria.Default(200, 1e-12)), Seed = 1 });
        var below = Lanczos.Solve(op, new EigenSolverOptions { StopCriterion = StopCriteria.Any(new RitzIntervalBelowCriterion(14, 2), StopCriteria.Default(200, 1e-12)), Seed = 1 });

        Assert.Equal(10, full.Eigenvalues[0], 9);
        Assert.Equal(StopReason.Cancelled, above.StopReason);
        Assert.True(above.Eigenvalues[0] > 8 && above.Eigenvalues[0] <= 10 + 1e-12);
        Assert.Equal(StopReason.Cancelled, below.StopReason);
        Assert.True(below.Eigenvalues[0] + below.Residuals[0] < 14);
        Assert.True(above.Matvecs < full.Matvecs && below.Matvecs < full.Matvecs);
    }

    private static double[,] RandomSymmetric(double[] eigenvalues, ulong seed)
    {
        int n = eigenvalues.Length;
        var random = new Core.Random.DeterministicRandom(seed);
        var q = new double[n, n];
        var column = new double[n];
        for (int j = 0; j < n; j++)
        {
            random.FillGaussian(column);
            for (int k = 0; k < j; k++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++)
                {
                    dot += q[i, k] * column[i];
                }

                for (int i = 0; i < n; i++)
                {
                    column[i] -= dot * q[i, k];
                }
            }

            double norm = Math.Sqrt(column.Sum(x => x * x));
            for (int i = 0; i < n; i++)
            {
                q[i, j] = column[i] / norm;
            }
        }

        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int k = 0; k < n; k++)
                {
                    a[i, j] += q[i, k] * eigenvalues[k] * q[j, k];
                }
            }
        }

        return a;
    }
}
