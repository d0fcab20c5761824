using CsCheck;

namespace Sharpness.Runs.Tests;

public class NumericCsvTests
{
    [Fact]
    public void ReadsBackWhatCsvTableWrote()
    {
        Gen.Double.Array[1, 5].Array[0, 20].Sample(rows =>
        {
            int width = rows.Length > 0 ? rows[0].Length : 1;
            var table = rows.Select(r => r.Take(width).Concat(Enumerable.Repeat(0.5, Math.Max(0, width - r.Length))).ToArray()).ToArray();
            string path = Path.GetTempFileName();
            try
            {
                using (var stream = File.Create(path))
                {
                    CsvTable.Write(stream, Enumerable.Range(0, width).Select(i => $"c{i}").ToArray(), table);
                }

                var read = NumericCsv.Read(path);
                Assert.Equal(width, read.Columns.Count);
                Assert.Equal(table.Length, read.Rows.Count);
                for (int i = 0; i < table.Length; i++)
                {
                    // double.Equals treats NaN as equal to NaN, so this compares every value, non-finite ones included.
                    Assert.Equal(table[i], read.Rows[i]);
                }
            }
            finally
            {
                File.Delete(path);
            }
        }, iter: 50);
    }

    [Fact]
    public void ColumnByName()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "step,loss\n0,1.5\n1,nan\n");
            var table = NumericCsv.Read(path);
            Assert.Equal([0.0, 1.0], table.Column("step"));
            Assert.True(double.IsNaN(table.Column("loss")[1]));
            Assert.Contains("'sharpness'", Assert.Throws<KeyNotFoundException>(() => table.Column("sharpness")).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("a,b\n1\n", "line 2 has 1 cells for 2 columns")]
    [InlineData("a,b\n1,x\n", "column 'b': 'x' is not a number")]
    public void MalformedFilesNameTheProblem(string content, string expected)
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, content);
            var error = Assert.Throws<InvalidDataException>(() => NumericCsv.Read(path));
            Assert.Contains(expected, error.Message);
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
