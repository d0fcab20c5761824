using Sharpness.Uv.Model;

namespace Sharpness.Uv.Tests.Model;

public class ReductionTests
{
    [Theory]
    [InlineData(1, 1, "ntp", 0.0)]
    [InlineData(5, 3, "ntp", 0.0)]
    [InlineData(40, 7, "sp", 0.0)]
    [InlineData(25, 4, "mup", 0.05)]
    [InlineData(12, 2, "s=0.3", 0.1)]
    public void FullFirstLayerGradientDescentEqualsTheReducedModel(int width, int inputDim, string param, double gamma)
    {
        Assert.True(Parameterisation.TryParse(param, out var parameterisation));
        var config = new UvModelConfig
        {
            Width = width,
            Input = Enumerable.Range(0, inputDim).Select(j => 0.7 - (0.4 * j)).ToArray(),
            Parameterisation = parameterisation!,
            Target = 0.8,
            Seed = 5,
        };
        var full = UvFullNetwork.Create(config);
        var reduced = UvNetwork.Create(config);
        double eta = 1.5 / reduced.Ntk;

        for (int t = 0; t <= 250; t++)
        {
            AssertRelative(full.Output, reduced.Output, Math.Max(1, Math.Abs(full.Output)), $"f at step {t}");
            AssertRelative(full.Ntk, reduced.Ntk, full.Ntk, $"λ at step {t}");
            full.Step(eta, config.Target, gamma);
            reduced.Step(eta, config.Target, gamma);
        }
    }

    [Fact]
    public void InputDimensionAboveOneReducesExactlyToOneDimensionalModel()
    {
        // d = 4: U x / |x| and S / |x| define a d = 1 model that must follow the same trajectory.
        var config = new UvModelConfig { Width = 16, Input = [0.5, -1.0, 2.0, 0.25], Target = 1.2, Seed = 9 };
        var full = UvFullNetwork.Create(config);
        double norm = config.InputNorm;
        var column = new double[config.Width, 1];
        var v = new double[config.Width];
        for (int i = 0; i < config.Width; i++)
        {
            double dot = 0;
            for (int j = 0; j < 4; j++)
            {
                dot += full.UAt(i, j) * config.Input[j];
            }

            column[i, 0] = dot / norm;
            v[i] = full.VAt(i);
        }

        double eta = 1.7 / full.Ntk;
        var oneDimensional = UvFullNetwork.Create(new UvModelConfig
        {
            Input = [1.0],
            Target = config.Target,
            NormaliserOverride = config.Normaliser / norm,
            InitialWeights = new UvInitialWeights(column, v),
        });

        for (int t = 0; t <= 300; t++)
        {
            AssertRelative(full.Output, oneDimensional.Output, Math.Max(1, Math.Abs(full.Output)), $"f at step {t}");
            AssertRelative(full.Ntk, oneDimensional.Ntk, full.Ntk, $"λ at step {t}");
            full.Step(eta, config.Target);
            oneDimensional.Step(eta, config.Target);
        }
    }

    [Fact]
    public void SameSeedGivesIdenticalWeightsAndDifferentSeedsDiffer()
    {
        var a = UvNetwork.Create(new UvModelConfig { Width = 64, Seed = 42 });
        var b = UvNetwork.Create(new UvModelConfig { Width = 64, Seed = 42 });
        var c = UvNetwork.Create(new UvModelConfig { Width = 64, Seed = 43 });

        Assert.True(a.U.SequenceEqual(b.U) && a.V.SequenceEqual(b.V));
        Assert.False(a.U.SequenceEqual(c.U));
    }

    private static void AssertRelative(double actual, double expected, double scale, string what)
    {
        double tolerance = 1e-12 * Math.Abs(scale);
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: {actual:R} vs {expected:R}");
    }
}
