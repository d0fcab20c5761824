using System.Globalization;
using System.Text;
using CsCheck;

namespace Sharpness.Runs.Tests;

public class CsvTableTests
{
    [Fact]
    public void EveryFiniteDoubleRoundTrips()
    {
        Gen.Double.Where(double.IsFinite).Sample(value =>
            double.Parse(CsvTable.Format(value), CultureInfo.InvariantCulture) == value);
    }

    [Fact]
    public void NonFiniteValuesUseNamesPandasReads()
    {
        Assert.Equal("nan", CsvTable.Format(double.NaN));
        Assert.Equal("inf", CsvTable.Format(double.PositiveInfinity));
        Assert.Equal("-inf", CsvTable.Format(double.NegativeInfinity));
    }

    [Fact]
    public void WritesHeaderAndRows()
    {
        using var stream = new MemoryStream();
        CsvTable.Write(stream, ["a", "b"], [[1, 0.1], [2, -3e-300]]);

        Assert.Equal("a,b\n1,0.1\n2,-3E-300\n", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void RowOfWrongLengthIsRejected()
    {
        using var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => CsvTable.Write(stream, ["a", "b"], [[1]]));
    }
}
