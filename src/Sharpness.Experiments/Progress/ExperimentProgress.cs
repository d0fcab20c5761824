namespace Sharpness.Experiments.Progress;

/// <summary>
/// One snapshot of a running experiment, reported through <see cref="IProgress{T}"/>: what is running,
/// how far it is, and the latest measured values. Snapshots are immutable and self-contained, so a
/// terminal display, a log line every few seconds and a web page (server-sent events) can all be fed
/// from the same stream without knowing the experiment.
/// </summary>
/// <remarks>
/// Nested work (a reproduction running an experiment that trains several learning rates) is reported
/// with a <see cref="Task"/> path such as <c>reproduce/net-eos/eta=2/30</c>, and <see cref="Job"/>
/// tells apart runs that execute side by side.
/// </remarks>
public sealed record ExperimentProgress
{
    /// <summary>What is running, as a slash-separated path from the outermost experiment inwards.</summary>
    public required string Task { get; init; }

    /// <summary>Units done so far (steps, points, runs), ≥ 0.</summary>
    public long Completed { get; init; }

    /// <summary>Units in all, when known in advance; null for open-ended work (a run that stops at a goal).</summary>
    public long? Total { get; init; }

    /// <summary>What a unit is, in plain words: "steps", "points", "runs", "experiments".</summary>
    public string Unit { get; init; } = "steps";

    /// <summary>Wall time since this task started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>
    /// Estimated wall time left: elapsed time per unit so far times the units left; null when
    /// <see cref="Total"/> is unknown or nothing is done yet.
    /// </summary>
    public TimeSpan? Remaining =>
        Total is { } total && Completed > 0 && total >= Completed
            ? TimeSpan.FromTicks((long)(Elapsed.Ticks * ((double)(total - Completed) / Completed)))
            : null;

    /// <summary>Fraction done in [0, 1], or null when <see cref="Total"/> is unknown.</summary>
    public double? Fraction => Total is { } total && total > 0 ? Math.Clamp((double)Completed / total, 0.0, 1.0) : null;

    /// <summary>
    /// The latest measured values (loss, Hessian sharpness λ_H, ηλ_H, …), each with the unit at which it
    /// was measured, so a value measured earlier than <see cref="Completed"/> can be shown as stale.
    /// </summary>
    public IReadOnlyList<ProgressMetric> Metrics { get; init; } = [];

    /// <summary>A short human sentence about the current state ("measuring sharpness", "diverged at step 8"), or null.</summary>
    public string? Message { get; init; }

    /// <summary>Index of the job that reports this snapshot when independent runs execute side by side; 0 otherwise.</summary>
    public int Job { get; init; }
}

/// <summary>One named value in a <see cref="ExperimentProgress"/> snapshot.</summary>
/// <param name="Name">What the value is, in the words of the outputs ("loss", "sharpness", "lr_sharpness").</param>
/// <param name="Value">The value.</param>
/// <param name="At">The unit (step) at which it was measured; null when it is current by definition.</param>
public sealed record ProgressMetric(string Name, double Value, long? At = null)
{
    /// <summary>Whether the value was measured before <paramref name="completed"/> units were done.</summary>
    /// <param name="completed">The snapshot's <see cref="ExperimentProgress.Completed"/>.</param>
    public bool IsStaleAt(long completed) => At is { } at && at < completed;
}
