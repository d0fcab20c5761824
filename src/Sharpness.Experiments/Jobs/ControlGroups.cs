using System.Globalization;
using System.Text;

namespace Sharpness.Experiments.Jobs;

/// <summary>
/// The control groups (cgroup v1 and v2) of this process and the limits they set: found from
/// /proc/self/cgroup and /proc/self/mountinfo, read at the group and every ancestor up to the mount
/// point, the smallest limit winning. Unreadable or missing files mean no limit.
/// </summary>
internal sealed class ControlGroups
{
    private readonly List<string> _cpuV1 = [];
    private readonly List<string> _memoryV1 = [];
    private readonly List<string> _unified = [];

    private ControlGroups()
    {
    }

    /// <summary>Finds the groups of this process under <paramref name="root"/> (the folder that plays "/").</summary>
    /// <param name="root">"/" on a real system.</param>
    public static ControlGroups Read(string root)
    {
        var groups = new ControlGroups();
        string[] memberships, mounts;
        try
        {
            memberships = File.ReadAllLines(Path.Combine(root, "proc", "self", "cgroup"));
            mounts = File.ReadAllLines(Path.Combine(root, "proc", "self", "mountinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return groups;
        }

        var mountList = mounts.Select(Mount.Parse).OfType<Mount>().ToArray();
        foreach (string line in memberships)
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            string[] controllers = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (parts[0] == "0" && controllers.Length == 0)
            {
                AddChain(groups._unified, root, mountList.FirstOrDefault(m => m.Type == "cgroup2"), parts[2]);
                continue;
            }

            foreach (string controller in controllers)
            {
                var list = controller switch { "cpu" => groups._cpuV1, "memory" => groups._memoryV1, _ => null };
                if (list is not null)
                {
                    AddChain(list, root, mountList.FirstOrDefault(m => m.Type == "cgroup" && m.SuperOptions.Contains(controller)), parts[2]);
                }
            }
        }

        return groups;
    }

    /// <summary>The smallest CPU quota of the groups, in CPUs, and the file that sets it; null when none is set.</summary>
    public (double Cpus, string Source)? CpuQuota()
    {
        (double Cpus, string Source)? best = null;
        foreach (string folder in _unified)
        {
            string? text = ReadLine(Path.Combine(folder, "cpu.max"));
            string[]? parts = text?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is { Length: 2 } && parts[0] != "max" && Number(parts[0]) is { } quota && Number(parts[1]) is { } period && quota > 0 && period > 0)
            {
                best = Smaller(best, (quota / period, "cgroup v2 cpu.max"));
            }
        }

        foreach (string folder in _cpuV1)
        {
            if (Number(ReadLine(Path.Combine(folder, "cpu.cfs_quota_us"))) is { } quota && quota > 0
                && Number(ReadLine(Path.Combine(folder, "cpu.cfs_period_us"))) is { } period && period > 0)
            {
                best = Smaller(best, (quota / period, "cgroup v1 cpu.cfs_quota_us"));
            }
        }

        return best;
    }

    /// <summary>
    /// The smallest head-room under a memory limit of the groups (limit minus usage, the inactive page
    /// cache counted as free), in bytes, and the file that sets the limit; null when no limit is set.
    /// </summary>
    public (long Bytes, string Source)? MemoryHeadroom()
    {
        (double Bytes, string Source)? best = null;
        foreach (string folder in _unified)
        {
            string? limitText = ReadLine(Path.Combine(folder, "memory.max"));
            if (limitText is null or "max" || Number(limitText) is not { } limit)
            {
                continue;
            }

            double used = Number(ReadLine(Path.Combine(folder, "memory.current"))) ?? 0;
            double inactive = StatValue(Path.Combine(folder, "memory.stat"), "inactive_file") ?? 0;
            best = Smaller(best, (limit - Math.Max(0, used - inactive), "cgroup v2 memory.max"));
        }

        foreach (string folder in _memoryV1)
        {
            // Without a limit, v1 reports the largest page-aligned 64-bit value.
            if (Number(ReadLine(Path.Combine(folder, "memory.limit_in_bytes"))) is not { } limit || limit >= (1L << 62))
            {
                continue;
            }

            double used = Number(ReadLine(Path.Combine(folder, "memory.usage_in_bytes"))) ?? 0;
            string stat = Path.Combine(folder, "memory.stat");
            double inactive = StatValue(stat, "total_inactive_file") ?? StatValue(stat, "inactive_file") ?? 0;
            best = Smaller(best, (limit - Math.Max(0, used - inactive), "cgroup v1 memory.limit_in_bytes"));
        }

        return best is { } b ? ((long)Math.Max(0, b.Bytes), b.Source) : null;
    }

    private static (double, string) Smaller((double Value, string Source)? current, (double Value, string Source) candidate) =>
        current is { } c && c.Value <= candidate.Value ? c : candidate;

    // The group's folder and its ancestors up to the mount point.
    private static void AddChain(List<string> folders, string root, Mount? mount, string path)
    {
        if (mount is null)
        {
            return;
        }

        string mountPoint = Path.Combine(root, mount.Point.TrimStart('/'));
        string relative = mount.Root == "/" ? path
            : path == mount.Root || path.StartsWith(mount.Root + "/", StringComparison.Ordinal) ? path[mount.Root.Length..]
            : "/";
        string[] segments = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Any(s => s is "." or ".."))
        {
            return;
        }

        for (int depth = segments.Length; depth >= 0; depth--)
        {
            folders.Add(Path.Combine([mountPoint, .. segments[..depth]]));
        }
    }

    private static string? ReadLine(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadLines(path).FirstOrDefault()?.Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double? StatValue(string path, string key)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            foreach (string line in File.ReadLines(path))
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == key)
                {
                    return Number(parts[1]);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out double value) ? value : null;

    /// <summary>A line of /proc/self/mountinfo: mount root, mount point, file-system type and its options.</summary>
    private sealed record Mount(string Root, string Point, string Type, string[] SuperOptions)
    {
        public static Mount? Parse(string line)
        {
            string[] fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-");
            return separator >= 6 && separator + 1 < fields.Length
                ? new Mount(Unescape(fields[3]), Unescape(fields[4]), fields[separator + 1], separator + 3 < fields.Length ? fields[separator + 3].Split(',') : [])
                : null;
        }

        // mountinfo writes space, tab, newline and backslash as three octal digits after a backslash.
        private static string Unescape(string text)
        {
            if (!text.Contains('\\', StringComparison.Ordinal))
            {
                return text;
            }

            var result = new StringBuilder();
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == '\\' && IsOctal(text, i + 1))
                {
                    result.Append((char)Convert.ToInt32(text.Substring(i + 1, 3), 8));
                    i += 3;
                }
                else
                {
                    result.Append(text[i]);
                }
            }

            return result.ToString();
        }

        private static bool IsOctal(string text, int start) =>
            start + 3 <= text.Length && text.Substring(start, 3).All(c => c is >= '0' and <= '7');
    }
}
