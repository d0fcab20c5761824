namespace Sharpness.Experiments.Progress;

/// <summary>
/// Forwards the snapshots of inner work to the progress of the work around it, with the inner task
/// path placed under a prefix: a sweep reports its current run as <c>sweep/&lt;point&gt;/uv simulate</c>,
/// a reproduction its experiments as <c>reproduce/&lt;name&gt;/…</c>.
/// </summary>
/// <remarks>Synchronous: each snapshot is handed on at once, on the caller's thread.</remarks>
public sealed class NestedProgress : IProgress<ExperimentProgress>
{
    private readonly IProgress<ExperimentProgress> _outer;
    private readonly string _prefix;
    private readonly int? _job;

    private NestedProgress(IProgress<ExperimentProgress> outer, string prefix, int? job)
    {
        _outer = outer;
        _prefix = prefix;
        _job = job;
    }

    /// <summary>The progress of inner work under <paramref name="prefix"/>, or null when <paramref name="outer"/> is null.</summary>
    /// <param name="outer">The progress of the surrounding work (null: nothing is reported).</param>
    /// <param name="prefix">The path placed before the inner task, without a trailing slash.</param>
    /// <param name="job">The job index to stamp on the snapshots when inner runs execute side by side; null keeps theirs.</param>
    public static IProgress<ExperimentProgress>? Under(IProgress<ExperimentProgress>? outer, string prefix, int? job = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        return outer is null ? null : new NestedProgress(outer, prefix.TrimEnd('/'), job);
    }

    /// <inheritdoc/>
    public void Report(ExperimentProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _outer.Report(value with { Task = _prefix + "/" + value.Task, Job = _job ?? value.Job });
    }
}
