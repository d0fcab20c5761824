using CsCheck;

namespace Sharpness.Runs.Tests;

public class CsvTableReaderTests
{
    private static string NewFile(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), "sharpness-runs-tests", Guid.NewGuid().ToString("N") + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void EveryDoubleTheWriterWritesReadsBackExactly()
    {
        Gen.Double.Array[1, 50].Sample(values =>
        {
            string path = NewFile(string.Empty);
            using (var stream = File.Create(path))
            {
                CsvTable.Write(stream, ["i", "value"], values.Select((v, i) => (IReadOnlyList<double>)[i, v]));
            }

            var read = CsvTableReader.ReadNumbers(path, "value", "i");
            return read[0].Zip(values).All(p => p.First.Equals(p.Second)) && read[1].SequenceEqual(Enumerable.Range(0, values.Length).Select(i => (double)i));
        });
    }

    [Fact]
    public void TextCellsAndNonFiniteNamesAreRead()
    {
        using var reader = new CsvTableReader(NewFile("c,category,x\n0.5,EoS period 2,nan\n\n1,catapult,-inf\n"));

        Assert.Equal(["c", "category", "x"], reader.Columns);
        Assert.True(reader.Read());
        Assert.Equal("EoS period 2", reader.Text(reader.Column("category")));
        Assert.True(double.IsNaN(reader.Number(reader.Column("x"))));
        Assert.True(reader.Read());
        Assert.Equal(4, reader.Line);
        Assert.Equal(double.NegativeInfinity, reader.Number(2));
        Assert.False(reader.Read());
    }

    [Fact]
    public void ErrorsNameTheFileTheLineAndTheColumn()
    {
        string path = NewFile("a,b\n1,2\n3\n");
        using (var reader = new CsvTableReader(path))
        {
            Assert.Contains(path, Assert.Throws<InvalidDataException>(() => reader.Column("c")).Message);
            Assert.True(reader.Read());
            var tooShort = Assert.Throws<InvalidDataException>(() => reader.Read());
            Assert.Contains("line 3", tooShort.Message);
        }

        string word = NewFile("a\nabc\n");
        var notANumber = Assert.Throws<InvalidDataException>(() => CsvTableReader.ReadNumbers(word, "a"));
        Assert.Contains("line 2, column 'a'", notANumber.Message);
        Assert.Contains(word, notANumber.Message);
        Assert.Throws<InvalidDataException>(() => new CsvTableReader(NewFile(string.Empty)));
    }
}
