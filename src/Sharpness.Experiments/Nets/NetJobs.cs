using System.Globalization;
using Sharpness.Experiments.Jobs;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// The job count of a net command's independent runs (<c>net eos</c>, <c>net predict</c>, <c>net early-phase</c>):
/// <c>--jobs</c>, or the cores available, each job single-threaded; one at a time when the runs ask for several
/// threads (<c>--threads</c> above 1) or when the command itself runs in a side-by-side job of an enclosing command.
/// </summary>
internal static class NetJobs
{
    /// <summary>Checks <c>--jobs</c>: in range, and not above 1 when the runs ask for several threads each.</summary>
    /// <param name="requested">The <c>--jobs</c> asked for, or null for the default.</param>
    /// <param name="settings">The settings of the runs.</param>
    /// <exception cref="InvalidOptionException">It is not (<c>--jobs</c>).</exception>
    public static void Check(int? requested, IEnumerable<NetworkSettings> settings)
    {
        JobPlan.Check(requested);
        int threads = settings.Select(s => s.Trainer.Threads ?? 1).DefaultIfEmpty(1).Max();
        if (threads > 1 && requested > 1)
        {
            throw new InvalidOptionException("--jobs", string.Create(CultureInfo.InvariantCulture, $"runs side by side on one thread each and cannot be combined with --threads {threads}; use --jobs 1 to keep --threads, or --threads 1."));
        }
    }

    /// <summary>Decides the plan.</summary>
    /// <param name="requested">The <c>--jobs</c> asked for, or null for the default.</param>
    /// <param name="settings">The settings of the runs (the memory estimate is the largest over them).</param>
    /// <param name="runs">Runs to do.</param>
    /// <exception cref="InvalidOptionException"><c>--jobs</c> is out of range, or above 1 with <c>--threads</c> above 1.</exception>
    public static JobPlan Plan(int? requested, IReadOnlyCollection<NetworkSettings> settings, int runs)
    {
        Check(requested, settings);
        double memory = settings.Count == 0 ? 0 : JobPlan.WithNativeHeap(settings.Max(s => s.MemoryBytes()));
        int threads = settings.Count == 0 ? 1 : settings.Max(s => s.Trainer.Threads ?? 1);
        if (threads > 1)
        {
            var serial = JobPlan.Decide(1, runs, memory);
            return requested is null
                ? serial with { Requested = null, Reason = string.Create(CultureInfo.InvariantCulture, $"default: one at a time, because the runs ask for --threads {threads}") }
                : serial;
        }

        if (JobScheduler.InsideSideBySideJob)
        {
            var serial = JobPlan.Decide(1, runs, memory);
            return serial with { Requested = requested, Reason = "one at a time: the command runs in a side-by-side job of an enclosing command" };
        }

        return JobPlan.Decide(requested, runs, memory);
    }
}
