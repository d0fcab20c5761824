using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;
using Sharpness.Nets.Training;
using Sharpness.Experiments.Tests.TestSupport;

namespace Sharpness.Experiments.Tests.Nets;

/// <summary>
/// <c>net train</c> as a library call: the progress it reports, cancellation at a step boundary with
/// nothing half-written, metrics.csv streamed row by row (readable while the run trains) equal to the
/// table written at once from the finished run, and the options' validation naming the option as typed.
/// </summary>
public sealed class NetTrainExperimentTests
{
    private static NetworkOptions Small(int steps = 12, int every = 3) => new()
    {
        Dataset = "synthetic",
        TrainSize = 60,
        TestSize = 20,
        Width = 8,
        Lr = 0.1,
        Steps = steps,
        SharpnessEvery = every,
        MaxMatvecs = 40,
    };

    private static string Folder() => Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void ReportsEveryStepWithTheLossAndTheLatestSharpnessMarkedWithItsStep()
    {
        var progress = new Recorder<ExperimentProgress>();

        var run = NetTrainExperiment.Run(Small().Resolve(), progress);

        var records = run.Training.Records;
        var steps = progress.Items.Where(s => s.Message is null).ToList();
        Assert.Equal(records.Select(r => (long)r.Step), steps.Select(s => s.Completed));
        Assert.All(progress.Items, s => Assert.Equal(12, s.Total));
        Assert.All(progress.Items, s => Assert.Equal("net train", s.Task));
        for (int i = 0; i < records.Count; i++)
        {
            Assert.Equal(records[i].Loss, steps[i].Metrics.Single(m => m.Name == "loss").Value);
            var sharpness = steps[i].Metrics.Single(m => m.Name == "sharpness");
            // Measured every 3 steps: the value is that of the last multiple of 3, and says so.
            int measuredAt = records[i].Step / 3 * 3;
            Assert.Equal(measuredAt, sharpness.At);
            Assert.Equal(records[measuredAt].Sharpness, sharpness.Value);
            Assert.Equal(run.Training.LearningRate * records[measuredAt].Sharpness, steps[i].Metrics.Single(m => m.Name == "lr_sharpness").Value, 15);
        }

        var last = progress.Items[^1];
        Assert.NotNull(last.Message);
        Assert.Equal(12, last.Completed);
    }

    [Fact]
    public void TheStreamedMetricsEqualTheTableWrittenFromTheFinishedRunAndGrowWhileItTrains()
    {
        var settings = (Small() with { Warmup = 4, LrConstant = 1.5, Lr = null, TopK = 2 }).Resolve();
        string streamed = Folder(), atOnce = Folder();
        string partial = Path.Combine(streamed, "metrics.csv.partial");
        var linesSeen = new List<(long Step, int Lines)>();
        // Read by another reader while the run trains: the header and one row per step done.
        var progress = new Recorder<ExperimentProgress>(s =>
        {
            if (s.Message is null)
            {
                using var reader = new StreamReader(new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
                linesSeen.Add((s.Completed, reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length));
            }
        });

        var (run, files) = NetTrainWriter.Run(NetTrainWriter.Prepare(streamed, settings, CheckpointPlan.None), settings, progress: progress);
        using (var folder = Experiments.Runs.RunFolder.Prepare(atOnce, ["metrics.csv"]))
        {
            NetTrainWriter.WriteMetrics(folder, run.Training, settings.TopK);
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(atOnce, "metrics.csv")), File.ReadAllBytes(Path.Combine(streamed, "metrics.csv")));
        Assert.All(linesSeen, seen => Assert.Equal(seen.Step + 2, seen.Lines));
        Assert.Equal(13, linesSeen.Count);
        Assert.False(File.Exists(partial));
        Assert.Equal(["metrics.csv", "sharpness.png", "lr_sharpness.png", "lr_sharpness.svg"], files);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(streamed, "manifest.json")))!;
        Assert.Equal("net train", manifest["command"]!.GetValue<string>());
        Assert.Equal(run.Training.LearningRate, manifest["configuration"]!["lr"]!.GetValue<double>());
        // The peak η is c/λ_H(0), and the warm-up's rows scale λ_H by it (not by the step's lower η).
        Assert.Equal(1.5 / run.Training.InitialSharpness, run.Training.LearningRate, 15);
        var row3 = File.ReadAllLines(Path.Combine(streamed, "metrics.csv"))[4].Split(',');
        Assert.Equal(run.Training.LearningRate * run.Training.Records[3].Sharpness, double.Parse(row3[9], CultureInfo.InvariantCulture));
        Directory.Delete(streamed, true);
        Directory.Delete(atOnce, true);
    }

    [Fact]
    public void CancellingStopsAtAStepBoundaryAndLeavesNothingHalfWritten()
    {
        var settings = Small(steps: 1000, every: 0).Resolve();
        string folder = Folder();
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder<ExperimentProgress>(s => { if (s.Completed == 5) { cancel.Cancel(); } });

        Assert.ThrowsAny<OperationCanceledException>(() =>
            NetTrainWriter.Run(NetTrainWriter.Prepare(folder, settings, CheckpointPlan.None), settings, progress: progress, cancellationToken: cancel.Token));

        // The step whose record was reported when the token was cancelled is the last one.
        Assert.Equal(5, progress.Items[^1].Completed);
        // The claim created the folder and nothing was kept: it is gone, with no partial file or manifest.
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void ACancelledRunCanBeKeptAsAResult()
    {
        var settings = Small(steps: 1000, every: 0).Resolve();
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder<ExperimentProgress>(s => { if (s.Completed == 7) { cancel.Cancel(); } });

        var run = NetTrainExperiment.Run(settings, progress, cancel.Token, keepCancelledRun: true);

        Assert.Equal(TrainingStopReason.Cancelled, run.Training.StopReason);
        Assert.Equal(7, run.Training.Records[^1].Step);
        Assert.Equal("Cancelled", run.Results["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public void ALeftoverPartialFileOfAnInterruptedAttemptIsReplaced()
    {
        var settings = Small(steps: 4).Resolve();
        string folder = Folder();
        var claimed = NetTrainWriter.Prepare(folder, settings, CheckpointPlan.None);
        File.WriteAllText(Path.Combine(folder, "metrics.csv.partial"), "step,loss\n0,stale\n");

        var (run, _) = NetTrainWriter.Run(claimed, settings);

        string[] lines = File.ReadAllLines(Path.Combine(folder, "metrics.csv"));
        Assert.Equal(run.Training.Records.Count + 1, lines.Length);
        Assert.DoesNotContain(lines, l => l.Contains("stale", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(folder, "metrics.csv.partial")));
        Directory.Delete(folder, true);
    }

    [Theory]
    [InlineData("--width", "width")]
    [InlineData("--lr", "both-rates")]
    [InlineData("--depth", "cnn-depth")]
    [InlineData("--preset", "preset")]
    [InlineData("--momentum", "momentum")]
    [InlineData("--data-dir", "mnist")]
    public void AnInvalidOptionIsNamedAsTyped(string option, string mistake)
    {
        var options = mistake switch
        {
            "width" => Small() with { Width = 0 },
            "both-rates" => Small() with { LrConstant = 2 },
            "cnn-depth" => Small() with { Dataset = "fashion-mnist", Model = "cnn", Depth = 4 },
            "preset" => Small() with { Preset = "fast" },
            "momentum" => Small() with { Momentum = 1 },
            _ => Small() with { Dataset = "mnist" },
        };

        var error = Assert.Throws<InvalidOptionException>(() => options.Resolve());

        Assert.Equal(option, error.Option);
    }

    [Fact]
    public void ThePresetsFillInWhatIsNotGivenAndGivenValuesWin()
    {
        // Cohen et al.'s protocol (docs/real-networks.md): eta = 2/30, until 99% accuracy, lambda_H every 20 steps, PyTorch's initialisation.
        var eos = new NetworkOptions { Preset = "eos", Dataset = "synthetic" }.Resolve(checkSize: false);
        Assert.Equal(2.0 / 30, eos.Trainer.LearningRate.Value);
        Assert.Equal(0.99, eos.Trainer.TrainAccuracyGoal);
        Assert.Equal(10_000, eos.Trainer.MaxSteps);
        Assert.Equal(20, eos.Trainer.Tracking!.Interval);
        Assert.Equal(Sharpness.Nets.Models.Initialisation.Torch, eos.Initialisation);
        // Kalra & Barkeshli's: eta = 2/lambda_H(0), SGD, ReLU depth 6 width 512 without biases, 10 steps.
        var early = new NetworkOptions { Preset = "early", Dataset = "synthetic", Steps = 3 }.Resolve(checkSize: false);
        Assert.True(early.Trainer.LearningRate.IsRelativeToInitialSharpness);
        Assert.Equal(2.0, early.Trainer.LearningRate.Value);
        Assert.Equal(OptimizerKind.StochasticGradientDescent, early.Trainer.Optimizer);
        Assert.Equal((6, 512, false), (early.Depth, early.Width, early.Bias));
        Assert.Equal(3, early.Trainer.MaxSteps);
        // A given absolute rate replaces the early preset's relative one.
        var given = new NetworkOptions { Preset = "early", Dataset = "synthetic", Lr = 0.3 }.Resolve(checkSize: false);
        Assert.False(given.Trainer.LearningRate.IsRelativeToInitialSharpness);
        Assert.Equal(0.3, given.Trainer.LearningRate.Value);
    }
}
