using System.Runtime.InteropServices;

namespace Sharpness.Nets;

/// <summary>
/// Keeps the memory LibTorch frees in the C heap for its next allocation instead of returning it to the system, so
/// that a Hessian-vector product or a training step does not pay for fresh pages every time.
/// </summary>
/// <remarks>
/// <para>
/// LibTorch allocates its tensors with glibc's <c>malloc</c>. glibc serves requests above its mmap threshold with
/// fresh mappings, released on <c>free</c>, and gives the free top of the heap back to the system above its trim
/// threshold; both start at 128 KiB and grow with the blocks a process frees (up to 32 MiB and 64 MiB). Every
/// product and step allocates and frees the same large buffers (convolutions' unfolded inputs, activations, their
/// gradients), and in the toolkit's process the kernel zeroed fresh pages for them at every product and step: on the
/// ResNet-style network of docs/torchscript.md this made a Hessian-vector product markedly slower than PyTorch's
/// (docs/benchmarks.md, "Hessian spectra of a TorchScript model", has the measurements). <see cref="Apply"/> fixes the
/// thresholds through <c>mallopt</c> (<see cref="MmapThreshold"/>, <see cref="TrimThreshold"/>): blocks up to 512 MiB
/// are reused from the heap, and at most 1 GiB of free heap top is kept, so the resident set stays near its peak
/// instead of shrinking and growing again at every product. Results are unchanged; only where memory comes from
/// changes.
/// </para>
/// <para>
/// A setting of the user's (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, or <c>GLIBC_TUNABLES</c>
/// naming a malloc tunable) is left alone, as is a C library without <c>mallopt</c> (musl) or another system.
/// </para>
/// </remarks>
public static class NativeHeap
{
    /// <summary>Allocations up to this size (512 MiB) come from the heap.</summary>
    public const int MmapThreshold = 512 << 20;

    /// <summary>Free memory at the top of the heap up to this size (1 GiB, twice <see cref="MmapThreshold"/>, as glibc pairs them) is kept.</summary>
    public const int TrimThreshold = 1 << 30;

    private const int MallocTrimThresholdParameter = -1;
    private const int MallocMmapThresholdParameter = -3;
    private static readonly Lazy<string> Applied = new(Configure);

    /// <summary>
    /// What <see cref="Apply"/> did: "mmap 512 MiB, trim 1024 MiB", "left to the environment" or "unchanged (…)"; "glibc
    /// defaults" while it has not been called (reading this does not call it).
    /// </summary>
    public static string Setting => Applied.IsValueCreated ? Applied.Value : "glibc defaults";

    /// <summary>Sets the thresholds once per process (later calls do nothing) and returns <see cref="Setting"/>.</summary>
    /// <returns>What was done.</returns>
    public static string Apply() => Applied.Value;

    private static string Configure()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "unchanged (not Linux)";
        }

        string? tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_"))
            || (tunables is not null && tunables.Contains("glibc.malloc.", StringComparison.Ordinal)))
        {
            return "left to the environment";
        }

        try
        {
            bool done = MallOpt(MallocMmapThresholdParameter, MmapThreshold) == 1 & MallOpt(MallocTrimThresholdParameter, TrimThreshold) == 1;
            return done ? $"mmap {MmapThreshold >> 20} MiB, trim {TrimThreshold >> 20} MiB" : "unchanged (mallopt refused)";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "unchanged (no mallopt)";
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);
}
