using System.Globalization;

namespace Sharpness.Runs;

/// <summary>A numeric table read back from a CSV file written by <see cref="CsvTable"/>.</summary>
/// <param name="Columns">Column names in file order.</param>
/// <param name="Rows">Rows, one value per column.</param>
public sealed record NumericTable(IReadOnlyList<string> Columns, IReadOnlyList<double[]> Rows)
{
    /// <summary>The values of column <paramref name="name"/>, in row order.</summary>
    /// <exception cref="KeyNotFoundException">There is no such column.</exception>
    public double[] Column(string name)
    {
        int index = -1;
        for (int i = 0; i < Columns.Count; i++)
        {
            if (Columns[i] == name)
            {
                index = i;
                break;
            }
        }

        if (index < 0)
        {
            throw new KeyNotFoundException($"The table has no column '{name}' (columns: {string.Join(", ", Columns)}).");
        }

        return Rows.Select(r => r[index]).ToArray();
    }
}

/// <summary>Reads the numeric CSV tables <see cref="CsvTable"/> writes (<c>nan</c>, <c>inf</c>, <c>-inf</c> included).</summary>
public static class NumericCsv
{
    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is empty, a row has the wrong number of cells, or a cell is not a number; the message names the file and line.</exception>
    public static NumericTable Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = new StreamReader(path);
        string? header = reader.ReadLine();
        if (string.IsNullOrEmpty(header))
        {
            throw new InvalidDataException($"{path}: empty file, expected a header line.");
        }

        string[] columns = header.Split(',');
        var rows = new List<double[]>();
        int lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            string[] cells = line.Split(',');
            if (cells.Length != columns.Length)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: {cells.Length} cells, expected {columns.Length}.");
            }

            var row = new double[cells.Length];
            for (int i = 0; i < cells.Length; i++)
            {
                row[i] = Parse(cells[i]) ?? throw new InvalidDataException($"{path}, line {lineNumber}: '{cells[i]}' in column '{columns[i]}' is not a number.");
            }

            rows.Add(row);
        }

        return new NumericTable(columns, rows);
    }

    private static double? Parse(string cell) => cell switch
    {
        "nan" or "NaN" or "" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null,
    };
}
