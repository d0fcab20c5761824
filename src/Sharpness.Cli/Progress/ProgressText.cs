using System.Globalization;
using System.Text;
using Sharpness.Experiments.Progress;

namespace Sharpness.Cli.Progress;

/// <summary>How a progress snapshot reads in one line of plain text (ASCII digits, no control characters).</summary>
public static class ProgressText
{
    /// <summary>
    /// "uv phase: 1200/9000 cells (13%), 0:05 elapsed, ~0:33 left; loss 0.0123, sharpness 3.41 (at step 40); measuring".
    /// A value measured before the current unit says at which one ("(at step 40)"), so a stale value reads as such.
    /// </summary>
    /// <param name="snapshot">The snapshot.</param>
    public static string Line(ExperimentProgress snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var text = new StringBuilder(snapshot.Task).Append(": ").Append(Counts(snapshot));
        text.Append(", ").Append(Duration(snapshot.Elapsed)).Append(" elapsed");
        if (snapshot.Remaining is { } remaining && snapshot.Completed < snapshot.Total)
        {
            text.Append(", ~").Append(Duration(remaining)).Append(" left");
        }

        if (Metrics(snapshot) is { Length: > 0 } metrics)
        {
            text.Append("; ").Append(metrics);
        }

        if (!string.IsNullOrEmpty(snapshot.Message))
        {
            text.Append("; ").Append(snapshot.Message);
        }

        return Clean(text.ToString());
    }

    /// <summary>"1200/9000 cells (13%)", or "1200 cells" without a total.</summary>
    /// <param name="snapshot">The snapshot.</param>
    public static string Counts(ExperimentProgress snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.Total is long total
            ? string.Create(CultureInfo.InvariantCulture, $"{snapshot.Completed}/{total} {snapshot.Unit} ({Math.Floor(100 * (snapshot.Fraction ?? 0)):F0}%)")
            : string.Create(CultureInfo.InvariantCulture, $"{snapshot.Completed} {snapshot.Unit}");
    }

    /// <summary>"loss 0.0123, sharpness 3.41 (at step 40)": each metric with 4 significant digits, stale ones marked.</summary>
    /// <param name="snapshot">The snapshot.</param>
    public static string Metrics(ExperimentProgress snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return string.Join(", ", snapshot.Metrics.Select(m =>
            string.Create(CultureInfo.InvariantCulture, $"{m.Name} {m.Value:G4}")
            + (m.IsStaleAt(snapshot.Completed) ? string.Create(CultureInfo.InvariantCulture, $" (at {Singular(snapshot.Unit)} {m.At})") : string.Empty)));
    }

    /// <summary>"0:05", "12:34" or "1:02:03".</summary>
    /// <param name="duration">A duration.</param>
    public static string Duration(TimeSpan duration)
    {
        long seconds = (long)Math.Max(0, Math.Round(duration.TotalSeconds));
        return seconds >= 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}:{seconds / 60 % 60:D2}:{seconds % 60:D2}")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:D2}");
    }

    private static string Singular(string unit) => unit.Length > 1 && unit.EndsWith('s') ? unit[..^1] : unit;

    // A log line must not move the cursor or colour the terminal, whatever a task name holds.
    private static string Clean(string text) => string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
}
