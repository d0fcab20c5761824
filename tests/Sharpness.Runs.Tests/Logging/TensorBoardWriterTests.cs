using System.Buffers.Binary;
using System.Text;
using Sharpness.Runs.Logging;

namespace Sharpness.Runs.Tests.Logging;

public class TensorBoardWriterTests
{
    [Fact]
    public void Crc32CMatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, TensorBoardWriter.Crc32C(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void RecordsAreFramedWithValidChecksumsAndHoldTheScalars()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"tb-{Guid.NewGuid():N}");
        string path;
        using (var writer = new TensorBoardWriter(dir, wallTime: 1000))
        {
            writer.AddScalar("sharpness", 3, 12.5, wallTime: 1001);
            writer.AddScalar("loss", 4, 0.25, wallTime: 1002);
            path = writer.FilePath;
        }

        byte[] file = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        for (int offset = 0; offset < file.Length;)
        {
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(offset));
            Assert.Equal(TensorBoardWriter.MaskedCrc(file.AsSpan(offset, 8)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 8)));
            byte[] data = file.AsSpan(offset + 12, (int)length).ToArray();
            Assert.Equal(TensorBoardWriter.MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset + 12 + (int)length)));
            records.Add(data);
            offset += 12 + (int)length + 4;
        }

        Assert.Equal(3, records.Count);
        Assert.Contains("brain.Event:2", Encoding.UTF8.GetString(records[0]));
        Assert.Equal(1001.0, BinaryPrimitives.ReadDoubleLittleEndian(records[1].AsSpan(1)));
        Assert.Equal(0x10, records[1][9]);
        Assert.Equal(3, records[1][10]);
        Assert.Contains("sharpness", Encoding.UTF8.GetString(records[1]));
        Assert.Equal(12.5f, BinaryPrimitives.ReadSingleLittleEndian(records[1].AsSpan(records[1].Length - 4)));
        Assert.Equal(0.25f, BinaryPrimitives.ReadSingleLittleEndian(records[2].AsSpan(records[2].Length - 4)));
        Assert.StartsWith("events.out.tfevents.1000.", Path.GetFileName(path), StringComparison.Ordinal);
    }
}
