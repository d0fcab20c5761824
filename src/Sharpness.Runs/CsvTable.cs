using System.Globalization;
using System.Text;

namespace Sharpness.Runs;

/// <summary>
/// Writes numeric tables as CSV: a header line, then one line per row, numbers in invariant
/// culture with round-trip precision ("R": parsing the text gives back the same double), NaN and
/// infinities as <c>nan</c>, <c>inf</c>, <c>-inf</c> (which pandas reads).
/// </summary>
public static class CsvTable
{
    /// <summary>Writes the table to <paramref name="stream"/> as UTF-8 with '\n' line ends.</summary>
    /// <param name="stream">Destination (left open).</param>
    /// <param name="columns">Column names (no commas or quotes).</param>
    /// <param name="rows">Rows; each must have one value per column.</param>
    public static void Write(Stream stream, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<double>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var writer = new CsvTableWriter(stream, columns);
        foreach (var row in rows)
        {
            writer.WriteRow(row is double[] array ? array : row.ToArray());
        }
    }

    /// <summary>Formats one number the way <see cref="Write"/> does.</summary>
    /// <param name="value">The number.</param>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ when double.IsNaN(value) => "nan",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Streams a numeric CSV table row by row (the format of <see cref="CsvTable"/>), so tables of
/// any size are written with bounded memory.
/// </summary>
public sealed class CsvTableWriter : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly int _columns;
    private readonly StringBuilder _line = new();

    /// <summary>Starts a table: writes the header line.</summary>
    /// <param name="stream">Destination (left open when the writer is disposed).</param>
    /// <param name="columns">Column names (no commas or quotes).</param>
    public CsvTableWriter(Stream stream, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Any(c => c.Contains(',', StringComparison.Ordinal) || c.Contains('"', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Column names must not contain commas or quotes.", nameof(columns));
        }

        _columns = columns.Count;
        _writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\n" };
        _writer.WriteLine(string.Join(',', columns));
    }

    /// <summary>Rows written so far.</summary>
    public long RowCount { get; private set; }

    /// <summary>Writes one row.</summary>
    /// <param name="row">One value per column.</param>
    public void WriteRow(ReadOnlySpan<double> row)
    {
        if (row.Length != _columns)
        {
            throw new ArgumentException($"A row has {row.Length} values for {_columns} columns.", nameof(row));
        }

        _line.Clear();
        for (int i = 0; i < row.Length; i++)
        {
            if (i > 0)
            {
                _line.Append(',');
            }

            _line.Append(CsvTable.Format(row[i]));
        }

        _writer.WriteLine(_line);
        RowCount++;
    }

    /// <summary>Writes one row of text cells (numbers formatted with <see cref="CsvTable.Format"/>, labels as plain words).</summary>
    /// <param name="cells">One cell per column; no commas, quotes or line breaks.</param>
    public void WriteRow(IReadOnlyList<string> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count != _columns)
        {
            throw new ArgumentException($"A row has {cells.Count} values for {_columns} columns.", nameof(cells));
        }

        if (cells.Any(c => c.AsSpan().IndexOfAny(",\"\r\n") >= 0))
        {
            throw new ArgumentException("Text cells must not contain commas, quotes or line breaks.", nameof(cells));
        }

        _writer.WriteLine(string.Join(',', cells));
        RowCount++;
    }

    /// <summary>Flushes the buffered text to the stream.</summary>
    public void Dispose() => _writer.Dispose();
}
