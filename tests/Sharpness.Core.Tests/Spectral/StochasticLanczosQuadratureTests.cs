using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Core.Spectral;
using Sharpness.Core.Tests.TestSupport;

namespace Sharpness.Core.Tests.Spectral;

public sealed class StochasticLanczosQuadratureTests
{
    private static readonly double[] Spectrum = [-2.5, -0.3, 0, 0.1, 0.4, 1, 1.5, 2.2, 3, 4, 5.5, 7, 9, 12, 20, 35];

    private static double[,] Matrix(int seed = 11) => TestMatrices.WithSpectrum(Spectrum, new DeterministicRandom((ulong)seed));

    [Fact]
    public void EachRuleIsExactForPolynomialsOfDegreeBelowTwiceItsNodeCount()
    {
        double[,] a = Matrix();
        var op = new DenseSymmetricOperator(a);
        var v = new double[16];
        new DeterministicRandom(3).FillGaussian(v);

        QuadratureRule rule = StochasticLanczosQuadrature.Rule(op, v, steps: 5);

        Assert.Equal(5, rule.Nodes.Length);
        Assert.Equal(1, rule.Weights.Sum(), 12);
        double norm2 = Vectors.Dot(v, v);
        double[] power = (double[])v.Clone();
        for (int k = 0; k <= 9; k++)
        {
            double exact = Vectors.Dot(v, power) / norm2;
            Assert.Equal(exact, rule.Moment(k), 1e-9 * Math.Pow(35, k));
            power = Vectors.Apply(a, power);
        }
    }

    [Fact]
    public void WithAsManyStepsAsTheSizeTheNodesAreTheEigenvaluesAndTheWeightsTheSquaredProjections()
    {
        var random = new DeterministicRandom(13);
        double[,] q = TestMatrices.RandomOrthogonal(16, random);
        var op = new DenseSymmetricOperator(TestMatrices.WithSpectrum(Spectrum, q));
        var v = new double[16];
        random.FillGaussian(v);
        double norm2 = Vectors.Dot(v, v);

        QuadratureRule rule = StochasticLanczosQuadrature.Rule(op, v, steps: 100);

        Assert.Equal(Spectrum, rule.Nodes, (x, y) => Math.Abs(x - y) < 1e-9);
        for (int j = 0; j < 16; j++)
        {
            double projection = Vectors.Dot(TestMatrices.Column(q, j), v);
            Assert.Equal(projection * projection / norm2, rule.Weights[j], 1e-10);
        }
    }

    [Fact]
    public void AnInvariantKrylovSpaceEndsTheRunWithAnExactRule()
    {
        // Rank 2: the Krylov space of any vector has dimension at most 3 (the two eigenvalues and zero).
        var op = new DenseSymmetricOperator(TestMatrices.WithSpectrum([5, -2, 0, 0, 0, 0, 0, 0], new DeterministicRandom(2)));
        var v = new double[8];
        new DeterministicRandom(4).FillGaussian(v);

        QuadratureRule rule = StochasticLanczosQuadrature.Rule(op, v, steps: 8);

        Assert.Equal(3, rule.Nodes.Length);
        Assert.Equal([-2, 0, 5], rule.Nodes, (x, y) => Math.Abs(x - y) < 1e-10);
    }

    [Fact]
    public void TheDensityIntegratesToOneAndItsMomentsEstimateTheNormalisedTracesOfPowers()
    {
        var op = new DenseSymmetricOperator(Matrix());
        SpectralDensity density = StochasticLanczosQuadrature.Estimate(op, new SlqOptions { Probes = 400, Steps = 8, Seed = 5 });

        Assert.True(density.Complete);
        Assert.Equal(400 * 8, density.Matvecs);
        double sigma = 0.2;
        var (lambda, rho) = density.OnGrid(4000, sigma);
        double integral = 0;
        for (int i = 1; i < lambda.Length; i++)
        {
            integral += 0.5 * (rho[i] + rho[i - 1]) * (lambda[i] - lambda[i - 1]);
        }

        Assert.Equal(1, integral, 1e-8);
        for (int k = 1; k <= 4; k++)
        {
            double exact = Spectrum.Sum(x => Math.Pow(x, k)) / Spectrum.Length;
            double spread = Math.Sqrt(density.Rules.Select(r => r.Moment(k)).Select(m => (m - density.Moment(k)) * (m - density.Moment(k))).Sum() / (density.Rules.Count - 1) / density.Rules.Count);
            Assert.InRange(density.Moment(k), exact - 4 * spread, exact + 4 * spread);
        }
    }

    [Fact]
    public void TheFixedStartVectorPathAgreesWithTheSeededPath()
    {
        var op = new DenseSymmetricOperator(Matrix(3));
        SpectralDensity seeded = StochasticLanczosQuadrature.Estimate(op, new SlqOptions { Probes = 3, Steps = 6, Seed = 8 });
        var starts = Enumerable.Range(0, 3).Select(i =>
        {
            var v = new double[16];
            RandomProbes.Rademacher(8, i, v);
            return v;
        });

        SpectralDensity given = StochasticLanczosQuadrature.Estimate(op, starts, steps: 6);

        for (int r = 0; r < 3; r++)
        {
            Assert.Equal(seeded.Rules[r].Nodes, given.Rules[r].Nodes);
            Assert.Equal(seeded.Rules[r].Weights, given.Rules[r].Weights);
        }
    }

    [Fact]
    public void ThePyHessianBroadeningGrowsWithTheSquareRootOfTheRange()
    {
        var rules = new[] { new QuadratureRule([-1, 99], [0.5, 0.5]) };
        var density = new SpectralDensity { Rules = rules, Size = 2, Matvecs = 2, Complete = true };

        Assert.Equal(Math.Sqrt(1e-5 * 100), density.DefaultBroadening, 15);
        Assert.Equal(0.5 / (0.1 * Math.Sqrt(2 * Math.PI)), density.Evaluate(99, 0.1), 12);
    }

    [Fact]
    public void CancellationKeepsTheFinishedProbes()
    {
        using var source = new CancellationTokenSource();
        var op = new DenseSymmetricOperator(Matrix());
        SpectralDensity density = StochasticLanczosQuadrature.Estimate(
            op,
            new SlqOptions { Probes = 10, Steps = 4, CancellationToken = source.Token },
            done =>
            {
                if (done == 2)
                {
                    source.Cancel();
                }
            });

        Assert.False(density.Complete);
        Assert.Equal(2, density.Rules.Count);
    }
}
