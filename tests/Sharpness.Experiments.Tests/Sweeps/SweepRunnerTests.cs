using System.Globalization;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Sweeps;
using Sharpness.Experiments.Tests.TestSupport;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;

namespace Sharpness.Experiments.Tests.Sweeps;

/// <summary>The sweep runner with points run by the library directly (no command line): skip, redo, fail, interrupt, resume.</summary>
public class SweepRunnerTests
{
    private const string Spec = """
        command = "uv simulate"
        [base]
        steps = 40
        [grid]
        width = [4, 16, 64]
        lr_constant = [1.0, 2.5]
        """;

    [Fact]
    public void RunsEveryPointAndARerunSkipsThem()
    {
        var (options, points) = Sweep();
        var first = new SweepRunner(points).Run(options);
        var second = new SweepRunner(points).Run(options);

        Assert.Equal((6, 0, 0, false), (first.Done, first.Skipped, first.Failures.Count, first.Interrupted));
        Assert.Equal((0, 6, 0), (second.Done, second.Skipped, second.Failures.Count));
        Assert.All(first.Outcomes, o => Assert.True(RunDirectory.HoldsCompleteRun(o.Point.Folder)));
        Assert.Equal(6, points.Runs);
    }

    [Fact]
    public void AnInterruptedSweepKeepsItsFinishedRunsLeavesTheStoppedOneIncompleteAndResumes()
    {
        var (options, points) = Sweep();
        using var cancellation = new CancellationTokenSource();
        points.CancelDuringRun = (3, cancellation);
        var finished = new List<SweepPointFinished>();
        var runner = new SweepRunner(points);
        runner.PointFinished += (_, e) => finished.Add(e);

        var interrupted = runner.Run(options, null, cancellation.Token);

        Assert.True(interrupted.Interrupted);
        Assert.Equal([SweepPointStatus.Done, SweepPointStatus.Done, SweepPointStatus.Interrupted], interrupted.Outcomes.Select(o => o.Status));
        Assert.Equal([1, 2, 3], finished.Select(f => f.Number));
        Assert.False(RunDirectory.HoldsCompleteRun(interrupted.Outcomes[2].Point.Folder));

        points.CancelDuringRun = null;
        var resumed = new SweepRunner(points).Run(options);

        Assert.Equal((4, 2, false), (resumed.Done, resumed.Skipped, resumed.Interrupted));
    }

    [Fact]
    public void AFailedPointIsReportedAndTheOthersStillRun()
    {
        var (options, points) = Sweep();
        points.FailWidth = 16;

        var result = new SweepRunner(points).Run(options);

        Assert.Equal(4, result.Done);
        Assert.Equal(2, result.Failures.Count);
        Assert.All(result.Failures, f => Assert.Contains("width 16", f.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void TheProgressOfEachRunIsNestedUnderTheSweep()
    {
        var (options, points) = Sweep();
        var recorder = new Recorder<ExperimentProgress>();

        var result = new SweepRunner(points).Run(options, recorder);

        var sweep = recorder.Items.Where(s => s.Task == SweepRunner.Task).ToArray();
        Assert.Equal((6L, 6L, "runs"), (sweep[^1].Completed, sweep[^1].Total!.Value, sweep[^1].Unit));
        foreach (var outcome in result.Outcomes)
        {
            Assert.Contains(recorder.Items, s => s.Task == $"sweep/{outcome.Point.Point.Directory}/uv simulate");
        }
    }

    [Fact]
    public void PlanningChecksEveryPointBeforeAnythingIsWritten()
    {
        var (options, points) = Sweep();
        points.RefuseWidth = 64;

        var error = Assert.Throws<InvalidOptionException>(() => new SweepRunner(points).Run(options));

        Assert.Equal("spec", error.Option);
        Assert.False(Directory.Exists(options.Out));
        Assert.Equal("--shard", Assert.Throws<InvalidOptionException>(() => new SweepRunner(new LibraryPoints()).Plan(options with { Shard = 2, Shards = 2 })).Option);
        Assert.Equal((1, 3), SweepRunOptions.ParseShard("1/3"));
    }

    [Fact]
    public void SideBySideRunsWriteTheFilesOfSerialRunsAndReportInPointOrder()
    {
        var (serialOptions, points) = Sweep();
        var sideBySideOptions = serialOptions with { Out = serialOptions.Out + "-jobs", Jobs = 3 };
        var serialRunner = new SweepRunner(points);
        var sideBySideRunner = new SweepRunner(points);
        var numbers = new List<int>();
        sideBySideRunner.PointFinished += (_, e) => numbers.Add(e.Number);

        var serial = serialRunner.Run(serialOptions with { Jobs = 1 });
        var sideBySide = sideBySideRunner.Run(sideBySideOptions);

        Assert.Equal((1, 3), (serial.Jobs.Used, sideBySide.Jobs.Used));
        Assert.Equal([1, 2, 3, 4, 5, 6], numbers);
        Assert.Equal(serial.Outcomes.Select(o => (o.Point.Point.Directory, o.Status)), sideBySide.Outcomes.Select(o => (o.Point.Point.Directory, o.Status)));
        Assert.Equal(Contents(serialOptions.Out!), Contents(sideBySideOptions.Out!));
        var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(sideBySideOptions.Out!, SweepRunner.RecordFileName)))!;
        Assert.Equal(3, (int)record["execution"]!["jobs_used"]!);
        Assert.Equal(6, (int)record["summary"]!["done"]!);
    }

    [Fact]
    public void TheRecordReplacesOnlyASweepsRecordNeverAFileOrLinkTheToolkitDidNotWrite()
    {
        var (options, points) = Sweep();
        Directory.CreateDirectory(options.Out!);
        string record = Path.Combine(options.Out!, SweepRunner.RecordFileName);
        File.WriteAllText(record, "notes of my own\n");

        var foreign = Assert.Throws<InvalidOptionException>(() => new SweepRunner(points).Run(options));

        Assert.Equal("--out", foreign.Option);
        Assert.Equal("notes of my own\n", File.ReadAllText(record));
        Assert.Equal(0, points.Runs);

        string target = Path.Combine(Path.GetTempPath(), $"sweep-target-{Guid.NewGuid():N}.json");
        File.WriteAllText(target, "{\"schema\": \"sharpness.sweep-run/1\"}\n");
        File.Delete(record);
        File.CreateSymbolicLink(record, target);
        try
        {
            Assert.Equal("--out", Assert.Throws<InvalidOptionException>(() => new SweepRunner(points).Run(options)).Option);
            Assert.Equal("{\"schema\": \"sharpness.sweep-run/1\"}\n", File.ReadAllText(target));
            Assert.Equal(0, points.Runs);

            // A sweep's own record (a rerun's) is replaced.
            File.Delete(record);
            var first = new SweepRunner(points).Run(options);
            var again = new SweepRunner(points).Run(options);
            Assert.Equal((6, 6), (first.Done, again.Skipped));
            Assert.Equal(6, (int)System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(record))!["summary"]!["skipped"]!);
        }
        finally
        {
            File.Delete(target);
        }
    }

    [Fact]
    public void PointsThatAskForSeveralThreadsRunOneAtATime()
    {
        var (options, points) = Sweep();
        points.Threads = 2;

        var error = Assert.Throws<InvalidOptionException>(() => new SweepRunner(points).Plan(options with { Jobs = 2 }));
        var result = new SweepRunner(points).Run(options);

        Assert.Equal("--jobs", error.Option);
        Assert.Equal(1, result.Jobs.Used);
        Assert.Contains("asks for 2 threads", result.Jobs.Reason, StringComparison.Ordinal);
    }

    // Every file of every run folder, manifests without their times.
    private static SortedDictionary<string, string> Contents(string results)
    {
        var contents = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string folder in Directory.GetDirectories(results))
        {
            foreach (string file in Directory.GetFiles(folder))
            {
                string key = Path.GetFileName(folder) + "/" + Path.GetFileName(file);
                contents[key] = Path.GetFileName(file) == RunDirectory.ManifestFileName
                    ? string.Join('\n', File.ReadAllLines(file).Where(l => !l.Contains("_utc\"", StringComparison.Ordinal)))
                    : Convert.ToBase64String(File.ReadAllBytes(file));
            }
        }

        return contents;
    }

    private static (SweepRunOptions Options, LibraryPoints Points) Sweep()
    {
        string spec = Path.Combine(Path.GetTempPath(), $"sweep-{Guid.NewGuid():N}.toml");
        File.WriteAllText(spec, Spec);
        return (new SweepRunOptions { Spec = spec, Out = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N")) }, new LibraryPoints());
    }

    /// <summary>Runs "uv simulate" points with the library: width, lr_constant and steps from the settings.</summary>
    private sealed class LibraryPoints : ISweepPointRunner
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public int? Threads { get; set; }

        public (int Run, CancellationTokenSource Source)? CancelDuringRun { get; set; }

        public int? FailWidth { get; set; }

        public int? RefuseWidth { get; set; }

        public void CheckCommand(string command) => Assert.Equal("uv simulate", command);

        public void CheckPoint(string command, SweepPlannedPoint point)
        {
            if (Options(point).Model.Width == RefuseWidth)
            {
                throw new InvalidOptionException("spec", $"point {point.Point.Index}: width {RefuseWidth} refused");
            }
        }

        public string? Run(string command, SweepPlannedPoint point, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
        {
            int run = Interlocked.Increment(ref _runs);
            var options = Options(point);
            if (options.Model.Width == FailWidth)
            {
                return $"width {FailWidth} fails on purpose";
            }

            using var folder = UvSimulateWriter.Prepare(point.Folder);
            if (CancelDuringRun is { } cancel && run == cancel.Run)
            {
                cancel.Source.Cancel();
            }

            var result = UvSimulateExperiment.Run(options, progress, cancellationToken);
            UvSimulateWriter.Write(folder, result);
            return null;
        }

        public SweepPointCost Cost(string command, SweepPlannedPoint point) => new(Threads ?? 1, 1 << 20);

        private static UvSimulateOptions Options(SweepPlannedPoint point)
        {
            var settings = point.Point.Settings;
            double Number(string key) => double.Parse(settings[key]!.ToJsonString(), CultureInfo.InvariantCulture);
            return new UvSimulateOptions { Model = new UvModelOptions { Width = (int)Number("width") }, LrConstant = Number("lr-constant"), Steps = (int)Number("steps") };
        }
    }
}
