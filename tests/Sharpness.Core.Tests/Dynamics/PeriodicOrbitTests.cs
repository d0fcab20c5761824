using Sharpness.Core.Dynamics;

namespace Sharpness.Core.Tests.Dynamics;

public class PeriodicOrbitTests
{
    [Fact]
    public void LogisticTwoCycleMatchesItsClosedForm()
    {
        const double a = 3.2;
        var orbit = PeriodicOrbitFinder.Find(new LogisticMap(), a, 2, [0.5]);

        double root = Math.Sqrt(((a + 1) * (a - 3)));
        double[] expected = [(a + 1 - root) / (2 * a), (a + 1 + root) / (2 * a)];
        Assert.Equal(expected, orbit.Points.Select(p => p[0]).Order(), new ToleranceComparer(1e-13));
        Assert.Equal(4 + (2 * a) - (a * a), orbit.Multipliers[0].Real, 12);
        Assert.True(orbit.IsStable);
    }

    [Fact]
    public void NewtonRefusesAShorterPeriodThanAskedFor()
    {
        // At a = 2.5 only the fixed point exists; a period-2 search converges to it and is rejected.
        Assert.Null(PeriodicOrbitFinder.TryFind(new LogisticMap(), 2.5, 2, [0.55]));
        Assert.NotNull(PeriodicOrbitFinder.TryFind(new LogisticMap(), 2.5, 1, [0.55]));
    }

    [Fact]
    public void HenonFixedPointMultipliersMultiplyToMinusB()
    {
        const double a = 1.4;
        double x = (-(1 - HenonMap.B) + Math.Sqrt(((1 - HenonMap.B) * (1 - HenonMap.B)) + (4 * a))) / (2 * a);
        var orbit = PeriodicOrbitFinder.Find(new HenonMap(), a, 1, [0.6, 0.2]);

        Assert.Equal(x, orbit.Points[0][0], 12);
        Assert.Equal(-HenonMap.B, (orbit.Multipliers[0] * orbit.Multipliers[1]).Real, 12);
        Assert.False(orbit.IsStable);
    }

    [Fact]
    public void LogisticCascadeStartsAtThreeAndOnePlusRootSix()
    {
        var start = PeriodicOrbitFinder.Find(new LogisticMap(), 2.5, 1, [0.6]);
        var cascade = PeriodDoublingCascade.Follow(new LogisticMap(), start, searchEnd: 3.6, maxPeriod: 64);

        Assert.Equal([2, 4, 8, 16, 32, 64], cascade.FlipPoints.Select(f => f.ToPeriod));
        Assert.Equal(3.0, cascade.FlipPoints[0].Parameter, 10);
        Assert.Equal(1 + Math.Sqrt(6), cascade.FlipPoints[1].Parameter, 10);
        Assert.Equal(PeriodDoublingCascade.FeigenbaumDelta, cascade.FeigenbaumRatios[^1], 1);
        Assert.Equal(3.5699456718695445, cascade.Accumulation, 4);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
