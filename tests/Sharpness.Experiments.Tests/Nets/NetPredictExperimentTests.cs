using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Experiments.Tests.TestSupport;

namespace Sharpness.Experiments.Tests.Nets;

/// <summary>
/// <c>net predict</c> as a library call: progress in runs (configurations, then learning rates) with every
/// run's steps, cancellation at a step boundary with only the journal of finished runs kept (and the resume from it), the files the writer writes holding
/// the result's values, and the options' validation naming the option as typed.
/// </summary>
public sealed class NetPredictExperimentTests
{
    private static NetPredictOptions Small() => new()
    {
        Network = NetPredictOptions.WithCommandDefaults(
            new NetworkOptions { Dataset = "synthetic", TrainSize = 60, Steps = 6, SharpnessEvery = 1, MaxMatvecs = 40 }.Resolve(checkSize: false),
            option => option is "--train-size" or "--steps" or "--sharpness-every"),
        Parameterisations = [NetworkParameterisation.Sp, NetworkParameterisation.MuPOutput],
        Widths = [4],
        LearningRateFactors = [1, 1.5],
        LateSteps = 14,
        LateWindow = 8,
        LateSharpnessEvery = 7,
        Jobs = 1, // one after another: the tests follow the runs' order (NetJobsTests runs them side by side)
    };

    private static string Folder() => Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void ReportsEachConfigurationAndLearningRateAsARunWithItsSteps()
    {
        var progress = new Recorder<ExperimentProgress>();

        var result = NetPredictExperiment.Run(Small(), progress);

        // sp and mup-out at width 4, then sp with a zero readout; then the two learning rates.
        Assert.Equal(["sp-w4-s1", "mup-out-w4-s1", "sp-w4-s1-zero"], result.Predictions.Select(p => p.Config.Name));
        Assert.Equal(["a=1", "a=1.5"], result.Oscillations.Select(o => o.RateName));
        var outer = progress.Items.Where(s => s.Task == "net predict").ToList();
        Assert.All(outer, s => Assert.Equal(("runs", 5L), (s.Unit, s.Total!.Value)));
        Assert.Equal(5, outer[^1].Completed);
        string[] tasks =
        [
            "net predict/sp-w4-s1 (1/3)", "net predict/mup-out-w4-s1 (2/3)", "net predict/sp-w4-s1-zero (3/3)",
            "net predict/oscillation a=1 (1/2)", "net predict/oscillation a=1.5 (2/2)",
        ];
        Assert.Equal(tasks, progress.Items.Where(s => s.Task != "net predict").Select(s => s.Task).Distinct());
        // Every step of a run is reported, up to its budget, with its loss.
        foreach (string task in tasks)
        {
            var steps = progress.Items.Where(s => s.Task == task).ToList();
            Assert.Equal(task.Contains("oscillation", StringComparison.Ordinal) ? 14 : 6, steps[^1].Completed);
            Assert.Contains(steps, s => s.Metrics.Any(m => m.Name == "loss"));
        }

        // The observed trend is that of the reported sharpness: every measured step, starting at 0.
        Assert.All(result.Predictions, p => Assert.Equal(Enumerable.Range(0, 7), p.Steps));
    }

    [Fact]
    public void CancellingStopsAtAStepBoundaryKeepsOnlyTheJournalAndTheSameCommandResumes()
    {
        string folder = Folder();
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder<ExperimentProgress>(s => { if (s.Task == "net predict/mup-out-w4-s1 (2/3)" && s.Completed == 3) { cancel.Cancel(); } });

        Assert.ThrowsAny<OperationCanceledException>(() => NetPredictWriter.Run(NetPredictWriter.Prepare(folder, oscillation: true), Small(), progress, cancel.Token));

        // The second configuration stopped at step 3; no later run started.
        Assert.Equal(3, progress.Items.Last(s => s.Task.StartsWith("net predict/", StringComparison.Ordinal)).Completed);
        Assert.DoesNotContain(progress.Items, s => s.Task.Contains("zero", StringComparison.Ordinal) || s.Task.Contains("oscillation", StringComparison.Ordinal));
        // No result file: only the journal, which holds the first configuration, and the folder's lock.
        Assert.Equal([global::Sharpness.Runs.Safety.FolderLock.FileName, NetPredictWriter.JournalFile], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(folder, NetPredictWriter.JournalFile)).Length);

        // The same command on the folder trains the other four runs and writes what a run in one go writes.
        var again = new Recorder<ExperimentProgress>();
        var (resumed, _) = NetPredictWriter.Run(NetPredictWriter.Prepare(folder, oscillation: true), Small(), again);
        var whole = NetPredictExperiment.Run(Small());

        Assert.Equal(1, resumed.ResumedRuns);
        Assert.DoesNotContain(again.Items, s => s.Task == "net predict/sp-w4-s1 (1/3)");
        Assert.Equal(4, again.Items.Where(s => s.Unit == "steps").Select(s => s.Task).Distinct().Count());
        Assert.Equal(WithoutSeconds(whole.Results), WithoutSeconds(resumed.Results));
        Assert.Equal(
            whole.Predictions.SelectMany(p => p.Result.Records.Select(r => r.Loss).Concat(p.Sharpness).Concat(p.Kernel)).Select(BitConverter.DoubleToInt64Bits),
            resumed.Predictions.SelectMany(p => p.Result.Records.Select(r => r.Loss).Concat(p.Sharpness).Concat(p.Kernel)).Select(BitConverter.DoubleToInt64Bits));
        Assert.False(File.Exists(Path.Combine(folder, NetPredictWriter.JournalFile)));
        Assert.Equal(1, (int)JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!["execution"]!["resumed_runs"]!);
        Directory.Delete(folder, recursive: true);
    }

    // The results without the seconds each run took.
    private static string WithoutSeconds(JsonObject results)
    {
        var copy = results.DeepClone();
        void Strip(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                o.Remove("seconds");
                foreach (var (_, child) in o.ToList())
                {
                    Strip(child);
                }
            }
            else if (n is JsonArray a)
            {
                foreach (var child in a)
                {
                    Strip(child);
                }
            }
        }

        Strip(copy);
        return copy.ToJsonString();
    }

    [Fact]
    public void TheWrittenFilesHoldTheResult()
    {
        string folder = Folder();

        var (result, files) = NetPredictWriter.Run(NetPredictWriter.Prepare(folder, oscillation: true), Small());

        Assert.Contains(NetPredictWriter.PredictionsFile, files);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!;
        Assert.True(JsonNode.DeepEquals(result.Results, manifest["results"]));
        Assert.True(JsonNode.DeepEquals(result.Configuration, manifest["configuration"]));
        string[] lines = File.ReadAllLines(Path.Combine(folder, NetPredictWriter.PredictionsFile));
        string[] header = lines[0].Split(',');
        var rows = lines[1..].Select(l => l.Split(',')).ToArray();
        Assert.Equal(result.Predictions.Count, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            string Cell(string column) => rows[i][Array.IndexOf(header, column)];
            var p = result.Predictions[i];
            Assert.Equal(p.Config.Name, Cell("config"));
            Assert.Equal(p.Observed.Regime.Label(), Cell("observed_regime"));
            Assert.Equal(p.Agrees ? "1" : "0", Cell("agree"));
            Assert.Equal(p.Prediction!.Margin, double.Parse(Cell("margin"), CultureInfo.InvariantCulture), 12);
        }

        // The oscillation table: one row per rate with the run's η and labels.
        string[] oscillation = File.ReadAllLines(Path.Combine(folder, NetPredictWriter.OscillationFile));
        Assert.Equal(result.Oscillations.Select(o => $"{o.RateName}:{o.LossLabel}"), oscillation[1..].Select(l => l.Split(',')).Select(c => $"{c[0]}:{c[Array.IndexOf(oscillation[0].Split(','), "loss_label")]}"));
        Directory.Delete(folder, true);
    }

    [Theory]
    [InlineData("--loss")]
    [InlineData("--model")]
    [InlineData("--trend-tolerance")]
    [InlineData("--late-window")]
    [InlineData("--lrs")]
    [InlineData("--init")]
    public void AnInvalidOptionIsNamedAsTyped(string option)
    {
        var small = Small();
        var error = Assert.Throws<InvalidOptionException>(() => (option switch
        {
            "--loss" => small with { Network = new NetworkOptions { Dataset = "synthetic", Loss = "ce" }.Resolve(checkSize: false) },
            "--model" => small with { Network = new NetworkOptions { Dataset = "synthetic", Model = "cnn" }.Resolve(checkSize: false) },
            "--trend-tolerance" => small with { TrendTolerance = 1.5 },
            "--late-window" => small with { LateWindow = 20 },
            "--lrs" => small with { LearningRates = [0.1] },
            _ => small with { Network = new NetworkOptions { Dataset = "synthetic", Init = "torch" }.Resolve(checkSize: false), Parameterisations = [NetworkParameterisation.Ntp] },
        }).Validate());

        Assert.Equal(option, error.Option);
    }
}
