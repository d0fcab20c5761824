using Sharpness.Experiments.Progress;

namespace Sharpness.Cli;

/// <summary>Where a command writes and what it was called with.</summary>
/// <param name="Output">Standard output (results, JSON).</param>
/// <param name="Error">Standard error (errors, progress).</param>
/// <param name="Arguments">The raw arguments, recorded in manifests.</param>
public sealed record CliContext(TextWriter Output, TextWriter Error, IReadOnlyList<string> Arguments)
{
    /// <summary>The progress of an outer command of this process (a sweep) that runs this one; null for a command of its own.</summary>
    public IProgress<ExperimentProgress>? Progress { get; init; }

    /// <summary>The cancellation of an outer command of this process; none for a command of its own.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Whether the writers are the process's own console, so that Ctrl-C and a live display belong to this command.</summary>
    public bool OwnsConsole { get; init; }
}
