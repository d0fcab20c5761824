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
}
