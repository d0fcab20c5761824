using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Tests.TestSupport;

namespace Sharpness.Experiments.Tests.Nets;

/// <summary>
/// <c>net fit-uv</c> as a library call: the training's progress per step, cancellation at a step boundary with
/// nothing half-written, a refit of the written folder giving the same fit, and the options' validation naming
/// the option as typed.
/// </summary>
public sealed class NetFitUvExperimentTests
{
    private static NetFitUvOptions Small(int steps = 24) => new()
    {
        Network = new NetworkOptions { Dataset = "synthetic", TrainSize = 60, TestSize = 0, Width = 8, Lr = 0.3, Steps = steps, SharpnessEvery = 2, MaxMatvecs = 40 }.Resolve(),
        Starts = 4,
    };

    private static string Folder() => Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void ReportsEveryTrainingStepAndRefittingTheWrittenFolderGivesTheSameFit()
    {
        string folder = Folder();
        var progress = new Recorder<ExperimentProgress>();

        var (result, files) = NetFitUvWriter.Run(NetFitUvWriter.Prepare(folder, Small()), Small(), progress);

        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), progress.Items.Where(s => s.Task == "net fit-uv").Select(s => s.Completed).Distinct());
        Assert.Equal(["metrics.csv", "sharpness.png", "lr_sharpness.png", "lr_sharpness.svg", "fit.csv"], files.Take(5));
        Assert.Equal(13, result.Points.Count);   // steps 0, 2, ..., 24
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!;
        Assert.True(JsonNode.DeepEquals(result.Results, manifest["results"]));

        // A second path: the folder read back (fit.csv with the eigenvector projection) and fitted again in memory.
        var again = NetFitUvExperiment.Run(new NetFitUvOptions { Source = NetFitUvSource.Read(folder), Starts = 4 });
        Assert.Equal("top-eigenvector", again.Projection);
        Assert.Equal(result.Points.Select(p => p.Step), again.Points.Select(p => p.Step));
        Assert.Equal(result.Report!.Free.Parameters.R, again.Report!.Free.Parameters.R, 9);
        Assert.Equal(result.Report.Free.FitError, again.Report.Free.FitError, 9);
        Directory.Delete(folder, true);
    }

    [Fact]
    public void CancellingStopsAtAStepBoundaryAndLeavesNothingHalfWritten()
    {
        string folder = Folder();
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder<ExperimentProgress>(s => { if (s.Completed == 5) { cancel.Cancel(); } });

        Assert.ThrowsAny<OperationCanceledException>(() => NetFitUvWriter.Run(NetFitUvWriter.Prepare(folder, Small(1000)), Small(1000), progress, cancel.Token));

        Assert.Equal(5, progress.Items[^1].Completed);
        // The claim created the folder; no partial metrics.csv, fit or manifest was kept.
        Assert.False(Directory.Exists(folder));
    }

    [Theory]
    [InlineData("--fit-to")]
    [InlineData("--starts")]
    [InlineData("--optimizer")]
    [InlineData("--fit-from")]
    [InlineData("--run")]
    public void AnInvalidOptionIsNamedAsTyped(string option)
    {
        var error = Assert.Throws<InvalidOptionException>(() => (option switch
        {
            "--fit-to" => Small() with { FitFrom = 10, FitTo = 4 },
            "--starts" => Small() with { Starts = 0 },
            "--optimizer" => Small() with { Network = new NetworkOptions { Dataset = "synthetic", Optimizer = "sgd" }.Resolve() },
            "--fit-from" => Small() with { FitFrom = 25 },
            _ => Small() with { Network = null },
        }).Validate());

        Assert.Equal(option, error.Option);
    }
}
