using System.Globalization;
using System.Text;

namespace Sharpness.Runs.Sweeps;

/// <summary>
/// Reads CSV records one at a time (RFC 4180: fields may be quoted, quotes doubled inside
/// quotes, quoted fields may hold commas and line breaks; lines end in '\n' or "\r\n"). Blank
/// lines are skipped, as pandas does.
/// </summary>
public sealed class CsvRecordReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly StringBuilder _field = new();
    private readonly List<string> _record = [];

    /// <summary>Longest field, in characters: a file without the expected separators stops here instead of filling memory.</summary>
    public const int MaxFieldLength = 1 << 24;

    /// <summary>Most fields in one record.</summary>
    public const int MaxFields = 1 << 16;

    /// <summary>Opens a CSV file.</summary>
    /// <param name="path">The file.</param>
    public CsvRecordReader(string path) =>
        _reader = new StreamReader(Safety.BoundedFile.OpenRead(path, Safety.FileKindLimit.Table), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

    /// <summary>Number of the line on which the last record returned started (1-based).</summary>
    public long RecordLine { get; private set; }

    private long _line = 1;

    /// <summary>The next record, or null at the end of the file.</summary>
    public string[]? Read()
    {
        while (true)
        {
            int first = _reader.Peek();
            if (first < 0)
            {
                return null;
            }

            RecordLine = _line;
            if (first is '\n' or '\r')
            {
                // A blank line.
                ReadLineEnd();
                continue;
            }

            return ReadRecord();
        }
    }

    private string[] ReadRecord()
    {
        _record.Clear();
        _field.Clear();
        bool quoted = false;
        bool wasQuoted = false;
        while (true)
        {
            int c = _reader.Read();
            if (quoted)
            {
                if (c < 0)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"A quoted field that starts on line {RecordLine} is not closed."));
                }

                if (c == '"')
                {
                    if (_reader.Peek() == '"')
                    {
                        _reader.Read();
                        _field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    Append((char)c);
                }

                continue;
            }

            switch (c)
            {
                case < 0:
                    EndField();
                    return [.. _record];
                case '\r' or '\n':
                    if (c == '\r' && _reader.Peek() == '\n')
                    {
                        _reader.Read();
                    }

                    _line++;
                    EndField();
                    return [.. _record];
                case ',':
                    EndField();
                    wasQuoted = false;
                    break;
                case '"' when _field.Length == 0 && !wasQuoted:
                    quoted = true;
                    wasQuoted = true;
                    break;
                default:
                    Append((char)c);
                    break;
            }
        }
    }

    private void Append(char c)
    {
        if (_field.Length >= MaxFieldLength)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"a field of the record on line {RecordLine} is longer than {MaxFieldLength} characters; this is not a data table."));
        }

        _field.Append(c);
    }

    private void EndField()
    {
        if (_record.Count >= MaxFields)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"the record on line {RecordLine} has more than {MaxFields} fields; this is not a data table."));
        }

        _record.Add(_field.ToString());
        _field.Clear();
    }

    private void ReadLineEnd()
    {
        int c = _reader.Read();
        if (c == '\r' && _reader.Peek() == '\n')
        {
            _reader.Read();
        }

        _line++;
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _reader.Dispose();
}
