using CsCheck;
using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Core.Random;
using Sharpness.Core.Tests.TestSupport;

namespace Sharpness.Core.Tests.Eigen;

/// <summary>Property tests: relations every symmetric spectrum satisfies, checked on random operators.</summary>
public class SpectralPropertyTests
{
    private const int Iterations = 40;

    private static readonly Gen<(int Size, ulong Seed)> Operators = Gen.Select(Gen.Int[2, 30], Gen.ULong);

    private static readonly EigenSolverOptions Tight = new()
    {
        StopCriterion = StopCriteria.Default(maxMatvecs: 5000, residualTolerance: 1e-10),
    };

    [Fact]
    public void RayleighQuotientLiesBetweenTheExtremeEigenvalues()
    {
        Gen.Select(Operators, Gen.ULong).Sample((op, vectorSeed) =>
        {
            double[,] a = TestMatrices.Goe(op.Size, new DeterministicRandom(op.Seed));
            var dense = new DenseSymmetricOperator(a);
            double max = Lanczos.Solve(dense, Tight).Eigenvalues[0];
            double min = Lanczos.Solve(dense, Tight with { Target = EigenTarget.SmallestAlgebraic }).Eigenvalues[0];
            var x = new double[op.Size];
            new DeterministicRandom(vectorSeed).FillGaussian(x);

            double q = Vectors.RayleighQuotient(a, x);

            double slack = 1e-9 * Math.Max(Math.Abs(max), Math.Abs(min));
            Assert.True(min - slack <= q && q <= max + slack, $"q = {q} outside [{min}, {max}]");
        }, iter: Iterations);
    }

    [Fact]
    public void ScalingTheOperatorScalesTheEigenvalues()
    {
        Gen.Select(Operators, Gen.Double[0.01, 100], Gen.Bool).Sample((op, magnitude, negative) =>
        {
            double alpha = negative ? -magnitude : magnitude;
            int k = Math.Min(2, op.Size);
            var dense = new DenseSymmetricOperator(TestMatrices.Goe(op.Size, new DeterministicRandom(op.Seed)));
            var options = Tight with { Count = k };

            EigenResult scaled = Lanczos.Solve(new ScaledOperator(dense, alpha), options);
            // α < 0 turns the largest eigenvalues of A into the smallest of αA and back.
            EigenResult plain = Lanczos.Solve(dense, options with
            {
                Target = negative ? EigenTarget.SmallestAlgebraic : EigenTarget.LargestAlgebraic,
            });

            double scale = Math.Abs(alpha) * plain.Eigenvalues.Max(Math.Abs);
            for (int i = 0; i < k; i++)
            {
                Assert.True(
                    Math.Abs(scaled.Eigenvalues[i] - alpha * plain.Eigenvalues[i]) <= 1e-8 * scale,
                    $"α = {alpha}: {scaled.Eigenvalues[i]} vs α·{plain.Eigenvalues[i]}");
            }
        }, iter: Iterations);
    }

    [Fact]
    public void ShiftingTheOperatorShiftsTheEigenvalues()
    {
        Gen.Select(Operators, Gen.Double[-50, 50], Gen.Int[0, 2]).Sample((op, sigma, targetIndex) =>
        {
            var target = (EigenTarget)targetIndex;
            int k = Math.Min(2, op.Size);
            var dense = new DenseSymmetricOperator(TestMatrices.Goe(op.Size, new DeterministicRandom(op.Seed)));
            var options = Tight with { Count = k, Target = target };
            if (target == EigenTarget.LargestMagnitude)
            {
                // A shift changes which eigenvalues are largest in magnitude; compare whole spectra instead.
                options = options with { Count = op.Size };
                k = op.Size;
            }

            double[] shifted = Lanczos.Solve(new ScaledOperator(dense, 1, sigma), options).Eigenvalues;
            double[] plain = Lanczos.Solve(dense, options).Eigenvalues;

            double[] expected = plain.Select(v => v + sigma).ToArray();
            if (target == EigenTarget.LargestMagnitude)
            {
                Array.Sort(shifted);
                Array.Sort(expected);
            }

            double scale = plain.Max(Math.Abs) + Math.Abs(sigma);
            for (int i = 0; i < k; i++)
            {
                Assert.True(Math.Abs(shifted[i] - expected[i]) <= 1e-8 * scale, $"σ = {sigma}: {shifted[i]} vs {expected[i]}");
            }
        }, iter: Iterations);
    }

    [Fact]
    public void PowerIterationAgreesWithLanczosOnSeparatedSpectra()
    {
        Gen.Select(Gen.Int[3, 25], Gen.ULong, Gen.Int[0, 2]).Sample((n, seed, targetIndex) =>
        {
            var target = (EigenTarget)targetIndex;
            // Eigenvalues 8 and -6 with the rest in [-2, 2]: every target is separated from the next
            // eigenvalue by a known gap (two random rank-one spikes on a GOE matrix are not: nearly parallel
            // spike directions can leave the two largest magnitudes close together).
            var random = new DeterministicRandom(seed);
            double[] lambda = [8, -6, .. Enumerable.Range(2, n - 2).Select(_ => 4 * (random.NextDouble() - 0.5))];
            var dense = new DenseSymmetricOperator(TestMatrices.WithSpectrum(lambda, random));
            var options = Tight with { Target = target, StopCriterion = StopCriteria.Default(20_000, 1e-10) };

            EigenResult power = PowerIteration.Solve(dense, options);
            EigenResult lanczos = Lanczos.Solve(dense, options);

            Assert.True(power.Converged, $"{power.StopReason} after {power.Matvecs}");
            Assert.True(Math.Abs(power.Eigenvalues[0] - lanczos.Eigenvalues[0]) <= 1e-8 * Math.Abs(lanczos.Eigenvalues[0]));
        }, iter: Iterations);
    }

    [Fact]
    public void LanczosFindsRepeatedEigenvaluesOfDegenerateSpectra()
    {
        // Few distinct eigenvalues with high multiplicities: Krylov spaces break down early, so repeated values
        // can only be found through the fresh random directions injected after each breakdown.
        var cases = Gen.Select(Gen.Int[1, 40], Gen.Int[1, 4], Gen.ULong, Gen.Int[0, 2], Gen.Double.Unit);
        cases.Sample((n, distinct, seed, targetIndex, countFraction) =>
        {
            var random = new DeterministicRandom(seed);
            double[] levels = Enumerable.Range(0, distinct).Select(_ => Math.Round(10 * (random.NextDouble() - 0.5))).ToArray();
            double[] lambda = Enumerable.Range(0, n).Select(_ => levels[(int)(random.NextDouble() * distinct)]).ToArray();
            var target = (EigenTarget)targetIndex;
            int k = Math.Clamp((int)Math.Ceiling(countFraction * n), 1, n);
            double[,] a = TestMatrices.WithSpectrum(lambda, random);
            var oracle = new DenseOracle(a);

            EigenResult result = Lanczos.Solve(new DenseSymmetricOperator(a), new EigenSolverOptions
            {
                Count = k,
                Target = target,
                Seed = seed,
                StopCriterion = StopCriteria.Any(StopCriteria.Residual(1e-10, oracle.Scale), StopCriteria.MaxMatvecs(5000)),
            });

            Assert.True(result.Converged, $"{result.StopReason} after {result.Matvecs}");
            double[] expected = oracle.WantedValues(k, target);
            for (int i = 0; i < k; i++)
            {
                // For LargestMagnitude, ±λ ties may come in either order.
                double e = target == EigenTarget.LargestMagnitude ? Math.Abs(expected[i]) : expected[i];
                double g = target == EigenTarget.LargestMagnitude ? Math.Abs(result.Eigenvalues[i]) : result.Eigenvalues[i];
                Assert.True(Math.Abs(e - g) <= 1e-8 * oracle.Scale, $"λ[{i}] = {result.Eigenvalues[i]}, expected {expected[i]} (n {n}, k {k}, {target})");
            }

            LanczosTests.AssertOrthonormal(result.Eigenvectors, 1e-8);
        }, iter: 200);
    }
}
