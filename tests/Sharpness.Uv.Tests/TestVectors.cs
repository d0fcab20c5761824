using System.Globalization;
using Sharpness.Uv.Model;

namespace Sharpness.Uv.Tests;

/// <summary>The test vectors of uv-model.md section 9 and helpers to compare printed decimals.</summary>
internal static class TestVectors
{
    /// <summary>TV1: n = 4, s = 2, y = 1, η = 0.5.</summary>
    public static UvModelConfig Tv1Model => FromColumns([0.5, -0.3, 0.8, 0.1], [0.2, 0.4, -0.6, 0.9], normaliser: 2);

    /// <summary>TV3: n = 4, s = 2, u = v = 1, y = 1, η = 2.1 (on the manifold, r = 1.05).</summary>
    public static UvModelConfig Tv3Model => FromColumns([1, 1, 1, 1], [1, 1, 1, 1], normaliser: 2);

    public static UvModelConfig FromColumns(double[] u, double[] v, double normaliser, double target = 1)
    {
        var matrix = new double[u.Length, 1];
        for (int i = 0; i < u.Length; i++)
        {
            matrix[i, 0] = u[i];
        }

        return new UvModelConfig
        {
            Input = [1.0],
            Target = target,
            NormaliserOverride = normaliser,
            InitialWeights = new UvInitialWeights(matrix, v),
        };
    }

    /// <summary>Asserts that <paramref name="actual"/> matches a printed decimal to 1e-9, or to half a unit of its last printed digit when that is coarser.</summary>
    public static void AssertMatchesPrinted(string printed, double actual, string what)
    {
        double expected = double.Parse(printed, CultureInfo.InvariantCulture);
        int dot = printed.IndexOf('.', StringComparison.Ordinal);
        int decimals = dot < 0 ? 0 : printed.Length - dot - 1;
        // Printed values are rounded half away from zero: the bound is inclusive, with room for binary rounding.
        double tolerance = Math.Max(1e-9, 0.5 * Math.Pow(10, -decimals)) * (1 + 1e-9);
        Assert.True(Math.Abs(actual - expected) <= tolerance, $"{what}: expected {printed} (±{tolerance:G2}), got {actual:R}");
    }
}
