using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Sharpness.Runs.Sweeps;

/// <summary>One run's data CSV as found by the first pass: its header and row count.</summary>
internal sealed record TrajectorySource(string Run, string Path, string[] Columns, long Rows);

/// <summary>
/// The long-format table of every run's data rows. <see cref="Scan"/> reads each CSV once to
/// learn the columns and their types; <see cref="WriteParquetAsync"/> reads them again and
/// streams the rows into row groups.
/// </summary>
internal sealed class TrajectoryTable
{
    private readonly string[] _columns;
    private readonly bool[] _numeric;
    private readonly Dictionary<string, int> _index;

    private TrajectoryTable(IReadOnlyList<TrajectorySource> sources, string[] columns, bool[] numeric)
    {
        Sources = sources;
        _columns = columns;
        _numeric = numeric;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Length; i++)
        {
            _index[columns[i]] = i;
        }
    }

    public IReadOnlyList<TrajectorySource> Sources { get; }

    /// <summary>First pass: finds each run's data CSV, checks it, and decides the column types.</summary>
    public static TrajectoryTable Scan(IReadOnlyList<CompleteRun> runs, List<RunIssue> skipped, CancellationToken cancellationToken)
    {
        var sources = new List<TrajectorySource>();
        var columns = new List<string>();
        var numeric = new List<bool>();
        var hasValue = new List<bool>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (CompleteRun run in runs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? file = run.Files.FirstOrDefault(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase));
            if (file is null)
            {
                skipped.Add(new RunIssue(run.Name, "the manifest lists no .csv file"));
                continue;
            }

            if (!Safety.PathSegment.IsSafe(file))
            {
                skipped.Add(new RunIssue(run.Name, $"the data file '{file}' is not a plain file name"));
                continue;
            }

            string path = Path.Combine(run.Folder, file);
            if (!File.Exists(path))
            {
                skipped.Add(new RunIssue(run.Name, $"the data file '{file}' is missing"));
                continue;
            }

            var (header, rows, columnIsNumeric, columnHasValue, problem) = ScanFile(path, cancellationToken);
            if (problem is not null)
            {
                skipped.Add(new RunIssue(run.Name, $"{file}: {problem}"));
                continue;
            }

            for (int i = 0; i < header!.Length; i++)
            {
                if (index.TryGetValue(header[i], out int k))
                {
                    numeric[k] &= columnIsNumeric![i];
                    hasValue[k] |= columnHasValue![i];
                }
                else
                {
                    index[header[i]] = columns.Count;
                    columns.Add(header[i]);
                    numeric.Add(columnIsNumeric![i]);
                    hasValue.Add(columnHasValue![i]);
                }
            }

            sources.Add(new TrajectorySource(run.Name, path, header, rows));
        }

        // A column is double when every non-empty cell of every run is a number and there is at
        // least one; a column with only empty cells is string.
        return new TrajectoryTable(sources, [.. columns], numeric.Zip(hasValue, (n, v) => n && v).ToArray());
    }

    /// <summary>
    /// Reads the header and every row of one CSV: the row count and, per column, whether every
    /// non-empty cell is a number and whether there is a non-empty cell.
    /// </summary>
    private static (string[]? Header, long Rows, bool[]? Numeric, bool[]? Filled, string? Problem) ScanFile(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = new CsvRecordReader(path);
            string[]? header = reader.Read();
            if (header is null)
            {
                return (null, 0, null, null, "the file is empty (no header line)");
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in header)
            {
                if (name.Length == 0)
                {
                    return (null, 0, null, null, "the header has an empty column name");
                }

                if (name == SweepMerger.RunColumn)
                {
                    return (null, 0, null, null, $"the header has a column named '{SweepMerger.RunColumn}', the name of the run column");
                }

                if (!names.Add(name))
                {
                    return (null, 0, null, null, $"the header names the column '{name}' twice");
                }
            }

            var numeric = new bool[header.Length];
            var filled = new bool[header.Length];
            Array.Fill(numeric, true);
            long rows = 0;
            while (reader.Read() is { } record)
            {
                if ((rows & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (record.Length != header.Length)
                {
                    return (null, 0, null, null, string.Create(CultureInfo.InvariantCulture, $"line {reader.RecordLine} has {record.Length} cells for {header.Length} columns"));
                }

                for (int i = 0; i < record.Length; i++)
                {
                    if (record[i].Length > 0)
                    {
                        filled[i] = true;
                        if (numeric[i] && !SweepMerger.TryParseNumber(record[i], out _))
                        {
                            numeric[i] = false;
                        }
                    }
                }

                rows++;
            }

            return (header, rows, numeric, filled, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Safety.InputFileException)
        {
            return (null, 0, null, null, e.Message);
        }
    }

    /// <summary>Second pass: streams every source's rows into row groups of at most <paramref name="rowGroupRows"/> rows.</summary>
    public async Task<(long Rows, int RowGroups)> WriteParquetAsync(Stream stream, int rowGroupRows, CancellationToken cancellationToken)
    {
        var fields = new DataField[_columns.Length + 1];
        fields[0] = SweepMerger.StringField(SweepMerger.RunColumn, nullable: false);
        for (int i = 0; i < _columns.Length; i++)
        {
            fields[i + 1] = _numeric[i] ? new DataField<double?>(_columns[i]) : SweepMerger.StringField(_columns[i]);
        }

        long total = Sources.Sum(s => s.Rows);
        int capacity = (int)Math.Min(rowGroupRows, Math.Max(total, 1));
        var runs = new string[capacity];
        var numbers = new double?[_columns.Length][];
        var texts = new string?[_columns.Length][];
        for (int i = 0; i < _columns.Length; i++)
        {
            if (_numeric[i])
            {
                numbers[i] = new double?[capacity];
            }
            else
            {
                texts[i] = new string?[capacity];
            }
        }

        long written = 0;
        int groups = 0;
        int count = 0;
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, SweepMerger.ParquetOptions(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            foreach (TrajectorySource source in Sources)
            {
                int[] target = source.Columns.Select(c => _index[c]).ToArray();
                long rows = 0;
                using var reader = new CsvRecordReader(source.Path);
                string[]? header = reader.Read();
                if (header is null || !header.SequenceEqual(source.Columns, StringComparer.Ordinal))
                {
                    throw new InvalidDataException($"'{source.Path}' changed while the sweep was being merged (its header differs).");
                }

                while (reader.Read() is { } record)
                {
                    if (record.Length != target.Length)
                    {
                        throw new InvalidDataException($"'{source.Path}' changed while the sweep was being merged (a row has {record.Length} cells).");
                    }

                    runs[count] = source.Run;
                    for (int j = 0; j < record.Length; j++)
                    {
                        int k = target[j];
                        string cell = record[j];
                        if (_numeric[k])
                        {
                            if (cell.Length == 0)
                            {
                                numbers[k][count] = null;
                            }
                            else if (SweepMerger.TryParseNumber(cell, out double value))
                            {
                                numbers[k][count] = value;
                            }
                            else
                            {
                                throw new InvalidDataException($"'{source.Path}' changed while the sweep was being merged (a cell of '{_columns[k]}' is no longer a number).");
                            }
                        }
                        else
                        {
                            texts[k][count] = cell.Length == 0 ? null : cell;
                        }
                    }

                    count++;
                    rows++;
                    if (count == capacity)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }
                }

                if (rows != source.Rows)
                {
                    throw new InvalidDataException($"'{source.Path}' changed while the sweep was being merged (it has {rows} rows, not {source.Rows}).");
                }
            }

            if (count > 0)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        return (written, groups);

        async Task FlushAsync()
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (ParquetRowGroupWriter group = writer.CreateRowGroup())
            {
                await group.WriteAsync(fields[0], new ArraySegment<string>(runs, 0, count)).ConfigureAwait(false);
                for (int i = 0; i < _columns.Length; i++)
                {
                    if (_numeric[i])
                    {
                        await group.WriteAsync<double>(fields[i + 1], new ReadOnlyMemory<double?>(numbers[i], 0, count), cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await group.WriteAsync(fields[i + 1], new ArraySegment<string>(texts[i]!, 0, count)).ConfigureAwait(false);
                    }
                }

                group.CompleteValidate();
            }

            written += count;
            groups++;
            count = 0;
            foreach (double?[]? column in numbers)
            {
                if (column is not null)
                {
                    Array.Clear(column);
                }
            }

            foreach (string?[]? column in texts)
            {
                if (column is not null)
                {
                    Array.Clear(column);
                }
            }
        }
    }
}
