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
}
