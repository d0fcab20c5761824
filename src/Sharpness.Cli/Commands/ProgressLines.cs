using System.Diagnostics;
using Sharpness.Experiments.Progress;

namespace Sharpness.Cli.Commands;

/// <summary>
/// Shows an experiment's progress on standard error as plain lines: one when a new task starts and then at most one
/// every few seconds, so standard output stays clean for <c>--json</c>. Synchronous: a line is written inside the
/// experiment's call.
/// </summary>
internal sealed class ProgressLines(TextWriter error, double intervalSeconds = 5) : IProgress<ExperimentProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string? _task;
    private double _last = double.NegativeInfinity;

    public void Report(ExperimentProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        double now = _clock.Elapsed.TotalSeconds;
        if (value.Task == _task && now - _last < intervalSeconds)
        {
            return;
        }

        _task = value.Task;
        _last = now;
        string amount = value.Total is { } total ? $"{value.Completed}/{total} {value.Unit}" : $"{value.Completed} {value.Unit}";
        error.WriteLine(FormattableString.Invariant($"{value.Task}: {amount}, {value.Elapsed.TotalSeconds:F1} s{(value.Message is null ? string.Empty : ": " + value.Message)}"));
    }
}
