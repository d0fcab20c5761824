using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Tests.TestSupport;

namespace Sharpness.Experiments.Tests.Progress;

public class ProgressTrackerTests
{
    [Fact]
    public void SendsTheFirstSnapshotThenAtMostOnePerIntervalAndAlwaysTheLast()
    {
        var clock = new ManualClock();
        var recorder = new Recorder<ExperimentProgress>();
        var tracker = new ProgressTracker(recorder, "uv simulate", 100, "steps", clock, TimeSpan.FromSeconds(1));

        for (int step = 0; step <= 100; step++)
        {
            tracker.Report(step);
            clock.Advance(TimeSpan.FromMilliseconds(250));
        }

        tracker.Complete("done");

        var sent = recorder.Items;
        // 101 offers over 25 s, one per second at most, plus the final one.
        Assert.Equal([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80, 84, 88, 92, 96, 100, 100], sent.Select(s => s.Completed));
        Assert.Equal(TimeSpan.FromSeconds(1), sent[1].Elapsed);
        Assert.Equal("done", sent[^1].Message);
        Assert.All(sent, s => Assert.Equal(("uv simulate", 100L, "steps"), (s.Task, s.Total!.Value, s.Unit)));
    }

    [Fact]
    public void IsDueOnlyWhenSomeoneListensAndTheIntervalHasPassed()
    {
        var clock = new ManualClock();
        var tracker = new ProgressTracker(new Recorder<ExperimentProgress>(), "t", 10, time: clock, interval: TimeSpan.FromSeconds(1));
        Assert.True(tracker.IsDue);
        tracker.Report(1);
        Assert.False(tracker.IsDue);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(tracker.IsDue);

        Assert.False(new ProgressTracker(null, "t", 10).IsDue);
    }

    [Fact]
    public void AdvanceCountsEveryUnitOfAParallelLoop()
    {
        var recorder = new Recorder<ExperimentProgress>();
        var tracker = new ProgressTracker(recorder, "cells", 20_000, interval: TimeSpan.Zero);

        Parallel.For(0, 20_000, _ => tracker.Advance());

        Assert.Equal(20_000, tracker.Completed);
        Assert.Equal(20_000, recorder.Items.Max(s => s.Completed));
    }

    [Fact]
    public void NestedProgressPlacesTheInnerTaskUnderThePrefix()
    {
        var recorder = new Recorder<ExperimentProgress>();
        var nested = NestedProgress.Under(recorder, "sweep/width=16-abc/", job: 3)!;

        nested.Report(new ExperimentProgress { Task = "uv simulate", Completed = 5, Total = 10 });

        var snapshot = Assert.Single(recorder.Items);
        Assert.Equal(("sweep/width=16-abc/uv simulate", 5L, 3), (snapshot.Task, snapshot.Completed, snapshot.Job));
        Assert.Null(NestedProgress.Under(null, "sweep"));
    }
}
