using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Tests.TestSupport;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;

namespace Sharpness.Experiments.Tests.Uv;

/// <summary><c>uv phase</c> with --jobs: the same cells whatever the jobs, and a physical diagram resumed from its journal.</summary>
public class UvPhaseJobsTests
{
    private static readonly UvPhaseOptions Physical = new()
    {
        Mode = PhaseMode.Physical,
        CMin = 0.5,
        CMax = 4.5,
        CPoints = 9,
        YValues = ["4", "16", "64"],
        Seeds = 3,
        Steps = 300,
    };

    private static string NewFolder() => Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(PhaseMode.Scaled)]
    [InlineData(PhaseMode.Physical)]
    public void EveryJobCountGivesTheSameCells(PhaseMode mode)
    {
        var options = mode == PhaseMode.Physical ? Physical : new UvPhaseOptions { CPoints = 12, RPoints = 9, Steps = 300 };

        var serial = UvPhaseExperiment.Run(options with { Jobs = 1 });
        var three = UvPhaseExperiment.Run(options with { Jobs = 3 });

        Assert.Equal((1, 3), (serial.Jobs.Used, three.Jobs.Used));
        Assert.Equal(serial.Categories, three.Categories);
        Assert.Equal(serial.Fractions, three.Fractions);
        Assert.Equal(serial.Labels, three.Labels);
    }

    [Fact]
    public void AnInterruptedPhysicalDiagramResumesFromItsJournalAndComputesOnlyTheRest()
    {
        string journal = Path.Combine(NewFolder(), UvPhaseWriter.JournalFile);
        var reference = UvPhaseExperiment.Run(Physical with { Jobs = 2 }, null, CancellationToken.None, journal);
        string[] lines = File.ReadAllLines(journal);
        Assert.Equal(28, lines.Length);

        // As a kill leaves it: the header, the cells finished so far (in finishing order), a line cut short.
        File.WriteAllText(journal, string.Join('\n', lines[..12]) + "\n" + lines[12][..4]);
        var recorder = new Recorder<ExperimentProgress>();
        var resumed = UvPhaseExperiment.Run(Physical with { Jobs = 2 }, recorder, CancellationToken.None, journal);

        Assert.Equal(11, resumed.ResumedCells);
        Assert.Equal(reference.Categories, resumed.Categories);
        Assert.Equal(reference.Fractions, resumed.Fractions);
        // Only the 16 unfinished cells were computed: each finished cell appends one line.
        Assert.Equal(28, File.ReadAllLines(journal).Length);
        Assert.Contains(recorder.Items, s => s.Message == "resumed 11 cells from an interrupted attempt");
    }

    [Fact]
    public void AJournalOfOtherOptionsIsNotUsed()
    {
        string journal = Path.Combine(NewFolder(), UvPhaseWriter.JournalFile);
        UvPhaseExperiment.Run(Physical with { Steps = 200 }, null, CancellationToken.None, journal);

        var other = UvPhaseExperiment.Run(Physical, null, CancellationToken.None, journal);

        Assert.Equal(0, other.ResumedCells);
        Assert.Equal(UvPhaseExperiment.Run(Physical).Categories, other.Categories);
    }

    [Fact]
    public void TheWriterRemovesTheJournalAndRecordsTheJobsInTheManifest()
    {
        string folder = NewFolder();
        var run = UvPhaseWriter.Prepare(folder);
        var result = UvPhaseExperiment.Run(Physical with { Jobs = 2 }, null, CancellationToken.None, UvPhaseWriter.Journal(run));

        UvPhaseWriter.Write(run, result);

        Assert.False(File.Exists(Path.Combine(folder, UvPhaseWriter.JournalFile)));
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, RunDirectory.ManifestFileName)))!;
        Assert.Equal(2, (int)manifest["execution"]!["jobs_used"]!);
        Assert.Equal(0, (int)manifest["execution"]!["resumed_cells"]!);
        Assert.True(RunDirectory.HoldsCompleteRun(folder));
    }
}
