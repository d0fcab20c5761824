using System.Collections.Concurrent;
using Sharpness.Experiments.Jobs;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Tests.TestSupport;

namespace Sharpness.Experiments.Tests.Jobs;

/// <summary>The scheduler of side-by-side runs: order of callbacks, real concurrency, cancellation, failures.</summary>
public class JobSchedulerTests
{
    private static JobPlan Jobs(int used) => JobPlan.Decide(used, runs: int.MaxValue, memoryPerRunBytes: 0);

    [Fact]
    public void CallbacksComeOnTheCallingThreadInIndexOrderWhateverOrderTheRunsFinishIn()
    {
        const int count = 40;
        int caller = Environment.CurrentManagedThreadId;
        var ran = new ConcurrentBag<(int Index, int Job, int Thread)>();
        var inOrder = new List<int>();
        var finished = new List<int>();
        var callbackThreads = new HashSet<int>();

        // Runs of decreasing length: later indices finish before earlier ones.
        var states = new JobScheduler(Jobs(4)).Run(count, (i, slot, _) =>
        {
            Thread.Sleep((count - i) % 7 * 3);
            ran.Add((i, slot.Job, Environment.CurrentManagedThreadId));
        }, finished: (i, _) =>
        {
            finished.Add(i);
            callbackThreads.Add(Environment.CurrentManagedThreadId);
        }, finishedInOrder: (i, _) =>
        {
            inOrder.Add(i);
            callbackThreads.Add(Environment.CurrentManagedThreadId);
        });

        Assert.All(states, s => Assert.Equal(JobRunState.Completed, s));
        Assert.Equal(Enumerable.Range(0, count), inOrder);
        Assert.Equal(Enumerable.Range(0, count), finished.Order());
        Assert.Equal([caller], callbackThreads);
        Assert.Equal(Enumerable.Range(0, count), ran.Select(r => r.Index).Order());
        Assert.Subset(new HashSet<int> { 1, 2, 3, 4 }, ran.Select(r => r.Job).ToHashSet());
        Assert.DoesNotContain(caller, ran.Select(r => r.Thread));
    }

    [Fact]
    public void TwoJobsRunAtTheSameTime()
    {
        // Each run waits for the other: only side-by-side execution lets both through.
        using var barrier = new Barrier(2);
        var passed = new bool[2];

        new JobScheduler(Jobs(2)).Run(2, (i, _, _) => passed[i] = barrier.SignalAndWait(TimeSpan.FromSeconds(30)));

        Assert.Equal([true, true], passed);
    }

    [Fact]
    public void OneJobRunsOnTheCallingThreadInOrder()
    {
        int caller = Environment.CurrentManagedThreadId;
        var seen = new List<(int Index, int Job, int Thread)>();

        new JobScheduler(JobPlan.Serial).Run(5, (i, slot, _) => seen.Add((i, slot.Job, Environment.CurrentManagedThreadId)));

        Assert.Equal([0, 1, 2, 3, 4], seen.Select(s => s.Index));
        Assert.All(seen, s => Assert.Equal((0, caller), (s.Job, s.Thread)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void CancellationStopsTheRunningRunsAndStartsNoMore(int jobs)
    {
        using var cancellation = new CancellationTokenSource();
        var started = new ConcurrentBag<int>();

        var states = new JobScheduler(Jobs(jobs)).Run(30, (i, _, token) =>
        {
            started.Add(i);
            if (i == 4)
            {
                cancellation.Cancel();
            }

            // A run that stops at its next step boundary once cancelled.
            for (int step = 0; step < 200; step++)
            {
                token.ThrowIfCancellationRequested();
                Thread.Sleep(1);
            }
        }, cancellation.Token);

        Assert.Equal(JobRunState.Cancelled, states[4]);
        Assert.All(started, i => Assert.NotEqual(JobRunState.NotStarted, states[i]));
        Assert.All(Enumerable.Range(0, 30).Except(started), i => Assert.Equal(JobRunState.NotStarted, states[i]));
        Assert.InRange(started.Count, 5, 4 + jobs);
    }

    [Fact]
    public void AFailureStopsTheOthersAndIsRethrownOnceEveryJobHasStopped()
    {
        var running = 0;
        var error = Assert.Throws<InvalidOperationException>(() => new JobScheduler(Jobs(3)).Run(100, (i, _, token) =>
        {
            Interlocked.Increment(ref running);
            try
            {
                if (i == 5)
                {
                    throw new InvalidOperationException("run 5 fails");
                }

                for (int step = 0; step < 50; step++)
                {
                    token.ThrowIfCancellationRequested();
                    Thread.Sleep(1);
                }
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }));

        Assert.Equal("run 5 fails", error.Message);
        Assert.Equal(0, Volatile.Read(ref running));
    }

    [Fact]
    public void RunsInsideSideBySideJobsAreTold()
    {
        var inside = new ConcurrentBag<(int Parallelism, bool Inside)>();

        new JobScheduler(Jobs(2)).Run(4, (_, _, _) => inside.Add((JobScheduler.InnerParallelism, JobScheduler.InsideSideBySideJob)));

        Assert.All(inside, i => Assert.Equal((1, true), i));
        Assert.Equal((-1, false), (JobScheduler.InnerParallelism, JobScheduler.InsideSideBySideJob));
    }

    [Fact]
    public void TheProgressOfARunIsNestedAndStampedWithItsJob()
    {
        var recorder = new Recorder<ExperimentProgress>();

        new JobScheduler(Jobs(2)).Run(4, (i, slot, _) =>
            new ProgressTracker(slot.Progress(recorder, $"sweep/p{i}"), "uv simulate", 1).Complete());

        var snapshots = recorder.Items;
        Assert.Equal(4, snapshots.Count);
        Assert.All(snapshots, s => Assert.InRange(s.Job, 1, 2));
        Assert.Equal(["sweep/p0/uv simulate", "sweep/p1/uv simulate", "sweep/p2/uv simulate", "sweep/p3/uv simulate"], snapshots.Select(s => s.Task).Order());
        Assert.Equal(0, new JobSlot(0).Progress(recorder, "x") is { } serial ? Report(serial, recorder) : -1);
    }

    private static int Report(IProgress<ExperimentProgress> progress, Recorder<ExperimentProgress> recorder)
    {
        progress.Report(new ExperimentProgress { Task = "t", Job = 0 });
        return recorder.Items[^1].Job;
    }
}
