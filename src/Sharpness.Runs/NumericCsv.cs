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

/// <summary>Reads a whole numeric CSV table (the format <see cref="CsvTable"/> writes) into memory, through <see cref="CsvTableReader"/>.</summary>
public static class NumericCsv
{
    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is empty, a row has the wrong number of cells, or a cell is not a number; the message names the file and line.</exception>
    public static NumericTable Read(string path)
    {
        using var reader = new CsvTableReader(path);
        var rows = new List<double[]>();
        while (reader.Read())
        {
            var row = new double[reader.Columns.Count];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.Number(i);
            }

            rows.Add(row);
        }

        return new NumericTable(reader.Columns, rows);
    }
}
