using Sharpness.Runs.Safety;

namespace Sharpness.Runs.Tests.Safety;

public class SafeFileTests
{
    [Fact]
    public void ASymbolicLinkAtTheTemporaryNameIsRemovedNotFollowed()
    {
        string folder = SafetyTestSupport.NewFolder();
        string victim = Path.Combine(SafetyTestSupport.NewFolder(), "victim.txt");
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(folder, "data.csv.partial"), victim);

        SafeFile.WriteAtomic(folder, "data.csv", stream => stream.Write("a,b\n"u8));

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal("a,b\n", File.ReadAllText(Path.Combine(folder, "data.csv")));
        Assert.Null(new FileInfo(Path.Combine(folder, "data.csv")).LinkTarget);
        Assert.False(File.Exists(Path.Combine(folder, "data.csv.partial")));
    }

    [Fact]
    public void ASymbolicLinkAtTheFinalNameIsReplacedNotWrittenThrough()
    {
        string folder = SafetyTestSupport.NewFolder();
        string victim = Path.Combine(SafetyTestSupport.NewFolder(), "victim.png");
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(folder, "figure.png"), victim);

        SafeFile.WriteAtomic(folder, "figure.png", stream => stream.Write("png"u8));

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Null(new FileInfo(Path.Combine(folder, "figure.png")).LinkTarget);
        Assert.Equal("png", File.ReadAllText(Path.Combine(folder, "figure.png")));
    }

    [Fact]
    public void AFailedWriteLeavesNeitherATemporaryFileNorAChangedFinalFile()
    {
        string folder = SafetyTestSupport.NewFolder();
        File.WriteAllText(Path.Combine(folder, "data.csv"), "good");

        Assert.Throws<InvalidOperationException>(() => SafeFile.WriteAtomic(folder, "data.csv", stream =>
        {
            stream.Write("half"u8);
            throw new InvalidOperationException("crash");
        }));

        Assert.Equal("good", File.ReadAllText(Path.Combine(folder, "data.csv")));
        Assert.Equal(["data.csv"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("../escape.csv")]
    [InlineData("/etc/passwd")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("nul\0byte")]
    [InlineData("x.partial")]
    public void NamesOutsideTheFolderAreRefused(string name)
    {
        string folder = SafetyTestSupport.NewFolder();
        Assert.Throws<ArgumentException>(() => SafeFile.WriteAtomic(folder, name, _ => { }));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void AFullDiskIsAnEnvironmentFailureAndLeavesNoTemporaryFile()
    {
        string folder = SafetyTestSupport.NewFolder();

        // /dev/full fails every write with ENOSPC, as a full disk does.
        var failure = Assert.ThrowsAny<IOException>(() => SafeFile.WriteAtomic(folder, "data.csv", stream =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            full.Write(new byte[16]);
            full.Flush();
        }));

        Assert.StartsWith("no space left on device", EnvironmentFailure.Describe(failure), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }
}
