using Sharpness.Experiments.Reproduction;

namespace Sharpness.Experiments.Tests.Reproduction;

public class ExperimentListTests
{
    [Fact]
    public void NamesAreUniqueAndTheUvModelRunsFirst()
    {
        var names = ExperimentList.All.Select(e => e.Name).ToArray();

        Assert.Equal(names.Length, names.Distinct().Count());
        int firstNet = ExperimentList.All.ToList().FindIndex(e => e.RealNetwork);
        Assert.All(ExperimentList.All.Skip(firstNet), e => Assert.True(e.RealNetwork, e.Name));
        Assert.All(ExperimentList.All, e => Assert.Equal(e.RealNetwork, e.Full.StartsWith("net ", StringComparison.Ordinal)));
    }

    [Fact]
    public void PlaceholdersBecomeTheFoldersAfterSplittingSoPathsMayHoldSpaces()
    {
        var experiment = new ReproductionExperiment("x", "t", true, "net eos --data-dir $data --init-file $out/w.json --lrs 2/30", Quick: "net eos --data-dir $data --steps 5");

        string[] full = experiment.Arguments(false, "/tmp/my repro", "/data sets/fm");
        string[] quick = experiment.Arguments(true, "/tmp/my repro", "/data sets/fm");

        Assert.Equal(["net", "eos", "--data-dir", "/data sets/fm", "--init-file", "/tmp/my repro/w.json", "--lrs", "2/30"], full);
        Assert.Equal(["net", "eos", "--data-dir", "/data sets/fm", "--steps", "5"], quick);
    }

    [Fact]
    public void ThePlanShowsCommandsWithOutAndSkipsTheNetworksWithoutTheDataset()
    {
        string folder = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));
        var plan = ReproductionPlan.Create(new ReproductionOptions { Folder = folder, Quick = true, DataDir = Path.Combine(folder, "no data") });

        Assert.Equal("install dataset-fashion-mnist", plan.NetSkipReason);
        Assert.Equal(ExperimentList.All.Count(e => !e.RealNetwork), plan.Runs.Count);
        Assert.Equal(ExperimentList.All.Count(e => e.RealNetwork), plan.Skipped.Count);
        Assert.Equal("sharpness uv simulate --init-file $out/large-output-init.json --lr 0.05 --steps 500 --out $out/uv-large-output",
            plan.Runs.Single(r => r.Experiment.Name == ExperimentList.UvLargeOutput).Command(folder));
        Assert.Equal("skipped: install dataset-fashion-mnist", plan.ToJson()["net"]!.GetValue<string>());
        Assert.False(plan.CheckResumable());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheLongestExperimentsStartFirstAndTheScheduleEndsNoLaterThanTheListsOrder(bool quick)
    {
        // A folder that exists stands for the dataset, so that the plan holds the networks.
        string data = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var plan = ReproductionPlan.Create(new ReproductionOptions { Folder = Path.Combine(data, "out"), Quick = quick, DataDir = data });
        double Seconds(int i) => plan.Runs[i].Experiment.ExpectedSeconds(quick);
        int[] all = [.. Enumerable.Range(0, plan.Runs.Count)];

        var order = plan.StartOrder(all);

        Assert.Equal(all, order.Order());
        Assert.All(order.Zip(order.Skip(1)), pair => Assert.True(
            Seconds(pair.First) > Seconds(pair.Second) || (Seconds(pair.First) == Seconds(pair.Second) && pair.First < pair.Second),
            $"{plan.Runs[pair.First].Experiment.Name} before {plan.Runs[pair.Second].Experiment.Name}"));
        Assert.All(order.Take(4), i => Assert.True(plan.Runs[i].Experiment.RealNetwork && Seconds(i) > 0));
        Assert.Equal([.. all.Where(i => Seconds(i) == 0)], order.Skip(4));

        // On two jobs (each run to the job that frees first) the expected wall time is at most that of the list's
        // order, and with a job per run it is the longest run's.
        Assert.True(Makespan(order, Seconds, 2) <= Makespan(all, Seconds, 2));
        Assert.Equal(all.Max(Seconds), Makespan(order, Seconds, all.Length));
    }

    private static double Makespan(IEnumerable<int> order, Func<int, double> seconds, int jobs)
    {
        var free = new double[jobs];
        foreach (int i in order)
        {
            int job = Array.IndexOf(free, free.Min());
            free[job] += seconds(i);
        }

        return free.Max();
    }
}
