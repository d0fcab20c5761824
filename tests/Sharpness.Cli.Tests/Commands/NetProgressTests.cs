using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Cli.Tests.TestSupport;
using Sharpness.Experiments.Progress;
using Sharpness.Runs;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>The real-network commands as thin shells over their library calls: progress reaches an outer reporter step by step, cancellation stops at a step boundary with nothing half-written, and the library call writes what the command writes.</summary>
public class NetProgressTests
{
    private static readonly string[] Small = ["--dataset", "synthetic", "--train-size", "60", "--test-size", "20", "--width", "8", "--steps", "12", "--sharpness-every", "3", "--max-matvecs", "40"];

    [Fact]
    public void NetTrainInsideAnotherCommandReportsEveryStepToItsProgressAndPrintsNoProgress()
    {
        var recorder = new Recorder();
        var error = new StringWriter();

        int code = Program.Run(["net", "train", .. Small, "--lr", "0.1", "--out", CliRunner.NewTemporaryFolder()], new StringWriter(), error, recorder, CancellationToken.None);

        Assert.True(code == 0, error.ToString());
        Assert.DoesNotContain("step ", error.ToString(), StringComparison.Ordinal);
        var steps = recorder.Items.Where(s => s.Message is null).ToList();
        Assert.Equal(Enumerable.Range(0, 13).Select(i => (long)i), steps.Select(s => s.Completed));
        Assert.All(recorder.Items, s => Assert.Equal(("net train", 12L), (s.Task, s.Total!.Value)));
        Assert.Contains(steps[^1].Metrics, m => m.Name == "sharpness" && m.At == 12);
    }

    [Fact]
    public void NetTrainCancelledMidRunExitsWith130AndLeavesNothing()
    {
        using var cancellation = new CancellationTokenSource();
        var recorder = new Recorder(s => { if (s.Completed == 4) { cancellation.Cancel(); } });
        string folder = CliRunner.NewTemporaryFolder();
        var error = new StringWriter();

        int code = Program.Run(["net", "train", "--dataset", "synthetic", "--train-size", "60", "--width", "8", "--steps", "100000", "--sharpness-every", "0", "--lr", "0.1", "--out", folder], new StringWriter(), error, recorder, cancellation.Token);

        Assert.True(code == 130, error.ToString());
        Assert.StartsWith("interrupted:", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(4, recorder.Items[^1].Completed);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void NetTrainWritesWhatTheLibraryCallAndItsWriterWrite()
    {
        string command = CliRunner.NewTemporaryFolder();
        string library = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run(["net", "train", .. Small, "--lr-constant", "1.5", "--warmup", "3", "--top-k", "2", "--checkpoint-steps", "0,final", "--out", command]);
        Assert.True(code == 0, error);

        var settings = new NetworkOptions { Dataset = "synthetic", TrainSize = 60, TestSize = 20, Width = 8, Steps = 12, SharpnessEvery = 3, MaxMatvecs = 40, LrConstant = 1.5, Warmup = 3, TopK = 2 }.Resolve();
        var plan = new CheckpointPlan([0], true);
        var (_, files) = NetTrainWriter.Run(NetTrainWriter.Prepare(library, settings, plan), settings, plan);

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(command, RunDirectory.ManifestFileName)))!;
        Assert.Equal(manifest["files"]!.AsArray().Select(f => f!.GetValue<string>()), files);
        foreach (string file in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(command, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(library, file))), file);
        }

        var libraryManifest = JsonNode.Parse(File.ReadAllText(Path.Combine(library, RunDirectory.ManifestFileName)))!;
        Assert.True(JsonNode.DeepEquals(manifest["configuration"], libraryManifest["configuration"]));
        Assert.True(JsonNode.DeepEquals(manifest["results"], libraryManifest["results"]));
    }

    [Fact]
    public void NetEosReportsEachLearningRateUnderItsOwnTaskAndWritesWhatTheLibraryWrites()
    {
        var recorder = new Recorder();
        string command = CliRunner.NewTemporaryFolder();
        int code = Program.Run(["net", "eos", .. Small, "--lrs", "0.5,1/3", "--out", command], new StringWriter(), new StringWriter(), recorder, CancellationToken.None);
        Assert.Equal(0, code);

        var tasks = recorder.Items.Select(s => s.Task).Distinct().ToList();
        Assert.Contains("net eos/eta = 0.5 (1/2)", tasks);
        Assert.Contains("net eos/eta = 0.333333 (2/2)", tasks);
        var runs = recorder.Items.Where(s => s.Task == "net eos").ToList();
        Assert.Equal((2L, 2L, "runs"), (runs[^1].Completed, runs[^1].Total!.Value, runs[^1].Unit));

        string library = CliRunner.NewTemporaryFolder();
        var options = new NetEosOptions
        {
            Network = new NetworkOptions { Preset = "eos", Dataset = "synthetic", TrainSize = 60, TestSize = 20, Width = 8, Steps = 12, SharpnessEvery = 3, MaxMatvecs = 40 }.Resolve(),
            LearningRates = NetEosOptions.ParseRates("0.5,1/3"),
        };
        var (result, _) = NetEosWriter.Run(NetEosWriter.Prepare(library, options), options);
        foreach (string file in new[] { "eos.csv", "summary.md", "eos.svg", "eta-0.5/metrics.csv", "eta-0.333333/metrics.csv" })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(command, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(library, file))), file);
        }

        // The in-memory path analyses the records it trained: the same reports as the files'.
        var inMemory = NetEosExperiment.Run(options);
        Assert.Equal(result.Markdown, inMemory.Markdown);
        Assert.Equal(result.Runs.Select(r => r.Report), inMemory.Runs.Select(r => r.Report));
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void ReproduceShowsTheProgressInsideEachExperiment()
    {
        var recorder = new Recorder();
        string folder = CliRunner.NewTemporaryFolder();

        int code = Program.Run(["reproduce", "--quick", "--no-net", "--out", folder], new StringWriter(), new StringWriter(), recorder, CancellationToken.None);

        Assert.Equal(0, code);
        var inner = recorder.Items.Where(s => s.Task.StartsWith("reproduce/orbit/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(inner);
        Assert.All(inner, s => Assert.NotNull(s.Total));
        Assert.Contains(inner, s => s.Completed == s.Total);
    }
}
