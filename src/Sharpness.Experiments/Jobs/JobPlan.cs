using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Nets;

namespace Sharpness.Experiments.Jobs;

/// <summary>
/// How many independent runs execute side by side (<c>--jobs</c>), and why: the count asked for (or the
/// default, the cores available), lowered to the number of runs to do and to what fits in memory.
/// </summary>
/// <remarks>
/// Memory: each run is estimated from its options (<see cref="MemoryPerRunBytes"/>); the jobs may plan to
/// use <see cref="MemoryFraction"/> of the memory available (<see cref="MachineResources"/>, which follows
/// cgroup limits). A count that does not fit is lowered, never below 1, and <see cref="ReducedForMemory"/>
/// and <see cref="Reason"/> say so; manifests record it (<see cref="ToJson"/>).
/// </remarks>
public sealed record JobPlan
{
    /// <summary>Share of the available memory the jobs may plan to use: 0.8.</summary>
    public const double MemoryFraction = 0.8;

    /// <summary>Largest <c>--jobs</c> accepted: 1024.</summary>
    public const int MaxJobs = 1024;

    /// <summary>The count asked for with <c>--jobs</c>, or null for the default (the cores available).</summary>
    public int? Requested { get; init; }

    /// <summary>Runs executing side by side, ≥ 1.</summary>
    public required int Used { get; init; }

    /// <summary>The processors this process may use when the plan was made.</summary>
    public required int Cores { get; init; }

    /// <summary>Where <see cref="Cores"/> comes from.</summary>
    public required string CoresSource { get; init; }

    /// <summary>The estimated memory of one run, in bytes (the largest over the runs); 0 when not estimated.</summary>
    public double MemoryPerRunBytes { get; init; }

    /// <summary>The memory available when the plan was made, in bytes.</summary>
    public long AvailableMemoryBytes { get; init; }

    /// <summary>Where <see cref="AvailableMemoryBytes"/> comes from.</summary>
    public string MemorySource { get; init; } = string.Empty;

    /// <summary>Whether memory lowered the count below what was asked for (or the default).</summary>
    public bool ReducedForMemory { get; init; }

    /// <summary>One sentence: why <see cref="Used"/> jobs.</summary>
    public required string Reason { get; init; }

    /// <summary>One job, the calling thread, nothing estimated: what code that runs a single run uses.</summary>
    public static JobPlan Serial { get; } = new() { Requested = 1, Used = 1, Cores = 1, CoresSource = "not measured", Reason = "one run at a time" };

    /// <summary>
    /// The memory a job that trains networks with LibTorch is planned with: the run's estimate
    /// (<paramref name="runBytes"/>) plus the free memory the C heap may keep for the job's next allocation when
    /// <see cref="NativeHeap"/> is applied (docs/performance.md, "Memory kept for reuse"). Each job's thread allocates
    /// from its own heap arena, whose freed blocks (up to <see cref="NativeHeap.MmapThreshold"/> each) stay in it and whose
    /// free top is returned to the system only above <see cref="NativeHeap.TrimThreshold"/>; what it keeps is bounded by
    /// what the run allocated (its estimate) and is counted as at most <see cref="NativeHeap.TrimThreshold"/>: the job is
    /// planned with <c>runBytes + min(runBytes, 1 GiB)</c>. Without the heap's setting (glibc's own thresholds, which
    /// return large blocks at once), the run's estimate alone.
    /// </summary>
    /// <param name="runBytes">The estimated memory of one run, in bytes.</param>
    /// <param name="heapKeepsFreedMemory">Whether the heap keeps freed memory; null (default): whether <see cref="NativeHeap.Apply"/> set the thresholds in this process.</param>
    public static double WithNativeHeap(double runBytes, bool? heapKeepsFreedMemory = null)
    {
        if (!double.IsFinite(runBytes) || runBytes <= 0)
        {
            return 0;
        }

        bool keeps = heapKeepsFreedMemory ?? NativeHeap.Setting.StartsWith("mmap", StringComparison.Ordinal);
        return keeps ? runBytes + Math.Min(runBytes, NativeHeap.TrimThreshold) : runBytes;
    }

    /// <summary>Checks a <c>--jobs</c> value: at least 1 and at most <see cref="MaxJobs"/>.</summary>
    /// <param name="jobs">The value, or null for the default.</param>
    /// <param name="option">The option as typed (default <c>--jobs</c>).</param>
    /// <exception cref="InvalidOptionException">It is out of range.</exception>
    public static int? Check(int? jobs, string option = "--jobs") => jobs switch
    {
        null => null,
        < 1 => throw new InvalidOptionException(option, $"must be at least 1 (got {jobs})."),
        > MaxJobs => throw new InvalidOptionException(option, $"must be at most {MaxJobs} (got {jobs})."),
        _ => jobs,
    };

    /// <summary>Decides the job count.</summary>
    /// <param name="requested">The count asked for, or null for the default (<see cref="MachineResources.Cores"/>).</param>
    /// <param name="runs">Runs to do (a count above it would leave jobs idle).</param>
    /// <param name="memoryPerRunBytes">The estimated memory of the largest run, in bytes; 0 when unknown.</param>
    /// <param name="machine">The resources of the process (default: <see cref="MachineResources.Current"/>).</param>
    /// <exception cref="InvalidOptionException"><paramref name="requested"/> is out of range (<c>--jobs</c>).</exception>
    public static JobPlan Decide(int? requested, int runs, double memoryPerRunBytes, MachineResources? machine = null)
    {
        Check(requested);
        machine ??= MachineResources.Current();
        int wanted = requested ?? machine.Cores;
        string reason = requested is null
            ? string.Create(CultureInfo.InvariantCulture, $"default: the {machine.Cores} cores available ({machine.CoresSource})")
            : string.Create(CultureInfo.InvariantCulture, $"--jobs {requested}");
        int used = wanted;
        bool reducedForMemory = false;
        double perRun = double.IsFinite(memoryPerRunBytes) && memoryPerRunBytes > 0 ? memoryPerRunBytes : 0;
        if (perRun > 0)
        {
            double budget = MemoryFraction * machine.AvailableMemoryBytes;
            int fit = (int)Math.Clamp(Math.Floor(budget / perRun), 0, MaxJobs);
            if (fit < used)
            {
                used = Math.Max(1, fit);
                reducedForMemory = true;
                reason += string.Create(CultureInfo.InvariantCulture,
                    $"; reduced to {used} for memory: a run needs about {MachineResources.Bytes(perRun)} and {MachineResources.Bytes(machine.AvailableMemoryBytes)} is available ({machine.MemorySource}), of which the jobs may plan {MemoryFraction:0%}");
            }
        }

        if (runs >= 0 && runs < used)
        {
            used = Math.Max(1, runs);
            reason += string.Create(CultureInfo.InvariantCulture, $"; {used} used: {runs} runs to do");
        }

        return new JobPlan
        {
            Requested = requested,
            Used = used,
            Cores = machine.Cores,
            CoresSource = machine.CoresSource,
            MemoryPerRunBytes = perRun,
            AvailableMemoryBytes = machine.AvailableMemoryBytes,
            MemorySource = machine.MemorySource,
            ReducedForMemory = reducedForMemory,
            Reason = reason,
        };
    }

    /// <summary>
    /// The plan as manifests record it (under <c>execution</c>): <c>jobs_requested</c> (null for the default),
    /// <c>jobs_used</c>, <c>jobs_reason</c>, <c>jobs_reduced_for_memory</c>, <c>cores</c>, <c>memory_per_run_bytes</c>,
    /// <c>memory_available_bytes</c>. It says how the runs were scheduled, which does not change their results.
    /// </summary>
    public JsonObject ToJson() => new()
    {
        ["jobs_requested"] = Requested,
        ["jobs_used"] = Used,
        ["jobs_reason"] = Reason,
        ["jobs_reduced_for_memory"] = ReducedForMemory,
        ["cores"] = Cores,
        ["memory_per_run_bytes"] = Math.Round(MemoryPerRunBytes),
        ["memory_available_bytes"] = AvailableMemoryBytes,
    };
}
