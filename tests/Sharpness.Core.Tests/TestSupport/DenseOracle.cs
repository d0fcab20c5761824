using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;

namespace Sharpness.Core.Tests.TestSupport;

/// <summary>Expected eigenpairs for a target, from the dense decomposition (itself tested against known spectra).</summary>
internal sealed class DenseOracle
{
    public DenseOracle(double[,] matrix)
    {
        Matrix = matrix;
        (Values, Vectors) = SymmetricEigenDecomposition.Decompose(matrix);
        Scale = Math.Max(TestMatrices.MaxAbs(Values), 1e-300);
    }

    public double[,] Matrix { get; }

    /// <summary>All eigenvalues ascending.</summary>
    public double[] Values { get; }

    public double[,] Vectors { get; }

    /// <summary>Spectral radius (the scale for tolerances).</summary>
    public double Scale { get; }

    /// <summary>Column indices of the k most wanted eigenvalues, ordered as the solvers order them.</summary>
    public int[] Wanted(int k, EigenTarget target)
    {
        IEnumerable<int> indices = Enumerable.Range(0, Values.Length);
        IOrderedEnumerable<int> ordered = target switch
        {
            EigenTarget.LargestAlgebraic => indices.OrderByDescending(i => Values[i]),
            EigenTarget.SmallestAlgebraic => indices.OrderBy(i => Values[i]),
            _ => indices.OrderByDescending(i => Math.Abs(Values[i])).ThenByDescending(i => Values[i]),
        };
        return ordered.Take(k).ToArray();
    }

    public double[] WantedValues(int k, EigenTarget target) => Wanted(k, target).Select(i => Values[i]).ToArray();

    /// <summary>Distance from eigenvalue <paramref name="column"/> to the rest of the spectrum.</summary>
    public double Gap(int column)
    {
        double gap = double.PositiveInfinity;
        for (int i = 0; i < Values.Length; i++)
        {
            if (i != column)
            {
                gap = Math.Min(gap, Math.Abs(Values[i] - Values[column]));
            }
        }

        return gap;
    }

    public double[] Vector(int column) => TestMatrices.Column(Vectors, column);

    /// <summary>
    /// Asserts that <paramref name="result"/> holds the k wanted pairs: eigenvalues to <paramref name="relativeTolerance"/>
    /// of the spectral radius, unit eigenvectors parallel to the true ones when the gap allows, and reported residuals
    /// equal to explicitly computed ‖Av − λv‖.
    /// </summary>
    public void AssertMatches(EigenResult result, int k, EigenTarget target, double relativeTolerance = 1e-8)
    {
        int[] wanted = Wanted(k, target);
        Assert.Equal(k, result.Eigenvalues.Length);
        Assert.Equal(k, result.Eigenvectors.Length);
        Assert.Equal(k, result.Residuals.Length);
        for (int i = 0; i < k; i++)
        {
            double expected = Values[wanted[i]];
            double actual = result.Eigenvalues[i];
            Assert.True(
                Math.Abs(actual - expected) <= relativeTolerance * Scale,
                $"eigenvalue {i}: got {actual:R}, expected {expected:R} (scale {Scale})");

            double[] v = result.Eigenvectors[i];
            Assert.Equal(1.0, TestSupport.Vectors.Norm(v), 10);

            double explicitResidual = TestSupport.Vectors.Residual(Matrix, v, actual);
            Assert.True(
                Math.Abs(result.Residuals[i] - explicitResidual) <= 1e-10 * Scale + 1e-6 * explicitResidual,
                $"reported residual {result.Residuals[i]:R} vs explicit {explicitResidual:R}");

            double gap = Gap(wanted[i]);
            if (gap > 1e-3 * Scale)
            {
                double overlap = Math.Abs(TestSupport.Vectors.Dot(v, Vector(wanted[i])));
                // sin∠ ≲ ‖r‖ / gap, so 1 − |cos∠| ≲ (‖r‖ / gap)².
                double bound = Math.Max(1e-10, 10 * Math.Pow(explicitResidual / gap, 2));
                Assert.True(1 - overlap <= bound, $"eigenvector {i}: |⟨v, v_true⟩| = {overlap:R}, gap {gap}");
            }
        }
    }
}
