using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;
using Sharpness.Runs.Safety;

namespace Sharpness.Runs.Sweeps;

/// <summary>
/// Merges the run folders of a sweep into tables for analysis: results.parquet and results.csv
/// (one row per complete run: configuration and summary results) and trajectories.parquet (the
/// rows of every complete run's data CSV, in long format with a <c>run</c> column).
/// </summary>
/// <remarks>
/// <para>
/// Run folders are the immediate sub-folders of the sweep folder, in ordinal order of their
/// names (folders whose names start with '.' and the output folder are skipped). A folder is a
/// complete run iff its manifest.json is a JSON object with <c>"complete": true</c>; any other
/// folder is reported as incomplete, with the reason, and not merged.
/// </para>
/// <para>
/// Results columns: <c>run</c> (folder name, string), <c>command</c> (string), <c>seed</c>
/// (unsigned 64-bit integer, exact), then the configuration as <c>config.&lt;key&gt;</c> and the
/// results as <c>result.&lt;key&gt;</c>. Nested objects are flattened with dots
/// (<c>config.model.width</c>); an array of strings becomes one string joined with ';' (labels
/// <c>["catapult","edge"]</c> become <c>catapult;edge</c>), any other array its compact JSON text
/// (<c>[1,2]</c>). The columns are the union over runs, configuration columns first, each group
/// in order of first appearance (runs in name order, keys in manifest order); a run without a
/// key has null there.
/// </para>
/// <para>
/// Results column types, from the column's non-null values over all runs: all JSON numbers
/// (counting the strings "NaN", "Infinity" and "-Infinity", which is how the toolkit writes
/// non-finite numbers) → double; all booleans → boolean; anything else (strings, arrays, mixed
/// kinds, or only nulls) → string, numbers then written as their JSON text and booleans as
/// true/false. Numbers are always doubles, never integers, so a column's type does not depend
/// on which values a sweep happened to take (a learning rate of 1 and 2 is still a double).
/// </para>
/// <para>
/// Trajectory columns: <c>run</c>, then the union of the CSV columns in order of first
/// appearance. A column is double if every non-empty cell of it in every run parses as a number
/// (invariant culture; <c>nan</c>, <c>inf</c>, <c>-inf</c> as written by <see cref="CsvTable"/>),
/// else string; empty cells and columns a run's CSV lacks are null. A run's data CSV is the first
/// file of its manifest's "files" list whose name ends in ".csv" (a plain name inside the run folder). The file is read twice (once
/// for the column types, once to write), and rows are written in row groups of a bounded number
/// of rows, so memory does not grow with the sweep.
/// </para>
/// <para>
/// CSV output: UTF-8, '\n' line ends, null as an empty cell, an empty string as <c>""</c>,
/// doubles as <see cref="CsvTable.Format"/> writes them, booleans as true/false; a cell or
/// header containing a comma, quote or line break is quoted (RFC 4180). Every file is written to
/// <c>name.partial</c> and renamed over its final name once complete (<see cref="SafeFile"/>);
/// files of these names are replaced only in a folder the toolkit has written into (it holds
/// <see cref="FolderLock.FileName"/>). Folders set aside by <c>sweep run</c>
/// (<see cref="RunDirectory.IsSetAside"/>) are listed in <see cref="MergeReport.SetAside"/>, not
/// merged. Output is deterministic: merging the same folders twice gives byte-identical files.
/// </para>
/// </remarks>
public static class SweepMerger
{
    /// <summary>File name of the results table in Parquet format.</summary>
    public const string ResultsParquetFileName = "results.parquet";

    /// <summary>File name of the results table in CSV format.</summary>
    public const string ResultsCsvFileName = "results.csv";

    /// <summary>File name of the long-format table of every run's data rows.</summary>
    public const string TrajectoriesFileName = "trajectories.parquet";

    /// <summary>Default maximum number of rows of one row group of trajectories.parquet.</summary>
    public const int DefaultRowGroupRows = 100_000;

    /// <summary>Name of the run column of every table.</summary>
    public const string RunColumn = "run";

    /// <summary>Merges the sweep in <paramref name="sweepDirectory"/> (see <see cref="SweepMerger"/>).</summary>
    /// <param name="sweepDirectory">Folder whose immediate sub-folders are the runs.</param>
    /// <param name="outputDirectory">Where the tables are written (created if needed); the sweep folder by default.</param>
    /// <param name="rowGroupRows">Maximum rows per row group of trajectories.parquet (a row group may hold rows of several runs).</param>
    /// <returns>What was found and written.</returns>
    /// <exception cref="DirectoryNotFoundException">The sweep folder does not exist.</exception>
    /// <remarks>
    /// When no complete run has a data CSV, trajectories.parquet is not written, and one left in
    /// the output folder by an earlier merge is deleted so that it cannot be mistaken for data of
    /// this sweep.
    /// </remarks>
    public static MergeReport Merge(string sweepDirectory, string? outputDirectory = null, int rowGroupRows = DefaultRowGroupRows) =>
        Task.Run(() => MergeAsync(sweepDirectory, outputDirectory, rowGroupRows)).GetAwaiter().GetResult();

    /// <summary>Merges the sweep in <paramref name="sweepDirectory"/> asynchronously (see <see cref="Merge"/>).</summary>
    /// <param name="sweepDirectory">Folder whose immediate sub-folders are the runs.</param>
    /// <param name="outputDirectory">Where the tables are written (created if needed); the sweep folder by default.</param>
    /// <param name="rowGroupRows">Maximum rows per row group of trajectories.parquet.</param>
    /// <param name="cancellationToken">Cancels the merge (no final file is then replaced).</param>
    /// <returns>What was found and written.</returns>
    /// <exception cref="DirectoryNotFoundException">The sweep folder does not exist.</exception>
    public static async Task<MergeReport> MergeAsync(string sweepDirectory, string? outputDirectory = null, int rowGroupRows = DefaultRowGroupRows, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sweepDirectory);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        string sweep = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sweepDirectory));
        if (!Directory.Exists(sweep))
        {
            throw new DirectoryNotFoundException($"The sweep folder '{sweepDirectory}' does not exist.");
        }

        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDirectory ?? sweep));
        var pathComparer = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        string[] candidates = Directory.GetDirectories(sweep)
            .Where(folder => !Path.GetFileName(folder).StartsWith('.') && !pathComparer.Equals(Path.TrimEndingDirectorySeparator(folder), output))
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)
            .ToArray();
        string[] setAside = [.. candidates.Select(Path.GetFileName).Where(name => RunDirectory.IsSetAside(name!)).Select(name => name!)];
        string[] folders = [.. candidates.Where(folder => !RunDirectory.IsSetAside(Path.GetFileName(folder)))];

        var runs = new List<CompleteRun>();
        var incomplete = new List<RunIssue>();
        foreach (string folder in folders)
        {
            string name = Path.GetFileName(folder);
            var (run, problem) = ManifestCells.Read(name, folder);
            if (run is null)
            {
                incomplete.Add(new RunIssue(name, problem!));
            }
            else
            {
                runs.Add(run);
            }
        }

        PrepareOutput(output);
        // Every table is written under its temporary name first and all are renamed at the end, so a
        // failure (a full disk) leaves the earlier merge's tables as they were, never a mix.
        var written = new List<string>();
        var staged = new List<string>();
        long trajectoryRows = 0;
        int rowGroups = 0;
        var withoutTrajectory = new List<RunIssue>();
        try
        {
            var results = ResultsTable.Build(runs);
            await SafeFile.WriteTemporaryAsync(output, ResultsParquetFileName, stream => results.WriteParquetAsync(stream, cancellationToken), cancellationToken).ConfigureAwait(false);
            staged.Add(ResultsParquetFileName);
            await SafeFile.WriteTemporaryAsync(output, ResultsCsvFileName, stream => results.WriteCsvAsync(stream, cancellationToken), cancellationToken).ConfigureAwait(false);
            staged.Add(ResultsCsvFileName);
            var trajectories = TrajectoryTable.Scan(runs, withoutTrajectory, cancellationToken);
            if (trajectories.Sources.Count > 0)
            {
                await SafeFile.WriteTemporaryAsync(output, TrajectoriesFileName, async stream => (trajectoryRows, rowGroups) = await trajectories.WriteParquetAsync(stream, rowGroupRows, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                staged.Add(TrajectoriesFileName);
            }
        }
        catch
        {
            staged.ForEach(name => SafeFile.TryDelete(SafeFile.TemporaryPath(output, name)));
            throw;
        }

        foreach (string name in staged)
        {
            SafeFile.Commit(output, name);
            written.Add(Path.Combine(output, name));
        }

        if (!staged.Contains(TrajectoriesFileName))
        {
            File.Delete(Path.Combine(output, TrajectoriesFileName));
        }

        return new MergeReport
        {
            SetAside = setAside,
            CompleteRuns = runs.Count,
            Incomplete = incomplete,
            WithoutTrajectory = withoutTrajectory,
            FilesWritten = written,
            ResultRows = runs.Count,
            TrajectoryRows = trajectoryRows,
            TrajectoryRowGroups = rowGroups,
        };
    }

    // The merged tables replace earlier merges' tables, never files someone else put there: a
    // folder the toolkit has written into carries its lock file (a sweep's results folder does).
    private static void PrepareOutput(string output)
    {
        bool marked = Directory.Exists(output) && FolderLock.IsMarked(output);
        if (!marked)
        {
            foreach (string name in new[] { ResultsParquetFileName, ResultsCsvFileName, TrajectoriesFileName })
            {
                string path = Path.Combine(output, name);
                if (UnixFiles.Stat(path, followLinks: false).Kind != FileKind.Missing)
                {
                    throw new RunFolderException($"'{path}' exists and was not written by the toolkit (its folder has no {FolderLock.FileName}); merge into another folder with --out.");
                }
            }
        }

        Directory.CreateDirectory(output);
        FolderLock.Mark(output);
    }

    /// <summary>Quotes a CSV cell per RFC 4180 when it holds a comma, quote or line break, or is empty (to tell it from null).</summary>
    internal static string QuoteCsv(string text) =>
        text.Length == 0 || text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    /// <summary>Parses a number cell of a data CSV (invariant culture, nan/inf/-inf), or returns false.</summary>
    internal static bool TryParseNumber(string text, out double value)
    {
        ReadOnlySpan<char> span = text.AsSpan().Trim();
        if (span.Length > 0 && span[0] == '+')
        {
            span = span[1..];
        }

        if (span.Equals("nan", StringComparison.OrdinalIgnoreCase) || span.Equals("-nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        if (span.Equals("inf", StringComparison.OrdinalIgnoreCase) || span.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (span.Equals("-inf", StringComparison.OrdinalIgnoreCase) || span.Equals("-infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NegativeInfinity;
            return true;
        }

        return double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    internal static ParquetOptions ParquetOptions() => new() { CompressionMethod = CompressionMethod.Snappy };

    internal static UTF8Encoding Utf8 { get; } = new(false);

    internal static DataField StringField(string name, bool nullable = true) => new DataField<string>(name, nullable);
}
