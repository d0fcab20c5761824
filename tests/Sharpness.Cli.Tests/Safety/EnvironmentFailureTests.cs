using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Tests.Safety;

/// <summary>A fact that runs only where the tests may mount a small tmpfs (root with CAP_SYS_ADMIN), to make a full or read-only file system.</summary>
public sealed class MountFactAttribute : FactAttribute
{
    public MountFactAttribute()
    {
        if (!TmpfsMount.Possible)
        {
            Skip = "Mounting a tmpfs is not allowed here (the tests need root with CAP_SYS_ADMIN); full and read-only file systems are not checked.";
        }
    }
}

/// <summary>A small tmpfs mounted for one test and unmounted after it.</summary>
internal sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public static bool Possible { get; } = Probe();

    public string Path { get; }

    public static TmpfsMount Create(string size, bool readOnly = false)
    {
        string path = Contract.NewFolder();
        Assert.Equal(0, ProcessHelper.Run("mount", "-t", "tmpfs", "-o", $"size={size}{(readOnly ? ",ro" : string.Empty)}", "tmpfs", path));
        return new TmpfsMount(path);
    }

    public void Resize(string size) => Assert.Equal(0, ProcessHelper.Run("mount", "-o", $"remount,size={size}", Path));

    public void Dispose() => ProcessHelper.Run("umount", "-l", Path);

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/mount"))
        {
            return false;
        }

        string path = Contract.NewFolder();
        bool mounted = ProcessHelper.Run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", path) == 0;
        if (mounted)
        {
            ProcessHelper.Run("umount", path);
        }

        return mounted;
    }
}

/// <summary>
/// Full disks and read-only file systems are the environment's failures, not bugs: one line naming
/// the path and the cause, exit code 3, nothing partial but resumable state, and the run resumes
/// once the cause is gone.
/// </summary>
public class EnvironmentFailureTests
{
    [MountFact]
    public void AReadOnlyOutFolderIsFoundBeforeComputing()
    {
        using var readOnly = TmpfsMount.Create("1m", readOnly: true);
        string folder = System.IO.Path.Combine(readOnly.Path, "run");

        // Minutes of work if it were computed first; the folder is claimed before.
        var result = HostileRun.Run(TimeSpan.FromSeconds(60), null, "uv", "phase", "--mode", "physical", "--seeds", "2000", "--out", folder);

        Contract.Holds(result, folder);
        Assert.Equal(3, result.Code);
        Assert.StartsWith($"error: read-only file system: '{folder}'", result.ErrorLines.Single(), StringComparison.Ordinal);
    }

    [MountFact]
    public void AFullDiskStopsARunThatResumesOnceThereIsRoom()
    {
        using var disk = TmpfsMount.Create("24k");
        string folder = System.IO.Path.Combine(disk.Path, "run");

        var full = HostileRun.Run("uv", "simulate", "--steps", "3000", "--out", folder);

        Assert.Equal(3, full.Code);
        Assert.StartsWith("error: no space left on device: ", full.ErrorLines.Single(), StringComparison.Ordinal);
        // Nothing partial is kept: the folder is gone (it held nothing yet) or holds only resumable state.
        Assert.True(!Directory.Exists(folder) || Directory.GetFiles(folder, "*.partial").Length == 0);
        Assert.False(File.Exists(System.IO.Path.Combine(folder, RunDirectory.ManifestFileName)));

        disk.Resize("8m");
        var resumed = HostileRun.Run("uv", "simulate", "--steps", "3000", "--out", folder);
        Assert.True(resumed.Code == 0, resumed.ToString());
        Assert.True(RunDirectory.HoldsCompleteRun(folder));
    }

    [MountFact]
    public void AMergeOnAFullDiskLeavesTheEarlierTablesAsTheyWere()
    {
        string sweep = Contract.NewFolder();
        for (int seed = 0; seed < 3; seed++)
        {
            Assert.Equal(0, HostileRun.Run("uv", "simulate", "--steps", "20000", "--seed", $"{seed}", "--out", System.IO.Path.Combine(sweep, $"run{seed}")).Code);
        }

        // Room for the results tables (about 15 KiB) but not for the trajectories (megabytes).
        using var disk = TmpfsMount.Create("64k");
        string output = System.IO.Path.Combine(disk.Path, "merged");
        Directory.CreateDirectory(output);
        FolderLock.Mark(output);
        File.WriteAllText(System.IO.Path.Combine(output, "results.csv"), "an earlier merge\n");

        var full = HostileRun.Run("sweep", "merge", sweep, "--out", output);

        Assert.Equal(3, full.Code);
        Assert.StartsWith("error: no space left on device: ", full.ErrorLines.Single(), StringComparison.Ordinal);
        Assert.Equal("an earlier merge\n", File.ReadAllText(System.IO.Path.Combine(output, "results.csv")));
        Assert.Empty(Directory.GetFiles(output, "*.partial"));

        disk.Resize("16m");
        var merged = HostileRun.Run("sweep", "merge", sweep, "--out", output);
        Assert.True(merged.Code == 0, merged.ToString());
        Assert.StartsWith("run,command,seed", File.ReadAllText(System.IO.Path.Combine(output, "results.csv")), StringComparison.Ordinal);
    }

    [MountFact]
    public void ASweepPointThatWouldNotFitOnTheDiskIsAnEnvironmentFailureBeforeAnythingRuns()
    {
        // Each point's orbit.csv is about 156 KiB (40 values x 120 steps); the disk has 64 KiB.
        using var disk = TmpfsMount.Create("64k");
        string spec = System.IO.Path.Combine(Contract.NewFolder(), "sweep.toml");
        File.WriteAllText(spec, "command = \"uv orbit\"\n[base]\npoints = 40\ntransient = 100\nkeep = 20\n[grid]\nr_max = [3.5, 3.9]\n");
        string results = System.IO.Path.Combine(disk.Path, "sweep");

        var refused = HostileRun.Run("sweep", "run", spec, "--out", results);

        Assert.Equal(3, refused.Code);
        string line = refused.ErrorLines.Single();
        Assert.StartsWith("error: point 0 (", line, StringComparison.Ordinal);
        Assert.Contains("not enough space left on device: --points", line, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(results) ? Directory.GetFiles(results, "*.csv", SearchOption.AllDirectories) : []);

        disk.Resize("16m");
        var done = HostileRun.Run("sweep", "run", spec, "--out", results);
        Assert.True(done.Code == 0, done.ToString());
    }
}
