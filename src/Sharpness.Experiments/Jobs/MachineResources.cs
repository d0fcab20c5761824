using System.Globalization;
using System.Runtime.InteropServices;

namespace Sharpness.Experiments.Jobs;

/// <summary>
/// What this process may use: the processors it may run on and the memory still available to it,
/// each with a sentence saying where the number comes from (for manifests and messages).
/// </summary>
/// <remarks>
/// <para>Processors: the CPUs of the process's affinity mask (<c>sched_getaffinity</c>, so <c>taskset</c>,
/// <c>numactl</c> and Slurm's CPU binding count), lowered by a CPU quota of the process's control group
/// (cgroup v2 <c>cpu.max</c>, cgroup v1 <c>cpu.cfs_quota_us</c>/<c>cpu.cfs_period_us</c>, the smallest over
/// the group and its ancestors), rounded up as joblib and .NET do: a quota of 1.5 CPUs gives 2.</para>
/// <para>Memory: the kernel's estimate of memory available without swapping (<c>MemAvailable</c> of
/// /proc/meminfo), lowered by the head-room left under a memory limit of the control group (cgroup v2
/// <c>memory.max</c> − <c>memory.current</c>, cgroup v1 <c>memory.limit_in_bytes</c> − <c>memory.usage_in_bytes</c>,
/// the inactive page cache counted as free as the kernel reclaims it; the smallest over the group and its
/// ancestors).</para>
/// <para>Off Linux, or when the files cannot be read: <see cref="Environment.ProcessorCount"/> and the memory
/// .NET reports available (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>).</para>
/// </remarks>
public sealed record MachineResources
{
    /// <summary>Processors this process may use, ≥ 1.</summary>
    public required int Cores { get; init; }

    /// <summary>Where <see cref="Cores"/> comes from, for example "2 CPUs in the affinity mask; no CPU quota".</summary>
    public required string CoresSource { get; init; }

    /// <summary>Memory available to this process now, in bytes.</summary>
    public required long AvailableMemoryBytes { get; init; }

    /// <summary>Where <see cref="AvailableMemoryBytes"/> comes from.</summary>
    public required string MemorySource { get; init; }

    /// <summary>Reads the resources of this process now (see the remarks).</summary>
    public static MachineResources Current() => OperatingSystem.IsLinux() ? Read("/", AffinityCount()) : Fallback();

    /// <summary>Reads the resources from a file tree laid out like the root of a Linux system (tests pass a fake one).</summary>
    /// <param name="root">The folder that plays "/": its proc/self/cgroup, proc/self/mountinfo, proc/meminfo and the control-group files.</param>
    /// <param name="affinity">CPUs in the affinity mask, or null when unknown (then <see cref="Environment.ProcessorCount"/>).</param>
    internal static MachineResources Read(string root, int? affinity)
    {
        var groups = ControlGroups.Read(root);
        int cpus = affinity ?? Environment.ProcessorCount;
        string cpuText = affinity is null
            ? string.Create(CultureInfo.InvariantCulture, $"{cpus} processors reported by .NET")
            : string.Create(CultureInfo.InvariantCulture, $"{cpus} CPUs in the affinity mask");
        int cores = cpus;
        if (groups.CpuQuota() is { } quota)
        {
            int byQuota = Math.Max(1, (int)Math.Ceiling(quota.Cpus - 1e-9));
            cpuText += string.Create(CultureInfo.InvariantCulture, $"; CPU quota {quota.Cpus:0.##} ({quota.Source})");
            cores = Math.Min(cores, byQuota);
        }
        else
        {
            cpuText += "; no CPU quota";
        }

        long? meminfo = MemAvailable(Path.Combine(root, "proc", "meminfo"));
        long memory = meminfo ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        string memoryText = meminfo is null
            ? $"{Bytes(memory)} available to .NET"
            : $"{Bytes(memory)} available (MemAvailable)";
        if (groups.MemoryHeadroom() is { } headroom)
        {
            memoryText += $"; {Bytes(headroom.Bytes)} under the memory limit ({headroom.Source})";
            memory = Math.Min(memory, headroom.Bytes);
        }
        else
        {
            memoryText += "; no memory limit";
        }

        return new MachineResources { Cores = Math.Max(1, cores), CoresSource = cpuText, AvailableMemoryBytes = Math.Max(0, memory), MemorySource = memoryText };
    }

    private static MachineResources Fallback()
    {
        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return new MachineResources
        {
            Cores = Math.Max(1, Environment.ProcessorCount),
            CoresSource = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} processors reported by .NET"),
            AvailableMemoryBytes = memory,
            MemorySource = $"{Bytes(memory)} available to .NET",
        };
    }

    /// <summary>A byte count as "1.5 GiB", "300 MiB" or "12 KiB".</summary>
    /// <param name="bytes">The count.</param>
    public static string Bytes(double bytes) => bytes switch
    {
        >= 1 << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 30):0.#} GiB"),
        >= 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1 << 20):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(bytes / 1024):0} KiB"),
    };

    private static long? MemAvailable(string path)
    {
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kib) ? kib * 1024 : null;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static int? AffinityCount()
    {
        try
        {
            // A mask of 8192 CPUs; glibc's wrapper returns 0 and clears the bytes the kernel did not fill.
            var mask = new byte[1024];
            if (SchedGetAffinity(0, (nuint)mask.Length, mask) != 0)
            {
                return null;
            }

            int count = mask.Sum(b => System.Numerics.BitOperations.PopCount(b));
            return count > 0 ? count : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [DllImport("libc", EntryPoint = "sched_getaffinity")]
    private static extern int SchedGetAffinity(int pid, nuint size, byte[] mask);
}
