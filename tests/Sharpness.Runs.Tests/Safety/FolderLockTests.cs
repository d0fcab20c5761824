using Sharpness.Runs.Safety;

namespace Sharpness.Runs.Tests.Safety;

public class FolderLockTests
{
    [Fact]
    public void ASecondWriterIsRefusedWithTheHoldersProcessIdUntilTheFirstReleases()
    {
        string folder = SafetyTestSupport.NewFolder();
        var first = FolderLock.Acquire(folder);

        var refused = Assert.Throws<FolderInUseException>(() => FolderLock.Acquire(folder));
        Assert.Equal(Environment.ProcessId, refused.ProcessId);
        Assert.Contains($"in use by process {Environment.ProcessId}", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);

        first.Dispose();
        using var second = FolderLock.Acquire(folder);
        Assert.True(second.IsLocked);
        Assert.False(second.CreatedFile);
    }

    [Fact]
    public void TheLockIsTheOneFlockTakesSoOtherProcessesSeeIt()
    {
        string folder = SafetyTestSupport.NewFolder();
        using (FolderLock.Acquire(folder))
        {
            // flock -n fails (exit 1) while the toolkit holds the lock.
            Assert.Equal(1, SafetyTestSupport.Run("flock", "-n", FolderLock.PathIn(folder), "true"));
        }

        Assert.Equal(0, SafetyTestSupport.Run("flock", "-n", FolderLock.PathIn(folder), "true"));
    }

    [Fact]
    public void AHolderKilledWithSigkillLeavesNoStaleLock()
    {
        string folder = SafetyTestSupport.NewFolder();
        File.WriteAllText(FolderLock.PathIn(folder), string.Empty);
        using (var holder = SafetyTestSupport.HoldWithFlock(FolderLock.PathIn(folder)))
        {
            var refused = Assert.Throws<FolderInUseException>(() => FolderLock.Acquire(folder));
            Assert.Contains("in use by another process", refused.Message, StringComparison.Ordinal);
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }

        using var acquired = FolderLock.Acquire(folder);
        Assert.True(acquired.IsLocked);
    }

    [Fact]
    public void SharedHoldersCoexistAndExcludeAnExclusiveOne()
    {
        string folder = SafetyTestSupport.NewFolder();
        using var a = FolderLock.Acquire(folder, shared: true);
        using (FolderLock.Acquire(folder, shared: true))
        {
            Assert.Throws<FolderInUseException>(() => FolderLock.Acquire(folder));
        }

        a.Dispose();
        using var exclusive = FolderLock.Acquire(folder);
        Assert.Throws<FolderInUseException>(() => FolderLock.Acquire(folder, shared: true));
    }

    [Fact]
    public void ALockFileThatIsASymbolicLinkIsNotFollowed()
    {
        string folder = SafetyTestSupport.NewFolder();
        string victim = Path.Combine(SafetyTestSupport.NewFolder(), "victim.txt");
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(FolderLock.PathIn(folder), victim);

        Assert.Contains("symbolic link", Assert.Throws<RunFolderException>(() => FolderLock.Acquire(folder)).Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(victim));
    }

    [Fact]
    public void AFolderAtTheLockFilesNameIsAnUnusableFolderNotABug()
    {
        string folder = SafetyTestSupport.NewFolder();
        Directory.CreateDirectory(FolderLock.PathIn(folder));
        Assert.Contains("is a folder", Assert.Throws<RunFolderException>(() => FolderLock.Acquire(folder)).Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(FolderLock.PathIn(folder)));
    }

    [Fact]
    public void ReleaseAndDeleteRemovesOnlyALockFileItCreated()
    {
        string folder = SafetyTestSupport.NewFolder();
        var created = FolderLock.Acquire(folder);
        Assert.True(created.CreatedFile);
        created.ReleaseAndDelete();
        Assert.False(File.Exists(FolderLock.PathIn(folder)));

        File.WriteAllText(FolderLock.PathIn(folder), string.Empty);
        var existing = FolderLock.Acquire(folder);
        existing.ReleaseAndDelete();
        Assert.True(File.Exists(FolderLock.PathIn(folder)));
    }
}
