using Sharpness.Core.Optimization;

namespace Sharpness.Core.Tests.Optimization;

public class NelderMeadTests
{
    [Fact]
    public void FindsTheMinimumOfAShiftedQuadratic()
    {
        // f = (x − 3)² + 10 (y + 1.5)² + 2: minimum 2 at (3, −1.5), by construction.
        var result = NelderMead.Minimize(p => Math.Pow(p[0] - 3, 2) + (10 * Math.Pow(p[1] + 1.5, 2)) + 2, [0, 0], [1, 1], tolerance: 1e-14);

        Assert.True(result.Converged);
        Assert.Equal(3, result.Point[0], 6);
        Assert.Equal(-1.5, result.Point[1], 6);
        Assert.Equal(2, result.Value, 12);
    }

    [Fact]
    public void FindsTheRosenbrockMinimum()
    {
        // (1 − x)² + 100 (y − x²)²: the curved valley ends at its only minimum, 0 at (1, 1).
        var result = NelderMead.Minimize(p => Math.Pow(1 - p[0], 2) + (100 * Math.Pow(p[1] - (p[0] * p[0]), 2)), [-1.2, 1], [0.5, 0.5], tolerance: 1e-16);

        Assert.Equal(1, result.Point[0], 5);
        Assert.Equal(1, result.Point[1], 5);
        Assert.True(result.Value < 1e-10, $"value {result.Value}");
    }

    [Fact]
    public void MinimisesInOneDimension()
    {
        // cosh(x − 0.7) has its minimum 1 at x = 0.7.
        var result = NelderMead.Minimize(p => Math.Cosh(p[0] - 0.7), [5], [1], tolerance: 1e-14);

        Assert.Equal(0.7, result.Point[0], 6);
        Assert.Equal(1, result.Value, 12);
    }

    [Fact]
    public void TreatsNonFiniteValuesAsWorseThanAnyFiniteOne()
    {
        // Outside x > 0 the objective is NaN; the minimum of x − ln x is 1 at x = 1.
        var result = NelderMead.Minimize(p => p[0] > 0 ? p[0] - Math.Log(p[0]) : double.NaN, [3], [-4], tolerance: 1e-14);

        Assert.Equal(1, result.Point[0], 6);
        Assert.Equal(1, result.Value, 12);
    }

    [Fact]
    public void StopsAtTheEvaluationBudget()
    {
        int calls = 0;
        var result = NelderMead.Minimize(p => { calls++; return Math.Pow(1 - p[0], 2) + (100 * Math.Pow(p[1] - (p[0] * p[0]), 2)); }, [-1.2, 1], [0.1, 0.1], maxEvaluations: 20);

        Assert.False(result.Converged);
        Assert.Equal(calls, result.Evaluations);
        Assert.InRange(result.Evaluations, 20, 23);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentException>(() => NelderMead.Minimize(p => 0, [1, 2], [1]));
        Assert.Throws<ArgumentException>(() => NelderMead.Minimize(p => 0, [1], [0]));
        Assert.Throws<ArgumentException>(() => NelderMead.Minimize(p => 0, [double.NaN], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => NelderMead.Minimize(p => 0, [1], [1], tolerance: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => NelderMead.Minimize(p => 0, [1], [1], maxEvaluations: 1));
    }
}
