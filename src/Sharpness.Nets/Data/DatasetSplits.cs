namespace Sharpness.Nets.Data;

/// <summary>A training set and a test set prepared together (same classes, scaling and statistics); disposes both.</summary>
public sealed class DatasetSplits : IDisposable
{
    /// <summary>Groups two datasets, taking ownership of both.</summary>
    /// <param name="train">The training set.</param>
    /// <param name="test">The test set.</param>
    /// <param name="statistics">The training statistics both were standardised with, or null when they were not standardised.</param>
    public DatasetSplits(Dataset train, Dataset test, FeatureStatistics? statistics = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        Train = train;
        Test = test;
        Statistics = statistics;
    }

    /// <summary>The training set.</summary>
    public Dataset Train { get; }

    /// <summary>The test set.</summary>
    public Dataset Test { get; }

    /// <summary>The training statistics both sets were standardised with; null when they were not standardised.</summary>
    public FeatureStatistics? Statistics { get; }

    /// <summary>Releases both datasets.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
