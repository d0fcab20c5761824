using CsCheck;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;

namespace Sharpness.Uv.Tests.Dynamics;

public class FunctionSpaceMapTests
{
    public static TheoryData<int, int, string, double, double, double, double> Cases => new()
    {
        // width, input dim, parameterisation, base variance, ηλ₀ (sets η), γ, target
        { 1, 1, "ntp", 1.0, 0.3, 0.0, 1.0 },
        { 2, 1, "mup", 1.0, 0.8, 0.0, 0.5 },
        { 10, 3, "ntp", 1.0, 0.9, 0.0, 1.0 },
        { 50, 1, "sp", 2.0, 0.2, 0.0, -1.0 },
        { 200, 5, "s=0.5", 1.0, 0.4, 0.0, 1.0 },
        { 1000, 1, "ntp", 1.0, 1.9, 0.0, 2.0 },
        { 1000, 2, "mup", 1.0, 1.5, 0.05, 0.3 },
        { 20, 1, "ntp", 0.5, 0.5, 0.1, 1.0 },
        { 100, 4, "sp", 1.0, 0.7, 0.02, 1.5 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ParameterSpaceGradientDescentEqualsTheExactMap(int width, int inputDim, string param, double baseVariance, double initialLrNtk, double gamma, double target)
    {
        Assert.True(Parameterisation.TryParse(param, out var parameterisation));
        var config = new UvModelConfig
        {
            Width = width,
            Input = Enumerable.Range(1, inputDim).Select(i => 0.3 * i).ToArray(),
            Parameterisation = parameterisation!,
            BaseVariance = baseVariance,
            Target = target,
            Seed = 7,
        };
        var network = UvNetwork.Create(config);
        double eta = initialLrNtk / network.Ntk;
        double s = network.Normaliser;
        var physical = new UvFunctionState(network.Output, network.Ntk);
        var scaled = UvScaledState.FromPhysical(physical, eta, s);
        double r = UvScaledState.ScaledTarget(eta, target, s);
        double scale = Math.Max(Math.Abs(target), Math.Abs(physical.Output));

        for (int t = 1; t <= 300; t++)
        {
            network.Step(eta, target, gamma);
            physical = UvFunctionSpaceMap.Step(physical, eta, target, s, gamma);
            scaled = UvScaledMap.Step(scaled, r, 1 - (eta * gamma));

            AssertClose(network.Output, physical.Output, scale, $"f at step {t}");
            AssertClose(network.Ntk, physical.Ntk, physical.Ntk, $"λ at step {t}");
            AssertClose(eta * network.Output / s, scaled.G, eta * scale / s, $"g at step {t}");
            AssertClose(eta * network.Ntk, scaled.X, scaled.X, $"x at step {t}");
        }
    }

    [Theory]
    [InlineData(0.7, 0.4, 0.9, 1.0)]
    [InlineData(1.3, -0.2, 3.1, 1.0)]
    [InlineData(0.2, 1.5, 2.2, 0.98)]
    public void ScaledJacobianMatchesFiniteDifferences(double r, double g, double x, double rho)
    {
        var (a, b, c, d) = UvScaledMap.Jacobian(new UvScaledState(g, x), r, rho);
        const double h = 1e-6;
        var gp = UvScaledMap.Step(new UvScaledState(g + h, x), r, rho);
        var gm = UvScaledMap.Step(new UvScaledState(g - h, x), r, rho);
        var xp = UvScaledMap.Step(new UvScaledState(g, x + h), r, rho);
        var xm = UvScaledMap.Step(new UvScaledState(g, x - h), r, rho);

        Assert.Equal((gp.G - gm.G) / (2 * h), a, 6);
        Assert.Equal((xp.G - xm.G) / (2 * h), b, 6);
        Assert.Equal((gp.X - gm.X) / (2 * h), c, 6);
        Assert.Equal((xp.X - xm.X) / (2 * h), d, 6);
    }

    [Fact]
    public void MultipliersOfTheLineOfMinimaAreOneMinusXAndOne()
    {
        double r = 0.6, x = 1.3;
        var (a, b, c, d) = UvScaledMap.Jacobian(new UvScaledState(r, x), r);
        double trace = a + d, determinant = (a * d) - (b * c);

        Assert.Equal(1 - x + 1, trace, 12);
        Assert.Equal(1 - x, determinant, 12);
    }

    [Fact]
    public void SharpnessGrowsExactlyInsideTheGrowthWedge()
    {
        // Section 5: for 0 < x < 4 and r > 0 one step raises x iff −r x/(4 − x) < g < r.
        Gen.Select(Gen.Double[0.01, 3.99], Gen.Double[0.01, 3.0], Gen.Double[-6.0, 6.0]).Sample((x, r, g) =>
        {
            double change = UvScaledMap.Step(new UvScaledState(g, x), r).X - x;
            bool inside = (-r * x / (4 - x)) < g && g < r;
            double margin = Math.Min(Math.Abs(g - r), Math.Abs(g + (r * x / (4 - x))));
            return margin < 1e-9 || (change > 0) == inside;
        });
    }

    private static void AssertClose(double actual, double expected, double scale, string what)
    {
        double tolerance = 1e-12 * Math.Max(Math.Abs(scale), Math.Abs(expected));
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: parameter space {actual:R}, map {expected:R}, difference {Math.Abs(actual - expected):G3} > {tolerance:G3}");
    }
}
