using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Tests.TestSupport;
using Sharpness.Nets.Models;

namespace Sharpness.Experiments.Tests.Nets;

/// <summary>
/// The net entry points' runs side by side (<c>Jobs</c>): the results of two jobs are those of one, value for value
/// (the wall times of the runs aside), every running job reports its own progress, and the job count is recorded.
/// </summary>
public sealed class NetJobsTests
{
    private static NetworkSettings Synthetic(int steps) =>
        new NetworkOptions { Preset = "eos", Dataset = "synthetic", TrainSize = 80, TestSize = 0, Width = 12, Steps = steps, SharpnessEvery = 2, AccuracyGoal = 1 }.Resolve(checkSize: false);

    // The results as JSON text, without the seconds each run took.
    private static string WithoutSeconds(JsonNode node)
    {
        var copy = node.DeepClone();
        Strip(copy);
        return copy.ToJsonString();

        static void Strip(JsonNode? n)
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
    }

    [Fact]
    public void LearningRatesTrainedSideBySideGiveTheResultsOfSerialRuns()
    {
        var options = new NetEosOptions { Network = Synthetic(30), LearningRates = [0.3, 0.5, 0.7] };
        var progress = new Recorder<ExperimentProgress>();

        var serial = NetEosExperiment.Run(options with { Jobs = 1 });
        var sideBySide = NetEosExperiment.Run(options with { Jobs = 2 }, progress);

        Assert.Equal(serial.Results.ToJsonString(), sideBySide.Results.ToJsonString());
        Assert.Equal(serial.Markdown, sideBySide.Markdown);
        Assert.Equal(
            serial.Runs.Select(r => r.Report.MeanRatio),
            sideBySide.Runs.Select(r => r.Report.MeanRatio));
        Assert.Equal((1, 2), (serial.Jobs!.Used, sideBySide.Jobs!.Used));
        // Each learning rate reports its steps under its own task, marked with the job it runs in.
        var runs = progress.Items.Where(s => s.Unit == "steps").ToList();
        Assert.Equal([1, 2], runs.Select(s => s.Job).Distinct().Order());
        Assert.Equal(3, runs.Select(s => s.Task).Distinct().Count());
        Assert.All(runs, s => Assert.StartsWith("net eos/eta = ", s.Task, StringComparison.Ordinal));
        Assert.Equal(3, progress.Items.Last(s => s.Task == "net eos").Completed);
    }

    [Fact]
    public void PredictionAndOscillationRunsSideBySideGiveTheResultsOfSerialRuns()
    {
        var options = new NetPredictOptions
        {
            Network = NetPredictOptions.WithCommandDefaults(
                new NetworkOptions { Dataset = "synthetic", TrainSize = 60, Steps = 6, SharpnessEvery = 1, MaxMatvecs = 40 }.Resolve(checkSize: false),
                option => option is "--train-size" or "--steps" or "--sharpness-every"),
            Parameterisations = [NetworkParameterisation.Sp, NetworkParameterisation.MuPOutput],
            Widths = [4, 8],
            LearningRateFactors = [1, 1.5],
            LateSteps = 14,
            LateWindow = 8,
            LateSharpnessEvery = 7,
        };
        var progress = new Recorder<ExperimentProgress>();

        var serial = NetPredictExperiment.Run(options with { Jobs = 1 });
        var sideBySide = NetPredictExperiment.Run(options with { Jobs = 2 }, progress);

        Assert.Equal(WithoutSeconds(serial.Results), WithoutSeconds(sideBySide.Results));
        Assert.Equal(serial.Predictions.Select(p => p.Config.Name), sideBySide.Predictions.Select(p => p.Config.Name));
        Assert.Equal(serial.Predictions.SelectMany(p => p.Sharpness), sideBySide.Predictions.SelectMany(p => p.Sharpness));
        Assert.Equal(serial.Oscillations.SelectMany(o => o.Result.Records.Select(r => r.Loss)), sideBySide.Oscillations.SelectMany(o => o.Result.Records.Select(r => r.Loss)));
        Assert.Equal([1, 2], progress.Items.Where(s => s.Unit == "steps").Select(s => s.Job).Distinct().Order());
        Assert.Equal(2, sideBySide.Jobs!.Used);
    }

    // 8 initialisations (2 variants × 2 widths × 2 seeds) on 60 synthetic examples, a few probes each.
    private static NetEarlyPhaseOptions SmallEarlyPhase() => new()
    {
        Network = new NetworkOptions { Preset = "early", Dataset = "synthetic", TrainSize = 60, TestSize = 0, Optimizer = "gd", MaxMatvecs = 40 }.Resolve(checkSize: false),
        Depths = [2],
        Widths = [8, 16],
        Variants = ["sp", "zero-readout"],
        Seeds = 2,
        CMin = 1,
        CMax = 8,
        XStep = 0.5,
        EarlySteps = 3,
    };

    [Fact]
    public void InitialisationsSideBySideGiveThePhaseDiagramOfSerialRuns()
    {
        var options = SmallEarlyPhase();
        var progress = new Recorder<ExperimentProgress>();

        var serial = NetEarlyPhaseExperiment.Run(options with { Jobs = 1 });
        var sideBySide = NetEarlyPhaseExperiment.Run(options with { Jobs = 2 }, progress);

        Assert.Equal(WithoutSeconds(serial.Results), WithoutSeconds(sideBySide.Results));
        Assert.Equal(serial.Runs.Select(r => r.Row), sideBySide.Runs.Select(r => r.Row));
        Assert.Equal(serial.Runs.SelectMany(r => r.Result.Probes.Select(p => p.MaxLossRatio)), sideBySide.Runs.SelectMany(r => r.Result.Probes.Select(p => p.MaxLossRatio)));
        // Side by side, each initialisation announces its probes under a task of its own, marked with its job.
        var announced = progress.Items.Where(s => s.Task.StartsWith("net early-phase/[", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, announced.Select(s => s.Task).Distinct().Count());
        Assert.Equal([1, 2], announced.Select(s => s.Job).Distinct().Order());
        Assert.Equal(8, progress.Items.Last(s => s.Task == "net early-phase").Completed);
    }

    [Fact]
    public void AnEarlyPhaseRunStoppedPartWayResumesFromItsJournalComputingOnlyTheRest()
    {
        var options = SmallEarlyPhase() with { Jobs = 2 };
        string journal = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"), NetEarlyPhaseWriter.JournalFile);
        try
        {
            var reference = NetEarlyPhaseExperiment.Run(options with { Jobs = 1 });

            // Stopped once three initialisations have finished (the running ones stop after their current probe).
            using var cancel = new CancellationTokenSource();
            int finished = 0;
            var first = new Recorder<ExperimentProgress>(s =>
            {
                if (s.Message?.Contains("lambda_H(0) = ", StringComparison.Ordinal) == true && Interlocked.Increment(ref finished) == 3)
                {
                    cancel.Cancel();
                }
            });
            Assert.ThrowsAny<OperationCanceledException>(() => NetEarlyPhaseExperiment.Run(options, first, cancel.Token, journal));
            int journaled = File.ReadAllLines(journal).Length - 1;
            Assert.InRange(journaled, 3, 7);

            var progress = new Recorder<ExperimentProgress>();
            var resumed = NetEarlyPhaseExperiment.Run(options, progress, default, journal);

            Assert.Equal(journaled, resumed.ResumedInitialisations);
            Assert.Equal(journaled, (int)resumed.Execution()!["resumed_initialisations"]!);
            // Only the others were measured again, and the diagram is the one computed in one go.
            Assert.Equal(8 - journaled, progress.Items.Count(s => s.Message?.EndsWith("measuring lambda_H(0) and lambda_NTK(0)", StringComparison.Ordinal) == true));
            Assert.Equal(WithoutSeconds(reference.Results), WithoutSeconds(resumed.Results));
            Assert.Equal(reference.Runs.Select(r => r.Row), resumed.Runs.Select(r => r.Row));
            Assert.Equal(
                reference.Runs.SelectMany(r => r.Result.Probes.SelectMany(p => p.Losses.Concat(p.Sharpness).Concat(p.SharpnessResiduals))).Select(BitConverter.DoubleToInt64Bits),
                resumed.Runs.SelectMany(r => r.Result.Probes.SelectMany(p => p.Losses.Concat(p.Sharpness).Concat(p.SharpnessResiduals))).Select(BitConverter.DoubleToInt64Bits));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(journal)!, recursive: true);
        }
    }
}
