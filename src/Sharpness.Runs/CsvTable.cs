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
/// any size are written with bounded memory. Numbers are formatted straight into a UTF-8 buffer,
/// without a string per number.
/// </summary>
public sealed class CsvTableWriter : IDisposable
{
    private const int BufferSize = 1 << 16;

    // The longest cell: a round-trip double ("-1.2345678901234567E-308") is at most 24 bytes.
    private const int MaxNumberBytes = 32;

    private static readonly byte[] NaN = "nan"u8.ToArray(), Infinity = "inf"u8.ToArray(), NegativeInfinity = "-inf"u8.ToArray();

    private readonly Stream _stream;
    private readonly int _columns;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _used;

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

        _stream = stream;
        _columns = columns.Count;
        WriteText(string.Join(',', columns));
        Put((byte)'\n');
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

        if (_used + (row.Length * (MaxNumberBytes + 1)) > BufferSize)
        {
            WriteBuffer();
        }

        for (int i = 0; i < row.Length; i++)
        {
            if (i > 0)
            {
                _buffer[_used++] = (byte)',';
            }

            double value = row[i];
            if (double.IsFinite(value))
            {
                // "R" is the shortest text that parses back to the same double, as CsvTable.Format writes it.
                if (!value.TryFormat(_buffer.AsSpan(_used), out int written, "R", CultureInfo.InvariantCulture))
                {
                    throw new InvalidOperationException("A number did not fit its cell buffer.");
                }

                _used += written;
            }
            else
            {
                byte[] text = double.IsNaN(value) ? NaN : value > 0 ? Infinity : NegativeInfinity;
                text.CopyTo(_buffer, _used);
                _used += text.Length;
            }
        }

        _buffer[_used++] = (byte)'\n';
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

        WriteText(string.Join(',', cells));
        Put((byte)'\n');
        RowCount++;
    }

    /// <summary>Flushes the buffered text to the stream.</summary>
    public void Dispose() => WriteBuffer();

    private void WriteText(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > BufferSize - _used)
        {
            WriteBuffer();
            if (bytes.Length > BufferSize)
            {
                _stream.Write(bytes);
                return;
            }
        }

        bytes.CopyTo(_buffer, _used);
        _used += bytes.Length;
    }

    private void Put(byte value)
    {
        if (_used == BufferSize)
        {
            WriteBuffer();
        }

        _buffer[_used++] = value;
    }

    /// <summary>Writes the rows buffered so far to the stream and flushes it, so a reader of a file that grows sees them.</summary>
    public void Flush()
    {
        WriteBuffer();
        _stream.Flush();
    }

    private void WriteBuffer()
    {
        _stream.Write(_buffer, 0, _used);
        _used = 0;
    }
}
