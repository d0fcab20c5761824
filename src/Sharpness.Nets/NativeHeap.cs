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
/// gradients). Measured in the toolkit's process (docs/benchmarks.md, "Hessian spectra of a TorchScript model"), the
/// kernel zeroed fresh pages for them at every product: with glibc's defaults a product through the ResNet-style
/// network of docs/torchscript.md on 8 examples took about a quarter more processor time than with the thresholds
/// fixed as here, and 40 % of the processor time of <c>net train</c> on it with 256 examples was system time. <see cref="Apply"/> fixes the thresholds at glibc's own maxima (<see cref="MmapThreshold"/>,
/// <see cref="TrimThreshold"/>) through <c>mallopt</c>: blocks up to 32 MiB are reused from the heap, and at most
/// 64 MiB of free heap top is kept. Results are unchanged; only where memory comes from changes.
/// </para>
/// <para>
/// A setting of the user's (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, or <c>GLIBC_TUNABLES</c>
/// naming a malloc tunable) is left alone, as is a C library without <c>mallopt</c> (musl) or another system.
/// </para>
/// </remarks>
public static class NativeHeap
{
    /// <summary>Allocations up to this size (32 MiB, glibc's largest dynamic mmap threshold on 64-bit) come from the heap.</summary>
    public const int MmapThreshold = 32 << 20;

    /// <summary>Free memory at the top of the heap up to this size (64 MiB, twice <see cref="MmapThreshold"/>, as glibc pairs them) is kept.</summary>
    public const int TrimThreshold = 64 << 20;

    private const int MallocTrimThresholdParameter = -1;
    private const int MallocMmapThresholdParameter = -3;
    private static readonly Lazy<string> Applied = new(Configure);

    /// <summary>
    /// What <see cref="Apply"/> did: "mmap 32 MiB, trim 64 MiB", "left to the environment" or "unchanged (…)"; "glibc
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
            return done ? "mmap 32 MiB, trim 64 MiB" : "unchanged (mallopt refused)";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "unchanged (no mallopt)";
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);
}
