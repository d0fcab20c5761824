using System.Globalization;
using Sharpness.Experiments.Progress;

namespace Sharpness.Cli.Progress;

/// <summary>
/// Progress of a training run for logs: one line every twentieth of the step budget (every step of a
/// short run), "step 40/200: loss 0.1234, accuracy 0.9500, sharpness 12.3 (at step 30), 2/eta = 20":
/// the sharpness is measured every few steps, and between measurements the line says when it was.
/// A run inside an experiment is named by its task ("eta = 0.05 (1/2): step ..."); an announcement of the
/// experiment itself (a snapshot in other units with a message) is printed as it is, and passed on to
/// <paramref name="other"/> with every other snapshot not in steps.
/// </summary>
/// <param name="writer">Where the lines go (standard error).</param>
/// <param name="label">Prefix of every line ("eta = 0.05 (1/3)"), or empty.</param>
/// <param name="other">Where snapshots with a message and no step go, or null.</param>
public sealed class NetStepLines(TextWriter writer, string label = "", IProgress<ExperimentProgress>? other = null) : IProgress<ExperimentProgress>
{
    private readonly TextWriter _writer = writer ?? throw new ArgumentNullException(nameof(writer));
    private readonly string _prefix = string.IsNullOrEmpty(label) ? string.Empty : label + ": ";
    private readonly Lock _gate = new();

    /// <inheritdoc/>
    /// <remarks>Thread-safe: runs side by side (<c>--jobs</c>) report from their own threads, and each line is written whole.</remarks>
    public void Report(ExperimentProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_gate)
        {
            Write(value);
        }
    }

    private void Write(ExperimentProgress value)
    {
        if (value.Unit != "steps" || value.Total is not long total)
        {
            // An announcement of the work around the runs ("eta = 0.05: reusing the finished run in ...").
            if (value.Message is not null && (value.Completed < value.Total || value.Total is null))
            {
                _writer.WriteLine(JobPrefix(value) + value.Message);
            }

            other?.Report(value);
            return;
        }

        long every = Math.Max(1, total / 20);
        // The final snapshot repeats the last step's values: it is not printed again.
        if (value.Completed % every != 0 || value.Message is not null)
        {
            return;
        }

        // A run inside an experiment ("net eos/eta = 0.05 (1/2)") is named by the part after the experiment.
        int slash = value.Task.IndexOf('/', StringComparison.Ordinal);
        _writer.WriteLine(JobPrefix(value) + _prefix + (slash >= 0 ? value.Task[(slash + 1)..] + ": " : string.Empty) + Line(value));
    }

    // "[job 2] " for a run executing side by side with others (--jobs), so that the lines of the running jobs can be told apart.
    private static string JobPrefix(ExperimentProgress value) =>
        value.Job > 0 ? string.Create(CultureInfo.InvariantCulture, $"[job {value.Job}] ") : string.Empty;

    /// <summary>"step k/N: loss L, accuracy A[, sharpness S[ (at step m)], 2/eta = T]".</summary>
    /// <param name="value">A snapshot of a training run.</param>
    public static string Line(ExperimentProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        double Metric(string name) => value.Metrics.FirstOrDefault(m => m.Name == name)?.Value ?? double.NaN;
        string line = FormattableString.Invariant($"step {value.Completed}/{value.Total}: loss {Metric("loss"):G5}, accuracy {Metric("accuracy"):F4}");
        if (value.Metrics.FirstOrDefault(m => m.Name == "sharpness") is { } sharpness)
        {
            string when = sharpness.IsStaleAt(value.Completed) ? string.Create(CultureInfo.InvariantCulture, $" (at step {sharpness.At})") : string.Empty;
            line += FormattableString.Invariant($", sharpness {sharpness.Value:G5}{when}, 2/eta = {Metric("threshold"):G5}");
        }

        return line;
    }
}
