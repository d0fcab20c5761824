namespace Sharpness.Experiments.Tests.TestSupport;

/// <summary>A clock that moves only when told to.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>Collects every snapshot, synchronously (unlike <see cref="Progress{T}"/>, which posts them).</summary>
internal sealed class Recorder<T> : IProgress<T>
{
    private readonly List<T> _items = [];
    private readonly Action<T>? _onReport;

    public Recorder(Action<T>? onReport = null) => _onReport = onReport;

    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    public void Report(T value)
    {
        lock (_items)
        {
            _items.Add(value);
        }

        _onReport?.Invoke(value);
    }
}
