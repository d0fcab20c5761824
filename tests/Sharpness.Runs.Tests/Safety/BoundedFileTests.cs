using Sharpness.Runs.Safety;

namespace Sharpness.Runs.Tests.Safety;

public class BoundedFileTests
{
    private static readonly FileKindLimit Tiny = new("settings file", 16);

    [Fact]
    public void DevZeroIsRefusedBeforeItIsRead()
    {
        var error = Assert.Throws<InputFileException>(() => BoundedFile.ReadAllText("/dev/zero", FileKindLimit.Settings));
        Assert.Contains("is a device", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANamedPipeIsRefusedWithoutBlocking()
    {
        string fifo = Path.Combine(SafetyTestSupport.NewFolder(), "pipe.toml");
        Assert.Equal(0, SafetyTestSupport.Run("mkfifo", fifo));

        var reading = Task.Run(() => BoundedFile.ReadAllText(fifo, FileKindLimit.Settings));
        var finished = await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.Same(reading, finished);
        var error = await Assert.ThrowsAsync<InputFileException>(() => reading);
        Assert.Contains("named pipe", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFolderIsNamedAsAFolderNotAsAccessDenied()
    {
        string folder = SafetyTestSupport.NewFolder();
        var error = Assert.Throws<InputFileException>(() => BoundedFile.ReadAllText(folder, FileKindLimit.Settings));
        Assert.Equal($"'{folder}' is a folder, not a settings file.", error.Message);
    }

    [Fact]
    public void AFileLargerThanItsKindAllowsIsRefusedWithBothSizes()
    {
        string path = Path.Combine(SafetyTestSupport.NewFolder(), "big.toml");
        File.WriteAllBytes(path, new byte[17]);
        var error = Assert.Throws<InputFileException>(() => BoundedFile.ReadAllText(path, Tiny));
        Assert.Contains("holds 17 bytes, more than the 16 bytes a settings file may hold", error.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, new byte[16]);
        Assert.Equal(16, BoundedFile.ReadAllBytes(path, Tiny).Length);
    }

    [Fact]
    public void BytesThatAreNotUtf8AreReportedInPlainWords()
    {
        string path = Path.Combine(SafetyTestSupport.NewFolder(), "latin1.toml");
        File.WriteAllBytes(path, [(byte)'a', (byte)'=', 0xE9, (byte)'\n']);
        var error = Assert.Throws<InputFileException>(() => BoundedFile.ReadAllText(path, FileKindLimit.Settings));
        Assert.Contains("is not UTF-8 text (invalid byte at offset 2)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("surrogate", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AByteOrderMarkIsSkipped()
    {
        string path = Path.Combine(SafetyTestSupport.NewFolder(), "bom.json");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}']);
        Assert.Equal("{}", BoundedFile.ReadAllText(path, FileKindLimit.Settings));
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        string path = Path.Combine(SafetyTestSupport.NewPath(), "none.json");
        Assert.Equal($"'{path}' does not exist.", Assert.Throws<InputFileException>(() => BoundedFile.Check(path, Tiny)).Message);
    }
}
