using Sharpness.Experiments.Progress;

namespace Sharpness.Cli.Progress;

/// <summary>
/// Progress for logs: one plain line (<see cref="ProgressText.Line"/>) per task every
/// <see cref="Interval"/> while it runs, and a last line when a task that printed one finishes.
/// A task shorter than the interval prints nothing.
/// </summary>
/// <param name="writer">Where the lines go (standard error).</param>
/// <param name="interval">Time between two lines of a task (default 5 s).</param>
/// <param name="time">The clock (default: the system's); tests pass a fake one.</param>
public sealed class PlainProgress(TextWriter writer, TimeSpan? interval = null, TimeProvider? time = null) : IProgress<ExperimentProgress>
{
    /// <summary>Default time between two lines of a task: 5 s.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    private readonly TextWriter _writer = writer ?? throw new ArgumentNullException(nameof(writer));
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, (long Since, bool Printed)> _tasks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Time between two lines of a task.</summary>
    public TimeSpan Interval { get; } = interval ?? DefaultInterval;

    /// <inheritdoc/>
    public void Report(ExperimentProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            bool finished = value.Total is long total && value.Completed >= total;
            if (!_tasks.TryGetValue(value.Task, out var state))
            {
                state = (now, false);
            }

            if (_time.GetElapsedTime(state.Since, now) >= Interval || (finished && state.Printed))
            {
                _writer.WriteLine(ProgressText.Line(value));
                _writer.Flush();
                state = (now, true);
            }

            if (finished)
            {
                _tasks.Remove(value.Task);
            }
            else
            {
                _tasks[value.Task] = state;
            }
        }
    }
}
