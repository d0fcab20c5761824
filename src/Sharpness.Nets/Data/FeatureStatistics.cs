namespace Sharpness.Nets.Data;

/// <summary>
/// Per-feature mean and standard deviation of training examples, used to centre and standardise
/// both the training and the test inputs. In the units of the inputs before standardisation (after
/// the optional scaling to [0, 1]). The standard deviation is the population one (divided by the
/// example count, as NumPy's default).
/// </summary>
public sealed class FeatureStatistics
{
    /// <summary>Wraps statistics computed over <paramref name="exampleCount"/> examples.</summary>
    /// <param name="mean">Mean of each feature.</param>
    /// <param name="standardDeviation">Standard deviation of each feature, ≥ 0; 0 for a feature constant over the examples.</param>
    /// <param name="exampleCount">Examples the statistics were computed from.</param>
    /// <exception cref="ArgumentException">The arrays differ in length or a deviation is negative.</exception>
    public FeatureStatistics(double[] mean, double[] standardDeviation, int exampleCount)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(standardDeviation);
        ArgumentOutOfRangeException.ThrowIfLessThan(exampleCount, 1);
        if (mean.Length != standardDeviation.Length || standardDeviation.Any(s => !(s >= 0)))
        {
            throw new ArgumentException("Mean and standard deviation need one non-negative entry per feature.", nameof(standardDeviation));
        }

        Mean = mean;
        StandardDeviation = standardDeviation;
        ExampleCount = exampleCount;
    }

    /// <summary>Mean of each feature.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>Standard deviation of each feature (0 for constant features, which are only centred).</summary>
    public IReadOnlyList<double> StandardDeviation { get; }

    /// <summary>Examples the statistics were computed from.</summary>
    public int ExampleCount { get; }

    /// <summary>Features with zero standard deviation over the examples (left centred, not divided).</summary>
    public int ConstantFeatureCount => StandardDeviation.Count(s => s == 0);
}
