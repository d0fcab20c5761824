using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Core.Spectral;
using Sharpness.Core.Tests.TestSupport;

namespace Sharpness.Core.Tests.Spectral;

public sealed class HutchinsonTraceTests
{
    [Fact]
    public void RademacherProbesAreSignsWithBalancedFrequencies()
    {
        var probe = new double[10_000];
        RandomProbes.Rademacher(seed: 3, index: 5, probe);
        Assert.All(probe, x => Assert.True(x is 1.0 or -1.0));
        // Binomial(10 000, ½): the sum has standard deviation 100.
        Assert.InRange(probe.Sum(), -500, 500);

        var again = new double[10_000];
        RandomProbes.Rademacher(seed: 3, index: 5, again);
        Assert.Equal(probe, again);
        RandomProbes.Rademacher(seed: 3, index: 6, again);
        Assert.NotEqual(probe, again);
    }

    [Fact]
    public void ADiagonalMatrixIsEstimatedExactlyWithZeroErrorAtTheMinimumProbeCount()
    {
        // vᵀ D v = Σ d_i v_i² = tr(D) for every ±1 vector.
        var op = new DenseSymmetricOperator(TestMatrices.Diagonal(3, -1, 0.5, 7, 2));

        TraceEstimate estimate = HutchinsonTrace.Estimate(op, new HutchinsonOptions { MinProbes = 4, Seed = 1 });

        Assert.Equal(11.5, estimate.Estimate, 12);
        Assert.Equal(0, estimate.StandardError, 12);
        Assert.Equal(4, estimate.Probes);
        Assert.True(estimate.Converged);
    }

    [Fact]
    public void TheEstimateOfADenseMatrixLiesWithinFourStandardErrorsOfTheTraceAndTheErrorMatchesTheory()
    {
        var random = new DeterministicRandom(7);
        double[] spectrum = Enumerable.Range(0, 60).Select(i => Math.Sin(i) * 3 + 0.5).ToArray();
        double[,] a = TestMatrices.WithSpectrum(spectrum, random);
        var op = new DenseSymmetricOperator(a);

        TraceEstimate estimate = HutchinsonTrace.Estimate(op, new HutchinsonOptions { RelativeTolerance = 0, MinProbes = 400, MaxProbes = 400, Seed = 2 });

        double trace = spectrum.Sum();
        Assert.Equal(400, estimate.Probes);
        Assert.InRange(estimate.Estimate, trace - 4 * estimate.StandardError, trace + 4 * estimate.StandardError);
        // One Rademacher sample has variance 2 Σ_{i≠j} a_ij²; the sample standard error estimates √(that / n).
        double offDiagonal = 0;
        for (int i = 0; i < 60; i++)
        {
            for (int j = 0; j < 60; j++)
            {
                offDiagonal += i == j ? 0 : a[i, j] * a[i, j];
            }
        }

        double theory = Math.Sqrt(2 * offDiagonal / 400);
        Assert.InRange(estimate.StandardError / theory, 0.85, 1.15);
    }

    [Fact]
    public void TheRunStopsAtTheFirstProbeWhoseRelativeStandardErrorIsWithinTheTolerance()
    {
        var op = new DenseSymmetricOperator(TestMatrices.WithSpectrum(Enumerable.Range(1, 30).Select(i => (double)i).ToArray(), new DeterministicRandom(4)));
        var options = new HutchinsonOptions { RelativeTolerance = 0.02, MinProbes = 5, MaxProbes = 1000, Seed = 9 };

        TraceEstimate estimate = HutchinsonTrace.Estimate(op, options);

        Assert.True(estimate.Converged);
        Assert.True(estimate.StandardError <= 0.02 * Math.Abs(estimate.Estimate));
        // A second path to the same numbers: the fixed-probe estimator on the same probes, one fewer, is not yet within tolerance.
        var probes = Enumerable.Range(0, estimate.Probes).Select(i =>
        {
            var v = new double[op.Size];
            RandomProbes.Rademacher(9, i, v);
            return v;
        }).ToArray();
        TraceEstimate same = HutchinsonTrace.Estimate(op, probes);
        Assert.Equal(estimate.Estimate, same.Estimate, 12);
        Assert.Equal(estimate.StandardError, same.StandardError, 12);
        TraceEstimate before = HutchinsonTrace.Estimate(op, probes[..^1]);
        Assert.True(estimate.Probes > options.MinProbes);
        Assert.True(before.StandardError > 0.02 * Math.Abs(before.Estimate));
    }

    [Fact]
    public void TheBudgetEndsARunThatCannotReachTheTolerance()
    {
        var op = new DenseSymmetricOperator(TestMatrices.Goe(40, new DeterministicRandom(5)));

        TraceEstimate estimate = HutchinsonTrace.Estimate(op, new HutchinsonOptions { RelativeTolerance = 1e-9, MinProbes = 3, MaxProbes = 12 });

        Assert.Equal(12, estimate.Probes);
        Assert.False(estimate.Converged);
    }

    [Fact]
    public void CancellationReturnsTheProbesSoFarUnconverged()
    {
        using var source = new CancellationTokenSource();
        var op = new DenseSymmetricOperator(TestMatrices.Goe(20, new DeterministicRandom(6)));

        TraceEstimate estimate = HutchinsonTrace.Estimate(
            op,
            new HutchinsonOptions { RelativeTolerance = 1e-12, MaxProbes = 50, CancellationToken = source.Token },
            e =>
            {
                if (e.Probes == 7)
                {
                    source.Cancel();
                }
            });

        Assert.Equal(7, estimate.Probes);
        Assert.False(estimate.Converged);
    }

    [Theory]
    [InlineData(-0.1, 10, 100)]
    [InlineData(0.01, 1, 100)]
    [InlineData(0.01, 10, 9)]
    public void InvalidOptionsAreRejectedByName(double tolerance, int minProbes, int maxProbes)
    {
        var op = new DenseSymmetricOperator(TestMatrices.Identity(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => HutchinsonTrace.Estimate(op, new HutchinsonOptions { RelativeTolerance = tolerance, MinProbes = minProbes, MaxProbes = maxProbes }));
    }
}
