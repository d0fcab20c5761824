using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Sharpness.Experiments.Progress;
using Sharpness.Nets;

namespace Sharpness.Experiments.Jobs;

/// <summary>What became of one run given to <see cref="JobScheduler.Run"/>.</summary>
public enum JobRunState
{
    /// <summary>It never started (cancellation, or a failure of another run, came first).</summary>
    NotStarted,

    /// <summary>It returned.</summary>
    Completed,

    /// <summary>It stopped with <see cref="OperationCanceledException"/> after cancellation.</summary>
    Cancelled,

    /// <summary>It threw; <see cref="JobScheduler.Run"/> rethrows the exception of the first such run.</summary>
    Faulted,
}

/// <summary>The job a run executes in: its number, for progress snapshots.</summary>
/// <param name="Job">1, 2, … when runs execute side by side; 0 when they run one at a time on the calling thread.</param>
public readonly record struct JobSlot(int Job)
{
    /// <summary>
    /// The progress of a run in this job, nested under <paramref name="prefix"/> and stamped with the job number
    /// (<see cref="ExperimentProgress.Job"/>) when runs execute side by side; null when <paramref name="outer"/> is.
    /// </summary>
    /// <param name="outer">The progress of the work around the runs.</param>
    /// <param name="prefix">The task path of the run ("sweep/width=16-…").</param>
    public IProgress<ExperimentProgress>? Progress(IProgress<ExperimentProgress>? outer, string prefix) =>
        NestedProgress.Under(outer, prefix, Job > 0 ? Job : null);
}

/// <summary>
/// Runs independent runs side by side, each single-threaded, so that their results are bit-identical to
/// running them one after another: <c>--jobs N</c> of <c>sweep run</c>, <c>uv phase</c>, <c>reproduce</c>, <c>net eos</c>,
/// <c>net predict</c>, <c>net early-phase</c> and, in time, every
/// command that loops over independent runs.
/// </summary>
/// <remarks>
/// <para><b>Order.</b> Runs start in index order, each on the next free job. <c>finished</c> is called as each
/// run ends (completion order), <c>finishedInOrder</c> in index order as soon as every earlier run has ended;
/// both on the calling thread, so they may write to the console or a file without locks. Callers store
/// results by index, so what they write does not depend on which run finished first.</para>
/// <para><b>Threads.</b> With one job, runs execute on the calling thread, exactly as a loop would. With more,
/// each job is a dedicated thread whose native libraries are single-threaded
/// (<see cref="NativeThreads.PrepareForSideBySideJobs"/> and <see cref="NativeThreads.UseOneThreadInThisJob"/>:
/// LibTorch's intra-op threads, OpenMP, MKL and OpenBLAS at 1): LibTorch's thread count is process-wide, so
/// side-by-side runs can only be correct if every one of them uses the same count, and one thread each is the
/// count that makes them independent of one another and of the machine.</para>
/// <para><b>Cancellation.</b> Cancelling the token stops starting runs; running ones see the token and stop at
/// their next step boundary (<see cref="JobRunState.Cancelled"/>). A run that throws anything else stops the
/// others the same way and its exception (the first by index) is rethrown once every job has stopped.</para>
/// <para><b>Adopting it.</b> A command that loops over independent runs replaces its loop by
/// <code>
/// var plan = JobPlan.Decide(options.Jobs, runs.Count, memoryPerRun);
/// var results = new TResult[runs.Count];
/// var report = new JobScheduler(plan).Run(runs.Count, (i, slot, token) =>
///     results[i] = RunOne(runs[i], slot.Progress(progress, $"task/{runs[i].Name}"), token), cancellationToken);
/// </code>
/// and records <see cref="JobPlan.ToJson"/> under <c>execution</c> in its manifest. Each run must use no state
/// shared with the others (its own model, data tensors, random generators, output folder) and must set its
/// LibTorch threads with <see cref="NativeThreads.Set"/> (to 1 when <see cref="JobPlan.Used"/> &gt; 1).</para>
/// </remarks>
/// <param name="plan">How many jobs (see <see cref="JobPlan.Decide"/>).</param>
public sealed class JobScheduler(JobPlan plan)
{
    /// <summary>Stack of a job's thread: 16 MiB (LibTorch's autograd recurses on the native stack).</summary>
    public const int StackBytes = 16 << 20;

    [ThreadStatic]
    private static bool t_insideJob;

    /// <summary>The plan.</summary>
    public JobPlan Plan { get; } = plan ?? throw new ArgumentNullException(nameof(plan));

    /// <summary>
    /// The degree of parallelism for parallel loops inside a run (<see cref="ParallelOptions.MaxDegreeOfParallelism"/>):
    /// 1 on the thread of a side-by-side job, whose run must stay single-threaded; −1 (every core) elsewhere.
    /// </summary>
    public static int InnerParallelism => t_insideJob ? 1 : -1;

    /// <summary>Whether the calling thread is a side-by-side job's.</summary>
    public static bool InsideSideBySideJob => t_insideJob;

    /// <summary>Runs <paramref name="run"/> for the indices 0 … <paramref name="count"/> − 1 on <see cref="JobPlan.Used"/> jobs.</summary>
    /// <param name="count">Runs.</param>
    /// <param name="run">Runs one: (index, job, token). It stops at a step boundary when the token is cancelled, with <see cref="OperationCanceledException"/>.</param>
    /// <param name="cancellationToken">Stops starting runs and is passed to the running ones.</param>
    /// <param name="finished">Called on the calling thread as each run ends (any state but not-started), in completion order; null for none.</param>
    /// <param name="finishedInOrder">Called on the calling thread for each run that ended, in index order, once every earlier run has ended; null for none.</param>
    /// <returns>The state of every run, by index.</returns>
    /// <exception cref="Exception">The first exception (by index) of a run that threw something other than cancellation.</exception>
    public IReadOnlyList<JobRunState> Run(
        int count,
        Action<int, JobSlot, CancellationToken> run,
        CancellationToken cancellationToken = default,
        Action<int, JobRunState>? finished = null,
        Action<int, JobRunState>? finishedInOrder = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(run);
        var states = new JobRunState[count];
        return Plan.Used <= 1 || count <= 1
            ? Serial(count, run, cancellationToken, finished, finishedInOrder, states)
            : SideBySide(count, run, cancellationToken, finished, finishedInOrder, states);
    }

    private static JobRunState[] Serial(int count, Action<int, JobSlot, CancellationToken> run, CancellationToken cancellationToken, Action<int, JobRunState>? finished, Action<int, JobRunState>? finishedInOrder, JobRunState[] states)
    {
        for (int i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            try
            {
                run(i, new JobSlot(0), cancellationToken);
                states[i] = JobRunState.Completed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                states[i] = JobRunState.Cancelled;
            }

            finished?.Invoke(i, states[i]);
            finishedInOrder?.Invoke(i, states[i]);
        }

        return states;
    }

    private JobRunState[] SideBySide(int count, Action<int, JobSlot, CancellationToken> run, CancellationToken cancellationToken, Action<int, JobRunState>? finished, Action<int, JobRunState>? finishedInOrder, JobRunState[] states)
    {
        NativeThreads.PrepareForSideBySideJobs();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var ended = new BlockingCollection<int>();
        var errors = new Exception?[count];
        int next = -1;
        int jobs = Math.Min(Plan.Used, count);
        int running = jobs;
        var threads = new Thread[jobs];
        for (int k = 0; k < jobs; k++)
        {
            var slot = new JobSlot(k + 1);
            threads[k] = new Thread(() => Work(slot), StackBytes) { IsBackground = true, Name = $"sharpness job {slot.Job}" };
        }

        void Work(JobSlot slot)
        {
            try
            {
                t_insideJob = true;
                NativeThreads.UseOneThreadInThisJob();
                while (!stop.IsCancellationRequested)
                {
                    int i = Interlocked.Increment(ref next);
                    if (i >= count)
                    {
                        break;
                    }

                    try
                    {
                        run(i, slot, stop.Token);
                        states[i] = JobRunState.Completed;
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        states[i] = JobRunState.Cancelled;
                    }
                    catch (Exception e)
                    {
                        errors[i] = e;
                        states[i] = JobRunState.Faulted;
                        stop.Cancel();
                    }

                    ended.Add(i);
                }
            }
            finally
            {
                if (Interlocked.Decrement(ref running) == 0)
                {
                    ended.CompleteAdding();
                }
            }
        }

        foreach (var thread in threads)
        {
            thread.Start();
        }

        var reported = new bool[count];
        int inOrder = 0;
        try
        {
            foreach (int i in ended.GetConsumingEnumerable())
            {
                reported[i] = true;
                finished?.Invoke(i, states[i]);
                for (; inOrder < count && reported[inOrder]; inOrder++)
                {
                    finishedInOrder?.Invoke(inOrder, states[inOrder]);
                }
            }
        }
        finally
        {
            // A callback that throws stops the jobs too; every thread is joined before anything propagates.
            if (!ended.IsAddingCompleted)
            {
                stop.Cancel();
            }

            foreach (var thread in threads)
            {
                thread.Join();
            }
        }

        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }

        return states;
    }
}
