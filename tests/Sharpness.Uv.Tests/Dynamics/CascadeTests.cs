using Sharpness.Core.Dynamics;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Uv.Tests.Dynamics;

public class CascadeTests
{
    [Fact]
    public void ManifoldCascadeFlipsAtOneAndRootFiveMinusOneThenFollowsFeigenbaum()
    {
        var map = new UvManifoldMap();
        var start = PeriodicOrbitFinder.Find(map, 0.5, 1, [0.5]);

        var cascade = PeriodDoublingCascade.Follow(map, start, searchEnd: 2, maxPeriod: 64);

        Assert.Equal([2, 4, 8, 16, 32, 64], cascade.FlipPoints.Select(f => f.ToPeriod));
        Assert.Equal(1.0, cascade.FlipPoints[0].Parameter, 10);
        Assert.Equal(Math.Sqrt(5) - 1, cascade.FlipPoints[1].Parameter, 10);
        Assert.All(cascade.FlipPoints, f => Assert.True(f.BracketWidth < 1e-12));
        Assert.InRange(cascade.FeigenbaumRatios[^1], 4.6, 4.75);
        double lastInterval = cascade.FlipPoints[^1].Parameter - cascade.FlipPoints[^2].Parameter;
        Assert.InRange(cascade.Accumulation, cascade.FlipPoints[^1].Parameter, cascade.FlipPoints[^1].Parameter + lastInterval);
    }

    [Fact]
    public void TwoCycleFoundByNewtonEqualsTheClosedForm()
    {
        foreach (double r in new[] { 1.05, 1.1, 1.2 })
        {
            var (plus, minus) = UvFixedPoints.TwoCycle(r);
            var orbit = PeriodicOrbitFinder.Find(new UvScaledIteratedMap(), r, 2, [plus.G + 0.01, plus.X - 0.02]);
            var points = orbit.Points.OrderBy(p => p[0]).ToArray();

            Assert.Equal(minus.G, points[0][0], 12);
            Assert.Equal(minus.X, points[0][1], 12);
            Assert.Equal(plus.G, points[1][0], 12);
            Assert.Equal(plus.X, points[1][1], 12);
            Assert.Contains(orbit.Multipliers, m => Math.Abs(m.Real - UvFixedPoints.TwoCycleMultiplier(r)) < 1e-10);
            Assert.True(orbit.IsStable);
        }
    }

    [Fact]
    public void FullMapCascadeFromTheTwoCycleHasTheManifoldFlipPoints()
    {
        var (plus, _) = UvFixedPoints.TwoCycle(1.1);
        var full = PeriodDoublingCascade.Follow(new UvScaledIteratedMap(), PeriodicOrbitFinder.Find(new UvScaledIteratedMap(), 1.1, 2, [plus.G, plus.X]), searchEnd: 2, maxPeriod: 32);
        var manifold = PeriodDoublingCascade.Follow(new UvManifoldMap(), PeriodicOrbitFinder.Find(new UvManifoldMap(), 1.1, 2, [plus.G]), searchEnd: 2, maxPeriod: 32);

        Assert.Equal([4, 8, 16, 32], full.FlipPoints.Select(f => f.ToPeriod));
        Assert.Equal(Math.Sqrt(5) - 1, full.FlipPoints[0].Parameter, 10);
        for (int k = 0; k < full.FlipPoints.Count; k++)
        {
            Assert.Equal(manifold.FlipPoints[k].Parameter, full.FlipPoints[k].Parameter, 9);
        }
    }

    [Fact]
    public void SignFlipPointsAndOriginAreFixedPoints()
    {
        var map = new UvScaledIteratedMap();
        foreach (double r in new[] { 0.0, 0.5, 1.3 })
        {
            var (upper, lower) = UvFixedPoints.SignFlipPoints(r);
            foreach (var point in new[] { upper, lower, UvFixedPoints.Origin })
            {
                var next = UvScaledMap.Step(point, r);
                Assert.Equal(point.G, next.G, 12);
                Assert.Equal(point.X, next.X, 12);
            }

            var orbit = PeriodicOrbitDescription(map, r, upper);
            Assert.False(orbit.IsStable);
        }
    }

    [Fact]
    public void ManifoldMapStaysBoundedBelowTheCrisisAndEscapesAboveIt()
    {
        var map = new UvManifoldMap();
        var below = LyapunovSpectrum.Compute(map, UvFixedPoints.ManifoldCrisis - 1e-3, [0.5], transient: 0, steps: 200_000);
        var above = LyapunovSpectrum.Compute(map, UvFixedPoints.ManifoldCrisis + 1e-3, [0.5], transient: 0, steps: 200_000);

        Assert.False(below.Diverged);
        Assert.True(below.Exponents[0] > 0);
        Assert.True(above.Diverged);
    }

    [Theory]
    [InlineData(0.3, 0.7)]
    [InlineData(1.3, 1.9)]
    [InlineData(1.8, 0.2)]
    public void ManifoldMapJacobianMatchesFiniteDifferences(double r, double g)
    {
        var map = new UvManifoldMap();
        var jacobian = new double[1];
        map.Jacobian([g], r, jacobian);
        const double h = 1e-6;
        var plus = new double[1];
        var minus = new double[1];
        map.Step([g + h], r, plus);
        map.Step([g - h], r, minus);

        Assert.Equal((plus[0] - minus[0]) / (2 * h), jacobian[0], 7);
    }

    [Fact]
    public void ManifoldMapIsTheScaledMapRestrictedToTheManifold()
    {
        foreach (double g in new[] { 0.1, 0.8, 1.7 })
        {
            var next = new double[1];
            new UvManifoldMap().Step([g], 1.2, next);
            var full = UvScaledMap.Step(new UvScaledState(g, 2 * g), 1.2);

            Assert.Equal(full.G, next[0], 13);
            Assert.Equal(2 * full.G, full.X, 12);
        }
    }

    private static PeriodicOrbit PeriodicOrbitDescription(IIteratedMap map, double r, UvScaledState point) =>
        PeriodicOrbitFinder.Describe(map, r, 1, [point.G, point.X]);
}
