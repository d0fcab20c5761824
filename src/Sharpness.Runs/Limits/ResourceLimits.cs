using System.Globalization;
using Sharpness.Runs.Safety;

namespace Sharpness.Runs.Limits;

/// <summary>
/// A count or size implies more than the machine can give (memory, threads, points, parameters).
/// The message names the option as typed, the limit and the estimate, on one line.
/// </summary>
public sealed class LimitException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="option">The option at fault, for example "--steps".</param>
    /// <param name="message">The value, what it implies and the limit.</param>
    public LimitException(string option, string message)
        : base(message)
    {
        Option = option;
    }

    /// <summary>The option at fault.</summary>
    public string Option { get; }
}

/// <summary>
/// Limits checked before work starts: every count and size is turned into what it implies (bytes
/// of memory, threads, runs) by the component that owns it, and compared here with what the
/// machine can give. Nothing is allocated before the check passes.
/// </summary>
/// <remarks>
/// The memory budget is half of the memory available to the process (.NET's
/// <c>GCMemoryInfo.TotalAvailableMemoryBytes</c>, which follows container limits and
/// <c>DOTNET_GCHeapHardLimit</c>), or the environment variable <see cref="MemoryVariable"/> when
/// set (bytes, or a number with K, M, G or T). Threads are limited to four per processor.
/// </remarks>
public static class ResourceLimits
{
    /// <summary>The environment variable that sets the memory budget explicitly (for example "8G").</summary>
    public const string MemoryVariable = "SHARPNESS_MEMORY_LIMIT";

    /// <summary>Threads allowed per processor.</summary>
    public const int ThreadsPerProcessor = 4;

    /// <summary>The memory a single run may plan to use, in bytes (see <see cref="ResourceLimits"/>).</summary>
    public static long MemoryBudget
    {
        get
        {
            if (Environment.GetEnvironmentVariable(MemoryVariable) is { Length: > 0 } text && TryParseBytes(text, out long bytes))
            {
                return bytes;
            }

            long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            return available > 0 ? available / 2 : long.MaxValue;
        }
    }

    /// <summary>Most threads a run may ask for: <see cref="ThreadsPerProcessor"/> times the processors.</summary>
    public static int MaxThreads => Environment.ProcessorCount * ThreadsPerProcessor;

    /// <summary>Refuses an estimate of memory above <see cref="MemoryBudget"/>.</summary>
    /// <param name="option">The option that drives the estimate, as typed ("--steps").</param>
    /// <param name="value">Its value, as text for the message.</param>
    /// <param name="bytes">The estimate in bytes (a double, so that products of large counts cannot overflow).</param>
    /// <param name="what">What the memory holds ("the trajectory of 2,147,483,648 steps").</param>
    /// <exception cref="LimitException">The estimate exceeds the budget.</exception>
    public static void RequireMemory(string option, string value, double bytes, string what)
    {
        long budget = MemoryBudget;
        if (double.IsNaN(bytes) || bytes > budget)
        {
            throw new LimitException(option, $"{value} would need about {Bytes(bytes)} of memory for {what}, more than the {BoundedFile.Bytes(budget)} a run may use (half the memory available; {MemoryVariable} sets it).");
        }
    }

    /// <summary>Most elementary operations (map steps times the work of one step) a run may plan: 10^15, weeks on one core.</summary>
    public const double MaxOperations = 1e15;

    /// <summary>Refuses a computation of more than <see cref="MaxOperations"/> elementary operations: sizes that would make a run hang for months.</summary>
    /// <param name="option">The option that drives the estimate, as typed.</param>
    /// <param name="value">Its value in words, for the message.</param>
    /// <param name="operations">The estimate.</param>
    /// <param name="what">What the operations are ("map steps").</param>
    /// <exception cref="LimitException">The estimate exceeds the limit.</exception>
    public static void RequireOperations(string option, string value, double operations, string what)
    {
        if (double.IsNaN(operations) || operations > MaxOperations)
        {
            throw new LimitException(option, $"{value} would take about {operations.ToString("G3", CultureInfo.InvariantCulture)} {what}, more than the {MaxOperations.ToString("G3", CultureInfo.InvariantCulture)} a run may plan (weeks of computing); reduce it or split the work into a sweep.");
        }
    }

    /// <summary>
    /// Refuses output larger than the free space of the file system that will hold
    /// <paramref name="folder"/> (checked on its nearest existing parent), so a full disk is found
    /// before computing, not after. A full disk is the environment's failure, not the input's: the
    /// error is an <see cref="EnvironmentException"/> (exit code 3 on the command line), one line
    /// naming the option, the estimate, the free space and the folder.
    /// </summary>
    /// <param name="option">The option that drives the estimate, as typed.</param>
    /// <param name="value">Its value in words, for the message.</param>
    /// <param name="bytes">The estimated size of the output.</param>
    /// <param name="folder">The output folder (need not exist).</param>
    /// <param name="what">What the output is ("orbit.csv").</param>
    /// <exception cref="EnvironmentException">The estimate exceeds the free space.</exception>
    public static void RequireDisk(string option, string value, double bytes, string folder, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        long free = FreeSpace(folder);
        if (double.IsNaN(bytes) || bytes > free)
        {
            throw new EnvironmentException(folder, NotEnoughSpace, $"{NotEnoughSpace}: {option}: {value} would make {what} about {Bytes(bytes)}, more than the {BoundedFile.Bytes(free)} free where '{folder}' is");
        }
    }

    /// <summary>The cause of <see cref="RequireDisk"/>'s error.</summary>
    public const string NotEnoughSpace = "not enough space left on device";

    /// <summary>Free bytes for this process on the file system holding <paramref name="path"/> or its nearest existing parent (long.MaxValue when unknown).</summary>
    /// <param name="path">A path.</param>
    public static long FreeSpace(string path)
    {
        for (string? candidate = Path.GetFullPath(path); candidate is not null; candidate = Path.GetDirectoryName(candidate))
        {
            if (!Directory.Exists(candidate))
            {
                continue;
            }

            try
            {
                return new DriveInfo(candidate).AvailableFreeSpace;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return long.MaxValue;
            }
        }

        return long.MaxValue;
    }

    /// <summary>Refuses a count above a fixed limit.</summary>
    /// <param name="option">The option, as typed.</param>
    /// <param name="value">The count.</param>
    /// <param name="limit">The largest count allowed.</param>
    /// <param name="why">Why the limit is what it is ("the number of parameters of the model").</param>
    /// <exception cref="LimitException">The count exceeds the limit.</exception>
    public static void RequireAtMost(string option, double value, double limit, string why)
    {
        if (double.IsNaN(value) || value > limit)
        {
            throw new LimitException(option, $"{Count(value)} is more than {Count(limit)}, {why}.");
        }
    }

    /// <summary>Refuses more threads than <see cref="MaxThreads"/>.</summary>
    /// <param name="option">The option, as typed.</param>
    /// <param name="threads">The threads asked for.</param>
    /// <exception cref="LimitException">Too many threads.</exception>
    public static void RequireThreads(string option, int threads) =>
        RequireAtMost(option, threads, MaxThreads, string.Create(CultureInfo.InvariantCulture, $"the limit of {ThreadsPerProcessor} threads per processor on this machine ({Environment.ProcessorCount} processors)"));

    /// <summary>Refuses a value that is not finite in single precision (float32), for settings a float32 computation uses.</summary>
    /// <param name="option">The option, as typed.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="LimitException">|value| overflows float32 (or is not finite).</exception>
    public static void RequireFloat32(string option, double value)
    {
        if (!float.IsFinite((float)value))
        {
            throw new LimitException(option, $"{value.ToString("R", CultureInfo.InvariantCulture)} is not a finite number in single precision (float32, at most {float.MaxValue.ToString("G9", CultureInfo.InvariantCulture)} in size), which this run computes in; use --dtype float64 or a smaller value.");
        }
    }

    /// <summary>
    /// Refuses a value that makes a quantity derived from it (a standard deviation of the initial
    /// weights, say) zero in single precision although it is not zero: a network whose weights all
    /// round to zero starts with no gradient, and η = c/λ_H(0) is then undefined.
    /// </summary>
    /// <param name="option">The option, as typed.</param>
    /// <param name="value">Its value.</param>
    /// <param name="derived">The quantity computed in float32.</param>
    /// <param name="what">What the quantity is, for the message.</param>
    /// <exception cref="LimitException">The quantity underflows float32 to zero.</exception>
    public static void RequireNonzeroFloat32(string option, double value, double derived, string what)
    {
        if (derived != 0 && double.IsFinite(derived) && (float)derived == 0)
        {
            throw new LimitException(option, $"{value.ToString("R", CultureInfo.InvariantCulture)} makes {what} {derived.ToString("G3", CultureInfo.InvariantCulture)}, which is zero in single precision (float32, at least {float.Epsilon.ToString("G2", CultureInfo.InvariantCulture)} in size), which this run computes in; use --dtype float64 or a larger value.");
        }
    }

    /// <summary>A count in plain words (digit groups; "about 1.2e+20" beyond 10^15).</summary>
    /// <param name="value">The count.</param>
    public static string Count(double value) => Math.Abs(value) < 1e15
        ? value.ToString("N0", CultureInfo.InvariantCulture)
        : "about " + value.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>A size in bytes in plain words, for estimates of any magnitude.</summary>
    /// <param name="bytes">The size.</param>
    public static string Bytes(double bytes) => bytes < 1L << 40
        ? BoundedFile.Bytes((long)bytes)
        : (bytes / (1024.0 * 1024 * 1024 * 1024)).ToString(bytes < 1e18 ? "0.#" : "G3", CultureInfo.InvariantCulture) + " TiB";

    /// <summary>Parses "123", "512M", "8G", "1.5T" (powers of 1024).</summary>
    /// <param name="text">The text.</param>
    /// <param name="bytes">The size.</param>
    public static bool TryParseBytes(string text, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        double scale = 1;
        if (t.Length > 0 && char.IsLetter(t[^1]))
        {
            scale = char.ToUpperInvariant(t[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => double.NaN };
            t = t[..^1];
        }

        bytes = 0;
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value * scale > 0) || value * scale > long.MaxValue)
        {
            return false;
        }

        bytes = (long)(value * scale);
        return true;
    }
}
