using System.Collections.Concurrent;
using Sharpness.Runs;
using Sharpness.Runs.Sweeps;
using Sharpness.Web.Api;

namespace Sharpness.Web.Runs;

/// <summary>
/// Numeric columns of a run's CSV file for plotting: the rows whose x lies in [x_min, x_max], thinned to
/// at most a number of points by keeping, in each of evenly many buckets of rows, the rows where each
/// requested column takes its minimum and its maximum (so oscillations and spikes survive thinning).
/// A zoom asks again with a narrower x range and gets every row once few enough remain.
/// </summary>
/// <param name="X">Name of the x column.</param>
/// <param name="RowsTotal">Rows in the file.</param>
/// <param name="RowsInRange">Rows with x in range.</param>
/// <param name="Downsampled">Whether rows were left out.</param>
/// <param name="AllColumns">Every column of the file.</param>
/// <param name="Columns">The x column and the requested columns, equally long; null where a value is not finite.</param>
public sealed record CsvSeries(string X, int RowsTotal, int RowsInRange, bool Downsampled, IReadOnlyList<string> AllColumns, IReadOnlyDictionary<string, double[]> Columns)
{
    /// <summary>Selects and thins.</summary>
    /// <param name="table">The parsed file.</param>
    /// <param name="x">The x column.</param>
    /// <param name="columns">The y columns (empty: every column).</param>
    /// <param name="xMin">Smallest x kept, or null.</param>
    /// <param name="xMax">Largest x kept, or null.</param>
    /// <param name="maxPoints">Largest number of rows returned (≥ 2).</param>
    public static CsvSeries Select(NumericTable table, string x, IReadOnlyList<string> columns, double? xMin, double? xMax, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(table);
        var names = columns.Count == 0 ? table.Columns.Where(c => c != x).ToList() : columns.ToList();
        foreach (string name in names.Append(x))
        {
            if (!table.Columns.Contains(name))
            {
                throw ApiException.BadRequest($"columns: the file has no column '{QueryParameters.Short(name)}' (its columns: {string.Join(", ", table.Columns)}).");
            }
        }

        double[] xs = table.Column(x);
        var inRange = new List<int>(xs.Length);
        for (int i = 0; i < xs.Length; i++)
        {
            if ((xMin is null || xs[i] >= xMin) && (xMax is null || xs[i] <= xMax))
            {
                inRange.Add(i);
            }
        }

        var ys = names.Select(table.Column).ToArray();
        List<int> kept = inRange.Count <= maxPoints ? inRange : Thin(inRange, ys, maxPoints);
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal)
        {
            [x] = kept.Select(i => xs[i]).ToArray(),
        };
        for (int k = 0; k < names.Count; k++)
        {
            var column = ys[k];
            result[names[k]] = kept.Select(i => column[i]).ToArray();
        }

        return new CsvSeries(x, xs.Length, inRange.Count, kept.Count < inRange.Count, table.Columns, result);
    }

    // Min and max of every column in each bucket; the first and last rows always kept.
    private static List<int> Thin(List<int> rows, double[][] ys, int maxPoints)
    {
        int perBucket = Math.Max(2, 2 * ys.Length);
        int buckets = Math.Max(1, (maxPoints - 2) / perBucket);
        var kept = new SortedSet<int> { rows[0], rows[^1] };
        for (int b = 0; b < buckets; b++)
        {
            int from = (int)((long)rows.Count * b / buckets);
            int to = (int)((long)rows.Count * (b + 1) / buckets);
            if (to <= from)
            {
                continue;
            }

            if (ys.Length == 0)
            {
                kept.Add(rows[from]);
                continue;
            }

            foreach (var column in ys)
            {
                int lowest = -1, highest = -1;
                for (int k = from; k < to; k++)
                {
                    double v = column[rows[k]];
                    if (!double.IsFinite(v))
                    {
                        continue;
                    }

                    if (lowest < 0 || v < column[rows[lowest]])
                    {
                        lowest = k;
                    }

                    if (highest < 0 || v > column[rows[highest]])
                    {
                        highest = k;
                    }
                }

                if (lowest >= 0)
                {
                    kept.Add(rows[lowest]);
                    kept.Add(rows[highest]);
                }
            }
        }

        return [.. kept];
    }
}

/// <summary>A CSV file as text cells (for results tables, claims and the like), at most a number of rows.</summary>
/// <param name="Columns">Header.</param>
/// <param name="Rows">Cells, row by row.</param>
/// <param name="Truncated">Whether rows were left out.</param>
public sealed record CsvText(IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows, bool Truncated)
{
    /// <summary>Reads a CSV file (RFC 4180 quoting) as text.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxRows">Largest number of rows read.</param>
    public static CsvText Read(string path, int maxRows)
    {
        using var reader = new CsvRecordReader(path);
        string[] header = reader.Read() ?? [];
        var rows = new List<string[]>();
        bool truncated = false;
        while (reader.Read() is { } record)
        {
            if (rows.Count >= maxRows)
            {
                truncated = true;
                break;
            }

            rows.Add(record);
        }

        return new CsvText(header, rows, truncated);
    }
}

/// <summary>
/// Parsed numeric CSV files, kept while unchanged (same length and modification time) so that zooming
/// into a long run does not parse its file again; at most a few files are kept.
/// </summary>
public sealed class CsvCache
{
    private const int Capacity = 8;
    private readonly ConcurrentDictionary<string, (long Length, DateTime Modified, NumericTable Table, long Used)> _tables = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>The numeric table of a file (cells that are not numbers read as NaN).</summary>
    /// <param name="path">The file (resolved inside the runs folder).</param>
    public NumericTable Get(string path)
    {
        var info = new FileInfo(path);
        long now = Interlocked.Increment(ref _clock);
        if (_tables.TryGetValue(path, out var cached) && cached.Length == info.Length && cached.Modified == info.LastWriteTimeUtc)
        {
            _tables[path] = cached with { Used = now };
            return cached.Table;
        }

        var table = Parse(path);
        _tables[path] = (info.Length, info.LastWriteTimeUtc, table, now);
        while (_tables.Count > Capacity)
        {
            var oldest = _tables.MinBy(t => t.Value.Used);
            _tables.TryRemove(oldest.Key, out _);
        }

        return table;
    }

    private static NumericTable Parse(string path)
    {
        using var reader = new CsvRecordReader(path);
        string[] header = reader.Read() ?? throw ApiException.BadRequest("file: the CSV file is empty.");
        var rows = new List<double[]>();
        while (reader.Read() is { } record)
        {
            var row = new double[header.Length];
            for (int i = 0; i < header.Length; i++)
            {
                row[i] = i < record.Length && CsvTableReader.TryParseNumber(record[i], out double v) ? v : double.NaN;
            }

            rows.Add(row);
        }

        return new NumericTable(header, rows);
    }
}
