using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>
/// --jobs on <c>sweep run</c> and <c>uv phase</c> (and its range on <c>reproduce</c>), in processes of their own: the files of --jobs 2 are the bytes of
/// --jobs 1 (manifests apart from their times and execution record), and a process killed with SIGKILL resumes
/// doing only what it had not finished.
/// </summary>
public class JobsCommandTests
{
    private const string Spec = """
        command = "uv simulate"
        [base]
        steps = 60
        param = "mup"
        [grid]
        lr_constant = [0.8, 1.9, 2.6, 4.5]
        width = [16, 256]
        seed = { range = [0, 3] }
        """;

    private static readonly string[] Phase =
        ["uv", "phase", "--mode", "physical", "--y-values", "256,1024,4096", "--c-points", "60", "--seeds", "6", "--steps", "4000"];

    private static string WriteSpec()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sweep-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, Spec);
        return path;
    }

    private static Process Start(params string[] args)
    {
        var process = CliRunner.Start(null, args);
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static (int Code, string Output) RunProcess(params string[] args)
    {
        var (code, output, _) = CliRunner.RunProcess(null, args);
        return (code, output);
    }

    // Every file under the folder, by relative path: bytes, except that a manifest loses its times, its execution
    // record and the --jobs of its arguments, and the folder's own path (which its arguments name) reads as OUT.
    private static SortedDictionary<string, string> Files(string folder)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetRelativePath(folder, file);
            if (Path.GetFileName(file) == "manifest.json")
            {
                var manifest = JsonNode.Parse(File.ReadAllText(file).Replace(folder, "OUT", StringComparison.Ordinal))!.AsObject();
                manifest.Remove("started_utc");
                manifest.Remove("finished_utc");
                manifest.Remove("execution");
                var arguments = manifest["arguments"]!.AsArray().Select(a => (string)a!).ToList();
                int jobs = arguments.IndexOf("--jobs");
                if (jobs >= 0)
                {
                    arguments.RemoveRange(jobs, 2);
                }

                manifest["arguments"] = new JsonArray([.. arguments.Select(a => (JsonNode?)JsonValue.Create(a))]);
                files[name] = manifest.ToJsonString();
            }
            else if (Path.GetFileName(file) == Runs.Safety.FolderLock.FileName)
            {
                // Only its presence: a lock file holds its holder's process id until a clean release, so a run killed after
                // its manifest and before releasing its folder keeps the id of the dead process, which no result depends on.
                files[name] = "lock";
            }
            else if (Path.GetFileName(file) != "sweep-run.json")
            {
                files[name] = Convert.ToBase64String(File.ReadAllBytes(file));
            }
        }

        return files;
    }

    private static IEnumerable<string> PointLines(string output) =>
        output.Split('\n').Where(l => l.StartsWith('[')).Select(l => l.Split(" (eta", 2)[0]);

    [Fact]
    public void ASweepOnTwoJobsWritesTheBytesOfOneJobAndReportsInPointOrder()
    {
        string spec = WriteSpec();
        string one = CliRunner.NewTemporaryFolder(), two = CliRunner.NewTemporaryFolder();

        var serial = RunProcess("sweep", "run", spec, "--out", one, "--jobs", "1");
        var parallel = RunProcess("sweep", "run", spec, "--out", two, "--jobs", "2");

        Assert.True(serial.Code == 0 && parallel.Code == 0, serial.Output + parallel.Output);
        Assert.Contains("jobs: 2 (--jobs 2)", parallel.Output);
        Assert.Equal(24, Directory.GetDirectories(two).Length);
        Assert.Equal(Files(one), Files(two));
        Assert.Equal(PointLines(serial.Output), PointLines(parallel.Output));
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(two, "sweep-run.json")))!;
        Assert.Equal(2, (int)record["execution"]!["jobs_requested"]!);
        Assert.Equal(2, (int)record["execution"]!["jobs_used"]!);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void ASweepKilledOnTwoJobsRedoesOnlyItsUnfinishedRuns()
    {
        string spec = WriteSpec();
        string reference = CliRunner.NewTemporaryFolder(), killed = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, RunProcess("sweep", "run", spec, "--out", reference, "--jobs", "1").Code);

        using (var process = Start("sweep", "run", spec, "--out", killed, "--jobs", "2"))
        {
            var clock = Stopwatch.StartNew();
            while (Complete(killed).Count < 6 && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                Thread.Sleep(20);
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        var finished = Complete(killed).ToDictionary(folder => folder, folder => File.ReadAllBytes(Path.Combine(folder, "manifest.json")));
        Assert.InRange(finished.Count, 6, 23);
        var (code, output) = RunProcess("sweep", "run", spec, "--out", killed, "--jobs", "2");

        Assert.True(code == 0, output);
        Assert.Contains($"summary: {24 - finished.Count} done, {finished.Count} skipped, 0 failed", output);
        Assert.All(finished, f => Assert.Equal(f.Value, File.ReadAllBytes(Path.Combine(f.Key, "manifest.json"))));
        Assert.Equal(Files(reference), Files(killed));
        Assert.Empty(Directory.GetFiles(killed, "*.partial", SearchOption.AllDirectories));
    }

    private static List<string> Complete(string results) =>
        Directory.Exists(results) ? [.. Directory.GetDirectories(results).Where(d => File.Exists(Path.Combine(d, "manifest.json")))] : [];

    [Fact]
    public void APhysicalPhaseDiagramOnTwoJobsWritesTheBytesOfOneJob()
    {
        string one = CliRunner.NewTemporaryFolder(), two = CliRunner.NewTemporaryFolder();
        string[] small = ["uv", "phase", "--mode", "physical", "--y-values", "8,64", "--c-points", "20", "--seeds", "3", "--steps", "600"];

        var serial = RunProcess([.. small, "--jobs", "1", "--out", one]);
        var parallel = RunProcess([.. small, "--jobs", "2", "--out", two]);

        Assert.True(serial.Code == 0 && parallel.Code == 0, serial.Output + parallel.Output);
        Assert.Equal(Files(one), Files(two));
        Assert.Equal([Runs.Safety.FolderLock.FileName, "manifest.json", "phase.csv", "phase.png", "phase.svg"], Directory.GetFiles(two).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(0, new FileInfo(Path.Combine(two, Runs.Safety.FolderLock.FileName)).Length);
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(two, "manifest.json")))!;
        Assert.Equal(2, (int)manifest["execution"]!["jobs_used"]!);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void APhysicalPhaseDiagramKilledPartWayComputesOnlyTheCellsItHadNotFinished()
    {
        string reference = CliRunner.NewTemporaryFolder(), killed = CliRunner.NewTemporaryFolder();
        string journal = Path.Combine(killed, "phase.journal");
        Assert.Equal(0, RunProcess([.. Phase, "--jobs", "2", "--out", reference]).Code);

        using (var process = Start([.. Phase, "--jobs", "2", "--out", killed]))
        {
            var clock = Stopwatch.StartNew();
            while (Lines(journal) < 30 && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                Thread.Sleep(10);
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        Assert.False(File.Exists(Path.Combine(killed, "manifest.json")), "the diagram finished before it was killed; the test needs a larger one");
        int finished = Lines(journal);
        Assert.InRange(finished, 30, 179);
        var (code, output) = RunProcess([.. Phase, "--jobs", "2", "--out", killed]);

        Assert.True(code == 0, output);
        Assert.Contains($"{finished} cells resumed from an interrupted attempt", output);
        Assert.Equal(Files(reference), Files(killed));
        Assert.False(File.Exists(journal));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("5000")]
    public void AJobCountOutOfRangeIsOneLineNamingTheOptionAndWritesNothing(string jobs)
    {
        string sweep = CliRunner.NewTemporaryFolder(), phase = CliRunner.NewTemporaryFolder(), reproduce = CliRunner.NewTemporaryFolder();

        var fromSweep = CliRunner.Run("sweep", "run", WriteSpec(), "--out", sweep, "--jobs", jobs);
        var fromPhase = CliRunner.Run("uv", "phase", "--jobs", jobs, "--out", phase);
        var fromReproduce = CliRunner.Run("reproduce", "--quick", "--no-net", "--jobs", jobs, "--out", reproduce);

        foreach (var (code, _, error) in new[] { fromSweep, fromPhase, fromReproduce })
        {
            Assert.Equal(2, code);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: --jobs: ", error, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(sweep));
        Assert.False(Directory.Exists(phase));
        Assert.False(Directory.Exists(reproduce));
    }

    // Complete lines of the journal after its header: the cells it records as finished.
    private static int Lines(string journal)
    {
        try
        {
            string text = File.Exists(journal) ? File.ReadAllText(journal) : string.Empty;
            return Math.Max(0, text.Count(c => c == '\n') - 1);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
