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
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (columns.Any(c => c.Contains(',', StringComparison.Ordinal) || c.Contains('"', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Column names must not contain commas or quotes.", nameof(columns));
        }

        using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\n" };
        writer.WriteLine(string.Join(',', columns));
        var line = new StringBuilder();
        foreach (var row in rows)
        {
            if (row.Count != columns.Count)
            {
                throw new ArgumentException($"A row has {row.Count} values for {columns.Count} columns.", nameof(rows));
            }

            line.Clear();
            for (int i = 0; i < row.Count; i++)
            {
                if (i > 0)
                {
                    line.Append(',');
                }

                line.Append(Format(row[i]));
            }

            writer.WriteLine(line);
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
