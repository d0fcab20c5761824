using System.Globalization;
using System.Text;

namespace Sharpness.Runs;

/// <summary>
/// Reads a table written by <see cref="CsvTableWriter"/> back, one row at a time: a header line,
/// then rows of cells separated by commas (the writer never quotes, so a comma always separates
/// cells). Numbers parse back to the exact doubles written (<c>nan</c>, <c>inf</c>, <c>-inf</c>
/// included). Every error names the file, the line and the column. The file must be a regular file
/// within <see cref="Safety.FileKindLimit.Table"/>'s size, and a line longer than
/// <see cref="MaxLineLength"/> characters is an error, so a file that is not a table stops the
/// reader instead of filling memory.
/// </summary>
public sealed class CsvTableReader : IDisposable
{
    /// <summary>Longest line read, in characters.</summary>
    public const int MaxLineLength = 1 << 24;

    private readonly StreamReader _reader;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _pending = new();
    private int _bufferStart;
    private int _bufferEnd;
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private string _line = string.Empty;

    // Cell k of the current row is _line[_starts[k].._ends[k]]; cells are not copied until asked for as text.
    private int[] _starts = [];
    private int[] _ends = [];

    /// <summary>Opens the file and reads its header.</summary>
    /// <param name="path">The CSV file.</param>
    /// <exception cref="InvalidDataException">The file is missing, not a regular file, too large, has no header line or repeats a column.</exception>
    public CsvTableReader(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
        try
        {
            _reader = new StreamReader(Safety.BoundedFile.OpenRead(path, Safety.FileKindLimit.Table), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        }
        catch (Safety.InputFileException e)
        {
            throw new InvalidDataException(e.Message);
        }

        string? header = ReadLine();
        Line = 1;
        if (string.IsNullOrEmpty(header))
        {
            _reader.Dispose();
            throw new InvalidDataException($"'{path}' is empty: a CSV table needs a header line.");
        }

        Columns = header.Split(',');
        _starts = new int[Columns.Count];
        _ends = new int[Columns.Count];
        for (int i = 0; i < Columns.Count; i++)
        {
            if (!_index.TryAdd(Columns[i], i))
            {
                _reader.Dispose();
                throw new InvalidDataException($"'{path}' repeats the column '{Columns[i]}'.");
            }
        }
    }

    /// <summary>The file being read.</summary>
    public string Path { get; }

    /// <summary>Column names from the header, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Line number (1-based) of the current row; 1 before the first <see cref="Read"/>.</summary>
    public long Line { get; private set; }

    /// <summary>Whether the table has the column.</summary>
    /// <param name="name">Column name.</param>
    public bool HasColumn(string name) => _index.ContainsKey(name);

    /// <summary>Index of a column.</summary>
    /// <param name="name">Column name.</param>
    /// <exception cref="InvalidDataException">The table has no such column.</exception>
    public int Column(string name) => _index.TryGetValue(name, out int i)
        ? i
        : throw new InvalidDataException($"'{Path}' has no column '{name}' (its columns: {string.Join(", ", Columns)}).");

    /// <summary>Advances to the next row, skipping blank lines.</summary>
    /// <returns>False at the end of the file.</returns>
    /// <exception cref="InvalidDataException">A row has a different number of cells than the header.</exception>
    public bool Read()
    {
        while (true)
        {
            string? line = ReadLine();
            if (line is null)
            {
                return false;
            }

            Line++;
            if (line.Length == 0)
            {
                continue;
            }

            _line = line;
            int cells = 0, start = 0;
            while (true)
            {
                int comma = line.IndexOf(',', start);
                int end = comma < 0 ? line.Length : comma;
                if (cells < Columns.Count)
                {
                    _starts[cells] = start;
                    _ends[cells] = end;
                }

                cells++;
                if (comma < 0)
                {
                    break;
                }

                start = comma + 1;
            }

            if (cells != Columns.Count)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{Path}' line {Line} has {cells} cells for {Columns.Count} columns."));
            }

            return true;
        }
    }

    /// <summary>The text of a cell of the current row.</summary>
    /// <param name="column">Column index (see <see cref="Column"/>).</param>
    public string Text(int column) => Cell(column).ToString();

    /// <summary>A cell of the current row as a number.</summary>
    /// <param name="column">Column index (see <see cref="Column"/>).</param>
    /// <exception cref="InvalidDataException">The cell is not a number.</exception>
    public double Number(int column) => TryParseNumber(Cell(column), out double value)
        ? value
        : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{Path}' line {Line}, column '{Columns[column]}': '{Text(column)}' is not a number."));

    /// <summary>Parses a number written by <see cref="CsvTable.Format"/> (also <c>nan</c>, <c>inf</c>, <c>-inf</c>).</summary>
    /// <param name="text">The cell.</param>
    /// <param name="value">The number.</param>
    /// <returns>Whether the text is a number.</returns>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out double value)
    {
        if (text.SequenceEqual("nan"))
        {
            value = double.NaN;
            return true;
        }

        if (text.SequenceEqual("inf"))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (text.SequenceEqual("-inf"))
        {
            value = double.NegativeInfinity;
            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Reads whole numeric columns of a table.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="columns">Names of the columns to read.</param>
    /// <returns>One array per requested column, in the order requested, one value per row.</returns>
    /// <exception cref="InvalidDataException">A column is missing or a cell is not a number.</exception>
    public static double[][] ReadNumbers(string path, params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        using var reader = new CsvTableReader(path);
        int[] index = columns.Select(reader.Column).ToArray();
        var values = columns.Select(_ => new List<double>()).ToArray();
        while (reader.Read())
        {
            for (int k = 0; k < index.Length; k++)
            {
                values[k].Add(reader.Number(index[k]));
            }
        }

        return values.Select(v => v.ToArray()).ToArray();
    }

    // StreamReader.ReadLine would read a line of any length into memory; this stops at MaxLineLength.
    private string? ReadLine()
    {
        _pending.Clear();
        while (true)
        {
            if (_bufferStart == _bufferEnd)
            {
                try
                {
                    _bufferEnd = _reader.Read(_buffer, 0, _buffer.Length);
                }
                catch (Safety.InputFileException e)
                {
                    throw new InvalidDataException(e.Message);
                }

                _bufferStart = 0;
                if (_bufferEnd == 0)
                {
                    return _pending.Length > 0 ? TrimCarriageReturn(_pending.ToString()) : null;
                }
            }

            int newline = Array.IndexOf(_buffer, '\n', _bufferStart, _bufferEnd - _bufferStart);
            int end = newline < 0 ? _bufferEnd : newline;
            if (_pending.Length + (end - _bufferStart) > MaxLineLength)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{Path}' line {Line + 1} is longer than {MaxLineLength} characters: it is not a data table."));
            }

            _pending.Append(_buffer, _bufferStart, end - _bufferStart);
            _bufferStart = newline < 0 ? _bufferEnd : newline + 1;
            if (newline >= 0)
            {
                return TrimCarriageReturn(_pending.ToString());
            }
        }
    }

    private static string TrimCarriageReturn(string line) => line.EndsWith('\r') ? line[..^1] : line;

    private ReadOnlySpan<char> Cell(int column) => _line.AsSpan(_starts[column], _ends[column] - _starts[column]);

    /// <summary>Closes the file.</summary>
    public void Dispose() => _reader.Dispose();
}
