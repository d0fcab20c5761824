using Sharpness.Experiments.Jobs;

namespace Sharpness.Experiments.Tests.Jobs;

/// <summary>How many jobs: the default, a request, the runs to do and the memory that bound it.</summary>
public class JobPlanTests
{
    private const long GiB = 1L << 30;

    private static MachineResources Machine(int cores, long memory) =>
        new() { Cores = cores, CoresSource = "test", AvailableMemoryBytes = memory, MemorySource = "test memory" };

    [Fact]
    public void TheDefaultIsTheCoresAvailable()
    {
        var plan = JobPlan.Decide(null, runs: 100, memoryPerRunBytes: 0, Machine(6, 16 * GiB));

        Assert.Equal((null, 6, false), (plan.Requested, plan.Used, plan.ReducedForMemory));
        Assert.Contains("default", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ARequestIsKeptWhenItFits()
    {
        var plan = JobPlan.Decide(3, runs: 100, memoryPerRunBytes: GiB, Machine(2, 16 * GiB));

        Assert.Equal((3, 3, false), (plan.Requested, plan.Used, plan.ReducedForMemory));
    }

    [Fact]
    public void MemoryLowersTheCountAndSaysSo()
    {
        // 0.8 × 4 GiB holds 3 runs of 1 GiB.
        var plan = JobPlan.Decide(8, runs: 100, memoryPerRunBytes: GiB, Machine(8, 4 * GiB));

        Assert.Equal((8, 3, true), (plan.Requested, plan.Used, plan.ReducedForMemory));
        Assert.Contains("reduced to 3 for memory", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("test memory", plan.Reason, StringComparison.Ordinal);
        var json = plan.ToJson();
        Assert.Equal(8, (int)json["jobs_requested"]!);
        Assert.Equal(3, (int)json["jobs_used"]!);
        Assert.True((bool)json["jobs_reduced_for_memory"]!);
    }

    [Fact]
    public void NeverBelowOneJobEvenWhenOneRunDoesNotFit()
    {
        var plan = JobPlan.Decide(4, runs: 10, memoryPerRunBytes: 10 * GiB, Machine(4, GiB));

        Assert.Equal((1, true), (plan.Used, plan.ReducedForMemory));
    }

    [Fact]
    public void NoMoreJobsThanRunsToDo()
    {
        var plan = JobPlan.Decide(null, runs: 2, memoryPerRunBytes: 0, Machine(16, 16 * GiB));

        Assert.Equal(2, plan.Used);
        Assert.Equal(1, JobPlan.Decide(null, runs: 0, memoryPerRunBytes: 0, Machine(16, GiB)).Used);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(JobPlan.MaxJobs + 1)]
    public void AnOutOfRangeRequestNamesTheOption(int jobs)
    {
        var error = Assert.Throws<InvalidOptionException>(() => JobPlan.Decide(jobs, 10, 0, Machine(2, GiB)));

        Assert.Equal("--jobs", error.Option);
    }

    [Fact]
    public void ANetJobIsPlannedWithTheMemoryTheCHeapKeepsForReuse()
    {
        const long MiB = 1L << 20;

        // The heap may keep what the run freed (at most its own size) up to its trim threshold of 1 GiB.
        Assert.Equal(600.0 * MiB, JobPlan.WithNativeHeap(600 * MiB, heapKeepsFreedMemory: false));
        Assert.Equal(1200.0 * MiB, JobPlan.WithNativeHeap(600 * MiB, heapKeepsFreedMemory: true));
        Assert.Equal((3.0 * GiB) + Sharpness.Nets.NativeHeap.TrimThreshold, JobPlan.WithNativeHeap(3 * GiB, heapKeepsFreedMemory: true));
        Assert.Equal(GiB, Sharpness.Nets.NativeHeap.TrimThreshold);

        // 0.8 × 4 GiB holds five runs of 600 MiB, but only two jobs that each keep another 600 MiB.
        var without = JobPlan.Decide(8, runs: 100, memoryPerRunBytes: JobPlan.WithNativeHeap(600 * MiB, heapKeepsFreedMemory: false), Machine(8, 4 * GiB));
        var with = JobPlan.Decide(8, runs: 100, memoryPerRunBytes: JobPlan.WithNativeHeap(600 * MiB, heapKeepsFreedMemory: true), Machine(8, 4 * GiB));

        Assert.Equal((5, 2), (without.Used, with.Used));
        Assert.True(with.ReducedForMemory);
        Assert.Equal(1200.0 * MiB, (double)with.ToJson()["memory_per_run_bytes"]!);
    }

    [Fact]
    public void ANetRunIsEstimatedFromItsDataItsParametersAndItsActivations()
    {
        // Fully connected, 20 synthetic features, 3 outputs, depth 3, width 16, with biases; float64; 100 + 0 examples in
        // physical batches of 100; a Lanczos basis of 40 vectors (top-1 eigenvalue); the gradient graph a measurement keeps
        // (one batch of the 100 examples: six saved values per hidden or output activation and example, one gradient).
        var settings = new Sharpness.Experiments.Nets.NetworkOptions { Dataset = "synthetic", TrainSize = 100, TestSize = 0, Width = 16, Depth = 3, Steps = 5, DType = "float64", PhysicalBatch = 100 }.Resolve(checkSize: false);
        double parameters = (20 * 16) + 16 + (16 * 16) + 16 + (16 * 3) + 3;
        double data = 100 * 20 * 8;
        double training = (parameters * ((4 * 8) + (3 * 8))) + data + (6.0 * 100 * (16 * 2) * 8);
        double lanczos = (8.0 * 40 * parameters) + (5 * 8.0 * 40 * 40);
        double keptGraph = (6.0 * 100 * ((16 * 2) + 3) * 8) + (parameters * 8);

        Assert.Equal(training + lanczos + keptGraph + (200.0 * (1 << 20)), settings.MemoryBytes(), 6);
        Assert.Equal(training + lanczos + (200.0 * (1 << 20)), (settings with { Trainer = settings.Trainer with { Tracking = settings.Trainer.Tracking! with { RetainGraphs = false } } }).MemoryBytes(), 6);
    }
}
