using Sharpness.Experiments.Progress;

namespace Sharpness.Cli.Tests.TestSupport;

/// <summary>Collects every progress snapshot a command reports, synchronously and from any thread.</summary>
internal sealed class Recorder(Action<ExperimentProgress>? onReport = null) : IProgress<ExperimentProgress>
{
    private readonly List<ExperimentProgress> _items = [];

    public IReadOnlyList<ExperimentProgress> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    public void Report(ExperimentProgress value)
    {
        lock (_items)
        {
            _items.Add(value);
        }

        onReport?.Invoke(value);
    }
}
