using Sharpness.Experiments.Progress;
using Sharpness.Runs.Sweeps;

namespace Sharpness.Experiments.Sweeps;

/// <summary>Options of <see cref="SweepMerge"/> (<c>sharpness sweep merge</c>).</summary>
public sealed record SweepMergeOptions
{
    /// <summary>The sweep's results folder (one sub-folder per run).</summary>
    public required string Directory { get; init; }

    /// <summary>Where to write results.parquet, results.csv and trajectories.parquet. Default: <see cref="Directory"/>.</summary>
    public string? Out { get; init; }

    /// <summary>Checks the folders.</summary>
    /// <exception cref="InvalidOptionException"><see cref="Directory"/> is not a folder (<c>dir</c>), or <see cref="Out"/> is a file (<c>--out</c>).</exception>
    public void Validate()
    {
        string directory = Path.GetFullPath(Directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new InvalidOptionException("dir", $"'{directory}' is not a folder.");
        }

        if (Out is not null && File.Exists(Path.GetFullPath(Out)))
        {
            throw new InvalidOptionException("--out", $"'{Path.GetFullPath(Out)}' is a file, not a folder.");
        }
    }
}

/// <summary>
/// <c>sweep merge</c> as a library call: gathers every complete run of a sweep into results.parquet and
/// results.csv (one row per run: configuration and summary) and trajectories.parquet (long format).
/// Merging is writing, so this entry point writes its three files (each atomically) and returns the report.
/// </summary>
public static class SweepMerge
{
    /// <summary>The task path of the progress snapshots.</summary>
    public const string Task = "sweep merge";

    /// <summary>Merges the sweep.</summary>
    /// <param name="options">The folders.</param>
    /// <param name="progress">Receives a snapshot at the start and the end; null for none.</param>
    /// <param name="cancellationToken">Stops the merge with <see cref="OperationCanceledException"/>; no final file is then replaced.</param>
    /// <returns>What was merged, what was incomplete, the files written.</returns>
    /// <exception cref="InvalidOptionException">A folder is unusable (see <see cref="SweepMergeOptions.Validate"/>).</exception>
    public static MergeReport Run(SweepMergeOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        string? output = options.Out is null ? null : Path.GetFullPath(options.Out);

        var tracker = new ProgressTracker(progress, Task, null, "files");
        tracker.Announce("merging the complete runs");
        MergeReport report;
        try
        {
            report = SweepMerger.MergeAsync(Path.GetFullPath(options.Directory), output, cancellationToken: cancellationToken).GetAwaiter().GetResult();
        }
        catch (Sharpness.Runs.RunFolderException e)
        {
            throw new InvalidOptionException(output is null ? "dir" : "--out", e.Message);
        }

        tracker.Complete($"merged {report.CompleteRuns} complete runs");
        return report;
    }
}
