using Sharpness.Experiments.Progress;
using Spectre.Console;

namespace Sharpness.Cli.Progress;

/// <summary>
/// Progress on a terminal: one Spectre.Console task line per running task (description with the
/// counts and the latest values, a bar, the percentage, elapsed and remaining time), a finished
/// nested task removed.
/// </summary>
internal sealed class LiveProgress(ProgressContext context) : IProgress<ExperimentProgress>
{
    private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The task lines shown: descriptions by task path.</summary>
    public IReadOnlyDictionary<string, string> Shown
    {
        get
        {
            lock (_gate)
            {
                return _tasks.ToDictionary(t => t.Key, t => t.Value.Description, StringComparer.Ordinal);
            }
        }
    }

    public void Report(ExperimentProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            if (!_tasks.TryGetValue(value.Task, out var task))
            {
                task = context.AddTask(Markup.Escape(value.Task), maxValue: Math.Max(1, value.Total ?? 1));
                _tasks[value.Task] = task;
            }

            task.IsIndeterminate = value.Total is null;
            task.Value = Math.Min(value.Completed, (double)(value.Total ?? value.Completed));
            string metrics = ProgressText.Metrics(value);
            task.Description = Markup.Escape($"{value.Task}: {ProgressText.Counts(value)}" + (metrics.Length > 0 ? "; " + metrics : string.Empty)
                + (string.IsNullOrEmpty(value.Message) ? string.Empty : "; " + value.Message));
            if (value.Total is long total && value.Completed >= total)
            {
                task.StopTask();
                if (value.Task.Contains('/', StringComparison.Ordinal))
                {
                    context.RemoveTask(task);
                }

                _tasks.Remove(value.Task);
            }
        }
    }
}
