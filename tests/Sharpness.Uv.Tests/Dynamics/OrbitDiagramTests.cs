using Sharpness.Core.Random;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Uv.Tests.Dynamics;

public class OrbitDiagramTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.97)]
    public void SimdLanesAreBitIdenticalToTheScalarMap(double rho)
    {
        var rng = new DeterministicRandom(5);
        var points = Enumerable.Range(0, 150)
            .Select(_ => new OrbitPoint(0.2 + (1.6 * rng.NextDouble()), 0.8 * rng.NextDouble(), 0.1 + (3.5 * rng.NextDouble())))
            .ToArray();
        var samples = Collect(sink => OrbitDiagram.ComputeIndependent(points, transient: 300, keep: 40, sink, rho));

        Assert.Equal(Enumerable.Range(0, points.Length), samples.Select(s => s.Index));
        foreach (var sample in samples)
        {
            var state = new UvScaledState(sample.Point.G0, sample.Point.X0);
            int? diverged = null;
            var g = new List<double>();
            var x = new List<double>();
            for (int t = 1; t <= 340; t++)
            {
                state = UvScaledMap.Step(state, sample.Point.R, rho);
                if (diverged is null && !(Math.Abs(state.G) <= 1e6 && Math.Abs(state.X) <= 1e6))
                {
                    diverged = t;
                }

                if (t > 300)
                {
                    g.Add(diverged is null ? state.G : double.NaN);
                    x.Add(diverged is null ? state.X : double.NaN);
                }
            }

            Assert.Equal(diverged, sample.DivergedAtStep);
            Assert.Equal(g, sample.G);
            Assert.Equal(x, sample.X);
        }

        Assert.Contains(samples, s => s.DivergedAtStep is not null);
        Assert.Contains(samples, s => s.DivergedAtStep is null);
    }

    [Fact]
    public void ColdStartedSweepShowsTheClosedFormTwoCycle()
    {
        double[] rs = [1.02, 1.1, 1.2];
        var points = rs.Select(r => new OrbitPoint(r, 0.5, 1.0)).ToArray();
        var samples = Collect(sink => OrbitDiagram.ComputeIndependent(points, transient: 5000, keep: 2, sink));

        foreach (var sample in samples)
        {
            var (plus, minus) = UvFixedPoints.TwoCycle(sample.Point.R);
            Assert.Equal(plus.X, sample.X.Max(), 9);
            Assert.Equal(minus.X, sample.X.Min(), 9);
        }
    }

    [Fact]
    public void WarmStartRemembersTheHistoryAlongTheLineOfMinima()
    {
        // Below r = 1 every run converges to a minimum g = r, but the NTK x at which it lands depends
        // on where it came from: the minima form a line of neutral fixed points (eigenvalue 1).
        // Sweeping r up and then down therefore lands on different minima at the same r (hysteresis),
        // while cold starts give one answer per r whatever the order.
        double[] rs = Enumerable.Range(0, 9).Select(i => 0.1 + (0.1 * i)).ToArray();
        var points = rs.Select(r => new OrbitPoint(r, 0.0, 1.5)).ToArray();

        var warm = Collect(sink => OrbitDiagram.ComputeWarmStarted(points, transient: 3000, keep: 1, SweepDirection.Both, sink));
        var cold = Collect(sink => OrbitDiagram.ComputeIndependent(points, transient: 3000, keep: 1, sink));

        Assert.Equal(2 * rs.Length, warm.Count);
        foreach (var sample in warm)
        {
            Assert.Equal(sample.Point.R, sample.G[0], 10);
            Assert.InRange(sample.X[0], 0, 2);
        }

        var up = warm.Where(s => s.Pass == 0).ToDictionary(s => s.Index, s => s.X[0]);
        var down = warm.Where(s => s.Pass == 1).ToDictionary(s => s.Index, s => s.X[0]);
        Assert.Contains(Enumerable.Range(0, rs.Length - 1), i => Math.Abs(up[i] - down[i]) > 1e-3);
        Assert.Equal(cold[0].X[0], up[0]);
        Assert.Equal(up[rs.Length - 1], down[rs.Length - 1], 10);
    }

    [Fact]
    public void WarmStartAfterDivergenceRestartsFromTheNextValuesOwnState()
    {
        var points = new[] { new OrbitPoint(0.0, 0.1, 3.0), new OrbitPoint(3.0, 0.1, 5.0), new OrbitPoint(0.0, 0.1, 3.0) };
        var samples = Collect(sink => OrbitDiagram.ComputeWarmStarted(points, transient: 500, keep: 3, SweepDirection.Up, sink));

        Assert.Null(samples[0].DivergedAtStep);
        Assert.NotNull(samples[1].DivergedAtStep);
        Assert.All(samples[1].X, v => Assert.True(double.IsNaN(v)));
        Assert.Equal(samples[0].X, samples[2].X);
    }

    private static List<OrbitSamples> Collect(Action<Action<OrbitSamples>> compute)
    {
        var list = new List<OrbitSamples>();
        compute(list.Add);
        return list;
    }
}
