using Sharpness.Experiments.Jobs;

namespace Sharpness.Experiments.Tests.Jobs;

/// <summary>Cores and memory from the affinity mask, /proc/meminfo and the control groups (fake file trees and this machine).</summary>
public class MachineResourcesTests
{
    private const long MiB = 1L << 20;

    // A file tree laid out like "/": /proc/self/{cgroup,mountinfo}, /proc/meminfo, the control-group folders.
    private static string Tree(string cgroup, string mountinfo, long memAvailableKiB, params (string Path, string Text)[] files)
    {
        string root = Path.Combine(Path.GetTempPath(), "sharpness-tests", "machine-" + Guid.NewGuid().ToString("N"));
        Write(root, "proc/self/cgroup", cgroup);
        Write(root, "proc/self/mountinfo", mountinfo);
        Write(root, "proc/meminfo", $"MemTotal:       32000000 kB\nMemFree:         1000000 kB\nMemAvailable:   {memAvailableKiB} kB\n");
        foreach (var (path, text) in files)
        {
            Write(root, path, text);
        }

        return root;
    }

    private static void Write(string root, string path, string text)
    {
        string full = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private const string UnifiedMount = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

    [Fact]
    public void CgroupV2QuotaAndMemoryLimitOfTheGroupAndItsAncestorsBoundTheResources()
    {
        string root = Tree("0::/user.slice/job\n", UnifiedMount, memAvailableKiB: 8 * 1024 * 1024,
            ("sys/fs/cgroup/user.slice/job/cpu.max", "150000 100000\n"),
            ("sys/fs/cgroup/user.slice/job/memory.max", "max\n"),
            ("sys/fs/cgroup/user.slice/cpu.max", "max 100000\n"),
            ("sys/fs/cgroup/user.slice/memory.max", $"{1024 * MiB}\n"),
            ("sys/fs/cgroup/user.slice/memory.current", $"{700 * MiB}\n"),
            ("sys/fs/cgroup/user.slice/memory.stat", $"anon 1\ninactive_file {200 * MiB}\nactive_file 3\n"));

        var machine = MachineResources.Read(root, affinity: 8);

        // 1.5 CPUs round up to 2; 1024 − (700 − 200) MiB of head-room under the parent's limit.
        Assert.Equal(2, machine.Cores);
        Assert.Equal(524 * MiB, machine.AvailableMemoryBytes);
        Assert.Contains("cgroup v2 cpu.max", machine.CoresSource, StringComparison.Ordinal);
        Assert.Contains("cgroup v2 memory.max", machine.MemorySource, StringComparison.Ordinal);
    }

    [Fact]
    public void CgroupV1QuotaAndMemoryLimitBoundTheResources()
    {
        const string mounts = "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
            + "33 31 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";
        string root = Tree("4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n", mounts, memAvailableKiB: 8 * 1024 * 1024,
            ("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "300000\n"),
            ("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n"),
            ("sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", $"{2048 * MiB}\n"),
            ("sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes", $"{1536 * MiB}\n"),
            ("sys/fs/cgroup/memory/docker/abc/memory.stat", $"cache 5\ntotal_inactive_file {512 * MiB}\n"),
            ("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n"));

        var machine = MachineResources.Read(root, affinity: 16);

        Assert.Equal(3, machine.Cores);
        Assert.Equal(1024 * MiB, machine.AvailableMemoryBytes);
    }

    [Fact]
    public void WithoutLimitsTheAffinityMaskAndMemAvailableDecide()
    {
        string root = Tree("0::/\n", UnifiedMount, memAvailableKiB: 3 * 1024 * 1024,
            ("sys/fs/cgroup/cpu.max", "max 100000\n"),
            ("sys/fs/cgroup/memory.max", "max\n"));

        var machine = MachineResources.Read(root, affinity: 5);

        Assert.Equal(5, machine.Cores);
        Assert.Equal(3L * 1024 * MiB, machine.AvailableMemoryBytes);
        Assert.Contains("no CPU quota", machine.CoresSource, StringComparison.Ordinal);
        Assert.Contains("no memory limit", machine.MemorySource, StringComparison.Ordinal);
    }

    [Fact]
    public void MemAvailableBelowTheHeadroomWins()
    {
        string root = Tree("0::/a\n", UnifiedMount, memAvailableKiB: 100 * 1024,
            ("sys/fs/cgroup/a/memory.max", $"{4096 * MiB}\n"),
            ("sys/fs/cgroup/a/memory.current", $"{10 * MiB}\n"));

        Assert.Equal(100 * MiB, MachineResources.Read(root, affinity: 1).AvailableMemoryBytes);
    }

    [Fact]
    public void OnThisMachineTheCoresAgreeWithDotNetsOwnCount()
    {
        // .NET counts the affinity mask and the CPU quota (rounded up) independently of this code.
        var machine = MachineResources.Current();

        Assert.Equal(Environment.ProcessorCount, machine.Cores);
        Assert.InRange(machine.AvailableMemoryBytes, 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes + (64 * MiB));
    }
}
