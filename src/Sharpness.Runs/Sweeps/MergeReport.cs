namespace Sharpness.Runs.Sweeps;

/// <summary>A run folder that was left out of (part of) a merge, and why.</summary>
/// <param name="Run">The folder name (not the full path).</param>
/// <param name="Reason">A one-line reason, for example "no manifest.json (the run did not finish)".</param>
public sealed record RunIssue(string Run, string Reason);

/// <summary>What <see cref="SweepMerger.Merge"/> found and wrote.</summary>
public sealed record MergeReport
{
    /// <summary>Folders of earlier incomplete attempts that <c>sweep run</c> moved aside (names only), not merged.</summary>
    public IReadOnlyList<string> SetAside { get; init; } = [];

    /// <summary>Run folders with a manifest that marks them complete (one row each in the results tables).</summary>
    public required int CompleteRuns { get; init; }

    /// <summary>Run folders that were not merged (<see cref="Incomplete"/>.Count).</summary>
    public int IncompleteRuns => Incomplete.Count;

    /// <summary>
    /// Folders that are not complete runs, in ordinal order of their names: no manifest, a manifest
    /// that is not valid JSON, or one without <c>"complete": true</c>.
    /// </summary>
    public required IReadOnlyList<RunIssue> Incomplete { get; init; }

    /// <summary>
    /// Complete runs whose data are not in the trajectories table: the manifest lists no CSV
    /// file, the file is missing, or it is not a consistent table (ragged rows, duplicate
    /// column names, a column named <c>run</c>). These runs still have their row in the results.
    /// </summary>
    public required IReadOnlyList<RunIssue> WithoutTrajectory { get; init; }

    /// <summary>Full paths of the files written, in the order written (results.parquet, results.csv, then trajectories.parquet if any run had data).</summary>
    public required IReadOnlyList<string> FilesWritten { get; init; }

    /// <summary>Rows of results.parquet and results.csv (equal to <see cref="CompleteRuns"/>).</summary>
    public required long ResultRows { get; init; }

    /// <summary>Rows of trajectories.parquet (0 when it was not written).</summary>
    public required long TrajectoryRows { get; init; }

    /// <summary>Row groups of trajectories.parquet (0 when it was not written).</summary>
    public required int TrajectoryRowGroups { get; init; }
}
