namespace Sharpness.Experiments.Progress;

/// <summary>
/// Reports the progress of one task of an experiment: counts the units done, measures the elapsed
/// time and sends <see cref="ExperimentProgress"/> snapshots to an <see cref="IProgress{T}"/>, at most
/// one every <see cref="Interval"/> (the first unit and the end always), so that a loop may offer a
/// snapshot at every step without flooding a terminal or a web page.
/// </summary>
/// <remarks>
/// Thread-safe: <see cref="Advance"/> may be called from the bodies of a parallel loop. With a null
/// <see cref="IProgress{T}"/> every call returns at once. The tracker reports; it never decides to stop:
/// cancellation is the caller's <see cref="CancellationToken"/>.
/// </remarks>
public sealed class ProgressTracker
{
    /// <summary>Default shortest time between two snapshots: 100 ms.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    private readonly IProgress<ExperimentProgress>? _progress;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly long _intervalTicks;
    private readonly Lock _gate = new();
    private long _completed;
    private long _lastReport = long.MinValue;

    /// <summary>Starts the clock of a task.</summary>
    /// <param name="progress">Where snapshots go; null to report nothing.</param>
    /// <param name="task">What runs, as a slash-separated path ("uv phase", "sweep/width=16-…").</param>
    /// <param name="total">Units in all, or null when open-ended.</param>
    /// <param name="unit">What a unit is ("steps", "cells", "runs").</param>
    /// <param name="time">The clock (default: the system's); tests pass a fake one.</param>
    /// <param name="interval">Shortest time between two snapshots (default <see cref="DefaultInterval"/>).</param>
    public ProgressTracker(IProgress<ExperimentProgress>? progress, string task, long? total, string unit = "steps", TimeProvider? time = null, TimeSpan? interval = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        ArgumentException.ThrowIfNullOrWhiteSpace(unit);
        if (total is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(total), total, "The total must be non-negative.");
        }

        _progress = progress;
        _time = time ?? TimeProvider.System;
        _started = _time.GetTimestamp();
        Task = task;
        Total = total;
        Unit = unit;
        Interval = interval ?? DefaultInterval;
        _intervalTicks = (long)(Interval.TotalSeconds * _time.TimestampFrequency);
    }

    /// <summary>The task path of the snapshots.</summary>
    public string Task { get; }

    /// <summary>Units in all, or null.</summary>
    public long? Total { get; }

    /// <summary>What a unit is.</summary>
    public string Unit { get; }

    /// <summary>Shortest time between two snapshots.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Units done so far.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Wall time since the tracker was created.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>
    /// Whether a snapshot offered now would be sent: something listens and the interval since the
    /// last one has passed. Check it before building metrics that cost something.
    /// </summary>
    public bool IsDue
    {
        get
        {
            long last = Interlocked.Read(ref _lastReport);
            return _progress is not null && (last == long.MinValue || _time.GetTimestamp() - last >= _intervalTicks);
        }
    }

    /// <summary>Records that <paramref name="completed"/> units are done and sends a snapshot when one is due.</summary>
    /// <param name="completed">Units done so far.</param>
    /// <param name="metrics">The latest measured values (each with the unit at which it was measured).</param>
    /// <param name="message">A short sentence about the current state, or null.</param>
    public void Report(long completed, IReadOnlyList<ProgressMetric>? metrics = null, string? message = null)
    {
        Interlocked.Exchange(ref _completed, completed);
        Send(force: false, metrics, message);
    }

    /// <summary>Adds <paramref name="units"/> to the units done and sends a snapshot when one is due.</summary>
    /// <param name="units">Units just finished (default 1).</param>
    public void Advance(long units = 1)
    {
        Interlocked.Add(ref _completed, units);
        Send(force: false, null, null);
    }

    /// <summary>Sends a snapshot now, whatever the interval: a change of phase worth showing at once.</summary>
    /// <param name="message">A short sentence about the new state.</param>
    /// <param name="metrics">The latest measured values, or null.</param>
    public void Announce(string message, IReadOnlyList<ProgressMetric>? metrics = null) => Send(force: true, metrics, message);

    /// <summary>Sends the final snapshot (all units done when the total is known).</summary>
    /// <param name="message">A short sentence about the outcome, or null.</param>
    /// <param name="metrics">The final measured values, or null.</param>
    public void Complete(string? message = null, IReadOnlyList<ProgressMetric>? metrics = null)
    {
        if (Total is long total)
        {
            Interlocked.Exchange(ref _completed, total);
        }

        Send(force: true, metrics, message);
    }

    private void Send(bool force, IReadOnlyList<ProgressMetric>? metrics, string? message)
    {
        if (_progress is null)
        {
            return;
        }

        ExperimentProgress snapshot;
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            bool first = _lastReport == long.MinValue;
            if (!force && !first && now - _lastReport < _intervalTicks)
            {
                return;
            }

            _lastReport = now;
            snapshot = new ExperimentProgress
            {
                Task = Task,
                Completed = Interlocked.Read(ref _completed),
                Total = Total,
                Unit = Unit,
                Elapsed = _time.GetElapsedTime(_started, now),
                Metrics = metrics ?? [],
                Message = message,
            };
        }

        _progress.Report(snapshot);
    }
}
