using Sharpness.Core.Dynamics;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Tests.TestSupport;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;

namespace Sharpness.Experiments.Tests.Uv;

/// <summary>The UV entry points: progress, cancellation, validation, and results that agree with their files and with other paths through the code.</summary>
public class UvExperimentTests
{
    public static TheoryData<string> EntryPoints => ["simulate", "orbit", "cascade", "lyapunov", "fixed-points", "phase", "field"];

    private static object Run(string name, IProgress<ExperimentProgress>? progress, CancellationToken token) => name switch
    {
        "simulate" => UvSimulateExperiment.Run(new UvSimulateOptions { Steps = 50 }, progress, token),
        "orbit" => UvOrbitExperiment.Run(new UvOrbitOptions { Points = 40, Transient = 50, Keep = 10 }, progress, token),
        "cascade" => UvCascadeExperiment.Run(new UvCascadeOptions { MaxPeriod = 8 }, progress, token),
        "lyapunov" => UvLyapunovExperiment.Run(new UvLyapunovOptions { RMin = 0.9, RMax = 1.5, Points = 12, Steps = 300, Transient = 100 }, progress, token),
        "fixed-points" => UvFixedPointsExperiment.Run(new UvFixedPointsOptions { R = 1.1, MaxPeriod = 4 }, progress, token),
        "phase" => UvPhaseExperiment.Run(new UvPhaseOptions { CPoints = 6, RPoints = 5, Steps = 60 }, progress, token),
        _ => UvFieldExperiment.Run(new UvFieldOptions { Trajectories = [new UvScaledState(0.1, 1.0), new UvScaledState(0.2, 1.5)] }, progress, token),
    };

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public void EveryEntryPointEndsWithASnapshotOfAllItsUnitsDone(string name)
    {
        var recorder = new Recorder<ExperimentProgress>();

        Run(name, recorder, CancellationToken.None);

        var snapshots = recorder.Items;
        Assert.NotEmpty(snapshots);
        Assert.Equal($"uv {name}", snapshots[^1].Task);
        Assert.Equal(snapshots[^1].Total, snapshots[^1].Completed);
        Assert.True(snapshots.Zip(snapshots.Skip(1)).All(p => p.First.Completed <= p.Second.Completed), "the units done never decrease");
    }

    [Theory]
    [MemberData(nameof(EntryPoints))]
    public void EveryEntryPointStopsWhenCancelled(string name)
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Run(name, null, cancelled.Token));
    }

    [Fact]
    public void ALongSimulationStopsAtAStepBoundaryWhenCancelledMidway()
    {
        using var cancellation = new CancellationTokenSource();
        var recorder = new Recorder<ExperimentProgress>(s =>
        {
            if (s.Completed >= 1)
            {
                cancellation.Cancel();
            }
        });
        var options = new UvSimulateOptions { Model = new UvModelOptions { Width = 2000 }, Steps = 2_000_000, Lr = 0.01 };

        Assert.ThrowsAny<OperationCanceledException>(() => UvSimulateExperiment.Run(options, recorder, cancellation.Token));
        Assert.True(recorder.Items.Max(s => s.Completed) < options.Steps);
    }

    [Fact]
    public void SimulationProgressCarriesTheLossAndSharpnessOfTheStepItCounts()
    {
        var recorder = new Recorder<ExperimentProgress>();

        var result = UvSimulateExperiment.Run(new UvSimulateOptions { Steps = 30 }, recorder);

        var last = recorder.Items[^1];
        var record = result.Run.Records[^1];
        Assert.Equal(record.Loss, last.Metrics.Single(m => m.Name == "loss").Value);
        Assert.Equal(record.Sharpness, last.Metrics.Single(m => m.Name == "sharpness").Value);
        Assert.All(recorder.Items.SelectMany(s => s.Metrics.Select(m => (m, s.Completed))), p => Assert.False(p.m.IsStaleAt(p.Completed)));
    }

    [Theory]
    [InlineData("--lr", "both")]
    [InlineData("--width", "width")]
    [InlineData("--steps", "steps")]
    [InlineData("--init-file", "init")]
    [InlineData("--lr-constant", "zero sharpness")]
    public void InvalidSimulationOptionsNameTheOption(string option, string which)
    {
        var options = which switch
        {
            "both" => new UvSimulateOptions { Lr = 0.1, LrConstant = 1 },
            "width" => new UvSimulateOptions { Model = new UvModelOptions { Width = 0 } },
            "steps" => new UvSimulateOptions { Steps = -1 },
            "init" => new UvSimulateOptions { Model = new UvModelOptions { InitFile = "/nonexistent/init.json" } },
            _ => new UvSimulateOptions { Model = new UvModelOptions { InitFile = ZeroWeightsFile(), Target = 0 }, LrConstant = 1 },
        };

        var error = Assert.Throws<InvalidOptionException>(() => UvSimulateExperiment.Run(options));
        Assert.Equal(option, error.Option);
    }

    [Fact]
    public void OrbitOptionsThatDoNotApplyAreRefused()
    {
        Assert.Equal("--direction", Assert.Throws<InvalidOptionException>(() => new UvOrbitOptions { Direction = SweepDirection.Down }.Validate()).Option);
        Assert.Equal("--x0", Assert.Throws<InvalidOptionException>(() => new UvOrbitOptions { Axis = OrbitAxis.C, X0 = 1 }.Validate()).Option);
        Assert.Equal("--axis", Assert.Throws<InvalidOptionException>(() => UvOrbitOptions.ParseAxis("q")).Option);
        Assert.Equal(OrbitAxis.Eta, UvOrbitOptions.ParseAxis("ETA"));
    }

    [Fact]
    public void TheOrbitResultCountsWhatItsCsvHolds()
    {
        var result = UvOrbitExperiment.Run(new UvOrbitOptions { Min = 0.5, Max = 3.5, Points = 30, Transient = 100, Keep = 20 });
        string folder = TemporaryFolder();

        UvOrbitWriter.Write(UvOrbitWriter.Prepare(folder), result);

        var rows = CsvTableReader.ReadNumbers(Path.Combine(folder, UvOrbitWriter.CsvFile), "r");
        Assert.Equal(result.Rows, rows[0].Length);
        Assert.True(result.DivergedValues > 0 && result.Rows < 30 * 20, "the range reaches past the end of bounded dynamics");
        var flips = UvOrbitExperiment.ManifoldCascade().FlipPoints.Select(f => f.Parameter).Where(r => r is >= 0.5 and <= 3.5);
        Assert.Equal(flips, result.FlipPoints);
    }

    [Fact]
    public void TheParallelLyapunovSweepEqualsOneClassificationPerValue()
    {
        var options = new UvLyapunovOptions { RMin = 0.9, RMax = 1.45, Points = 8, Steps = 400, Transient = 200 };

        var result = UvLyapunovExperiment.Run(options);

        for (int i = 0; i < result.Grid.Count; i++)
        {
            var alone = LongRunClassifier.Classify(new UvScaledIteratedMap(), result.Grid[i], [options.G0, options.X0], options.Transient, options.Steps);
            Assert.Equal(alone.Exponents, result.Classes[i].Exponents);
            Assert.Equal(alone.Label, result.Classes[i].Label);
        }
    }

    [Fact]
    public void ThePhaseDiagramsCsvHoldsItsCellsInRowOrder()
    {
        var result = UvPhaseExperiment.Run(new UvPhaseOptions { CPoints = 7, RPoints = 4, Steps = 80, OutputRatio = 0.6 });
        string folder = TemporaryFolder();

        UvPhaseWriter.Write(UvPhaseWriter.Prepare(folder), result);

        string[] lines = File.ReadAllLines(Path.Combine(folder, UvPhaseWriter.CsvFile));
        Assert.Equal(1 + (7 * 4), lines.Length);
        for (int k = 0; k < 28; k++)
        {
            Assert.EndsWith(UvPhaseFigures.CsvName(result.Categories[k / 7, k % 7]), lines[k + 1].Split(',')[2], StringComparison.Ordinal);
        }

        Assert.Contains(result.CategoryCounts, c => c.Category == UvPhaseFigures.Unrealisable);
        Assert.Equal(28, result.CategoryCounts.Sum(c => c.Cells));
    }

    [Fact]
    public void AFolderHoldingOtherFilesIsRefusedBeforeTheRun()
    {
        string folder = TemporaryFolder();
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");

        Assert.Equal("--out", Assert.Throws<InvalidOptionException>(() => UvSimulateWriter.Prepare(folder)).Option);
    }

    private static string TemporaryFolder() => Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));

    private static string ZeroWeightsFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"zero-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"u\": [0, 0], \"v\": [0, 0]}");
        return path;
    }
}
