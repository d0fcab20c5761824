using Sharpness.Cli.Progress;
using Sharpness.Experiments.Progress;
using Spectre.Console;

namespace Sharpness.Cli.Tests.Progress;

/// <summary>How progress reads: plain lines for logs (throttled, no control characters, stale values marked) and the live display.</summary>
public class ProgressDisplayTests
{
    private static ExperimentProgress Snapshot(long completed, long? total = 100, double seconds = 10, string task = "uv simulate", params ProgressMetric[] metrics) =>
        new() { Task = task, Completed = completed, Total = total, Elapsed = TimeSpan.FromSeconds(seconds), Metrics = metrics };

    [Fact]
    public void ALineSaysHowFarHowLongAndTheLatestValuesMarkingStaleOnes()
    {
        string line = ProgressText.Line(Snapshot(25, metrics: [new ProgressMetric("loss", 0.012345678, 25), new ProgressMetric("sharpness", 3.4167, 20)]));

        Assert.Equal("uv simulate: 25/100 steps (25%), 0:10 elapsed, ~0:30 left; loss 0.01235, sharpness 3.417 (at step 20)", line);
        Assert.Equal("sweep: 3 runs, 1:02:03 elapsed; width=16-ab: done", ProgressText.Line(new ExperimentProgress { Task = "sweep", Completed = 3, Unit = "runs", Elapsed = new TimeSpan(1, 2, 3), Message = "width=16-ab: done" }));
    }

    [Fact]
    public void ALineHoldsNoControlCharactersWhateverTheTaskName()
    {
        string line = ProgressText.Line(Snapshot(1, task: "sweep/\u001b[31mred\u001b[0m\r\nx"));

        Assert.DoesNotContain(line, char.IsControl);
    }

    [Fact]
    public void PlainProgressPrintsEachTaskEveryIntervalAndALastLineOnlyAfterAFirst()
    {
        var clock = new ManualClock();
        var log = new StringWriter();
        var plain = new PlainProgress(log, TimeSpan.FromSeconds(5), clock);

        plain.Report(Snapshot(0, task: "short"));
        clock.Advance(TimeSpan.FromSeconds(2));
        plain.Report(Snapshot(100, task: "short"));
        for (int k = 0; k <= 100; k += 10)
        {
            plain.Report(Snapshot(k, task: "long"));
            clock.Advance(TimeSpan.FromSeconds(3));
        }

        string[] lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // "short" ended within the interval: no line. "long" ran 33 s: a line at 6 s, 12 s, ... and its end.
        Assert.DoesNotContain(lines, l => l.StartsWith("short", StringComparison.Ordinal));
        Assert.Equal(["long: 20/100", "long: 40/100", "long: 60/100", "long: 80/100", "long: 100/100"], lines.Select(l => l[..l.IndexOf(' ', 6)]));
    }

    [Fact]
    public void TheLiveDisplayShowsATaskLinePerTaskAndDropsFinishedNestedOnes()
    {
        var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen),
            Ansi = AnsiSupport.No,
            Interactive = InteractionSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;

        IReadOnlyDictionary<string, string> whileNested = new Dictionary<string, string>(), after = whileNested;
        console.Progress().AutoRefresh(false).Start(context =>
        {
            var live = new LiveProgress(context);
            live.Report(Snapshot(40, metrics: [new ProgressMetric("sharpness", 2.5, 30)]));
            live.Report(Snapshot(5, 10, task: "sweep/p1/uv phase"));
            whileNested = live.Shown;
            live.Report(Snapshot(10, 10, task: "sweep/p1/uv phase"));
            after = live.Shown;
        });

        Assert.Equal("uv simulate: 40/100 steps (40%); sharpness 2.5 (at step 30)", whileNested["uv simulate"]);
        Assert.Equal("sweep/p1/uv phase: 5/10 steps (50%)", whileNested["sweep/p1/uv phase"]);
        Assert.Equal(["uv simulate"], after.Keys);
        Assert.Contains("sharpness 2.5 (at step 30)", screen.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>A clock that moves only when told to.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
