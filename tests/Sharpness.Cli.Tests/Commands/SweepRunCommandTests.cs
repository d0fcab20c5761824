using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sharpness.Cli.Tests.Commands;

public class SweepRunCommandTests
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

    private static string WriteSpec(string text = Spec)
    {
        string path = Path.Combine(Path.GetTempPath(), $"sweep-{Guid.NewGuid():N}.toml");
        File.WriteAllText(path, text);
        return path;
    }

    private static Process Start(params string[] args) => CliRunner.Start(null, args);

    private static (int Code, string Output) RunProcess(params string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "the sweep did not finish in two minutes");
        return (process.ExitCode, output.Result + error.Result);
    }

    // Everything a run produced that must not depend on how or when it ran: data, configuration, results.
    private static SortedDictionary<string, string> Fingerprint(string results)
    {
        var fingerprint = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string run in Directory.GetDirectories(results))
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "manifest.json")))!;
            fingerprint[Path.GetFileName(run)] = File.ReadAllText(Path.Combine(run, "trajectory.csv"))
                + manifest["configuration"]!.ToJsonString() + manifest["results"]!.ToJsonString()
                + string.Join(',', Directory.GetFiles(run).Select(Path.GetFileName).Order());
        }

        return fingerprint;
    }

    [Fact]
    public void InProcessSweepRunsEveryPointAndARerunSkipsThem()
    {
        string results = CliRunner.NewTemporaryFolder();
        string spec = WriteSpec();

        var first = CliRunner.Run("sweep", "run", spec, "--out", results);
        var second = CliRunner.Run("sweep", "run", spec, "--out", results);

        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        Assert.Contains("summary: 24 done, 0 skipped, 0 failed", first.Output);
        Assert.Contains("summary: 0 done, 24 skipped, 0 failed", second.Output);
        Assert.Equal(24, Directory.GetDirectories(results).Length);
        Assert.All(Directory.GetDirectories(results), run => Assert.True(File.Exists(Path.Combine(run, "manifest.json"))));
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void ThreeConcurrentShardsGiveExactlyTheSingleProcessResult()
    {
        string spec = WriteSpec();
        string single = CliRunner.NewTemporaryFolder();
        string sharded = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, RunProcess("sweep", "run", spec, "--out", single).Code);

        var shards = Enumerable.Range(0, 3).Select(i => Start("sweep", "run", spec, "--out", sharded, "--shard", $"{i}/3")).ToArray();
        foreach (var shard in shards)
        {
            shard.StandardOutput.ReadToEnd();
            Assert.True(shard.WaitForExit(120_000));
            Assert.Equal(0, shard.ExitCode);
            shard.Dispose();
        }

        Assert.Equal(Fingerprint(single), Fingerprint(sharded));

        Assert.Equal(0, CliRunner.Run("sweep", "merge", single).ExitCode);
        Assert.Equal(0, CliRunner.Run("sweep", "merge", sharded).ExitCode);
        string[] merged = File.ReadAllLines(Path.Combine(sharded, "results.csv"));
        Assert.Equal(25, merged.Length);
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, "results.csv")), File.ReadAllBytes(Path.Combine(sharded, "results.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, "results.parquet")), File.ReadAllBytes(Path.Combine(sharded, "results.parquet")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(single, "trajectories.parquet")), File.ReadAllBytes(Path.Combine(sharded, "trajectories.parquet")));
    }

    [Fact]
    public void MergeReportsIncompleteRuns()
    {
        string results = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, CliRunner.Run("sweep", "run", WriteSpec(), "--out", results).ExitCode);
        string victim = Directory.GetDirectories(results).Order(StringComparer.Ordinal).First();
        File.Delete(Path.Combine(victim, "manifest.json"));

        var (code, output, _) = CliRunner.Run("sweep", "merge", results);

        Assert.Equal(0, code);
        Assert.Contains("merged 23 complete runs", output);
        Assert.Contains($"incomplete {Path.GetFileName(victim)}", output);
        Assert.Equal(24, File.ReadAllLines(Path.Combine(results, "results.csv")).Length);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void KilledAtAnyMomentAndResumedGivesTheUninterruptedResult()
    {
        string spec = WriteSpec();
        string reference = CliRunner.NewTemporaryFolder();
        string interrupted = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, RunProcess("sweep", "run", spec, "--out", reference).Code);

        foreach (int delay in new[] { 350, 900, 600, 1300 })
        {
            using var process = Start("sweep", "run", spec, "--out", interrupted);
            Thread.Sleep(delay);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        var (code, output) = RunProcess("sweep", "run", spec, "--out", interrupted);

        Assert.True(code == 0, output);
        Assert.Equal(Fingerprint(reference), Fingerprint(interrupted));
        Assert.Empty(Directory.GetFiles(interrupted, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task InterruptStopsAfterTheCurrentRunAndLeavesOnlyCompleteOrResumableRuns()
    {
        // Six runs long enough (10^5 steps at width 32768, a few seconds each) that an interrupt sent
        // when the first one is complete arrives while later ones run, however fast the machine is and
        // with the points run side by side (--jobs defaults to the cores; at width 4096 a run took about
        // half a second and a two-core machine once finished the sweep first); waiting for a complete
        // run (not a fixed delay) also means the handler is installed however slow the machine is.
        string spec = WriteSpec("""
            command = "uv simulate"
            [base]
            steps = 100000
            param = "mup"
            width = 32768
            [grid]
            lr_constant = [0.8, 1.9]
            seed = { range = [0, 3] }
            """);
        string results = CliRunner.NewTemporaryFolder();
        using var process = Start("sweep", "run", spec, "--out", results);
        var output = process.StandardOutput.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (!(Directory.Exists(results) && Directory.GetDirectories(results).Any(d => File.Exists(Path.Combine(d, "manifest.json")))) && waited.Elapsed < TimeSpan.FromSeconds(120))
        {
            Thread.Sleep(10);
        }

        // SIGTERM, handled as Ctrl-C is: a process started in the background by a script (scripts/test.sh runs the
        // test projects side by side, in the background) inherits an ignored SIGINT, which .NET then leaves ignored.
        using (var interrupt = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            interrupt.WaitForExit();
        }

        Assert.True(process.WaitForExit(60_000));
        string text = await output;

        Assert.Equal(130, process.ExitCode);
        Assert.Contains("interrupted: stopped", text);
        int complete = Directory.GetDirectories(results).Count(d => File.Exists(Path.Combine(d, "manifest.json")));
        Assert.InRange(complete, 1, 5);
        Assert.Contains($"summary: {complete} done", text);
        Assert.Equal(0, RunProcess("sweep", "run", spec, "--out", results).Code);
        Assert.Equal(6, Directory.GetDirectories(results).Count(d => File.Exists(Path.Combine(d, "manifest.json"))));
    }

    [Fact]
    public void EnvironmentShardIndexFromSlurmIsUsed()
    {
        string spec = WriteSpec();
        string results = CliRunner.NewTemporaryFolder();
        Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", "1");
        Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_COUNT", "4");
        try
        {
            var (code, output, _) = CliRunner.Run("sweep", "run", spec, "--out", results, "--dry-run");

            Assert.Equal(0, code);
            Assert.Contains("shard 1/4: 6 points", output);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", null);
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_COUNT", null);
        }
    }

    [Theory]
    [InlineData("command = \"uv simulate\"\n[grid]\nwidht = [1, 2]\n", "did you mean 'width'")]
    [InlineData("command = \"uv simulate\"\n[grid]\nwidth = []\n", "empty")]
    [InlineData("command = \"uv simulate\"\n[grid]\nwidth = [\"abc\"]\n", "width")]
    [InlineData("command = \"uv fixed-points\"\n[grid]\nr = [1, 2]\n", "cannot be swept")]
    [InlineData("command = \"uv nothing\"\n[grid]\nr = [1, 2]\n", "unknown command")]
    [InlineData("command = 3\n[grid]\nr = [1]\n", "command")]
    [InlineData("command = \"uv simulate\"\n[grid]\nwidth = [1]\n[gird]\n", "did you mean 'grid'")]
    public void MalformedSpecsExitWithTwo(string text, string expected)
    {
        string results = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run("sweep", "run", WriteSpec(text), "--out", results);

        Assert.True(code == 2, $"exit {code}: {output}{error}");
        Assert.False(Directory.Exists(results));
        Assert.Contains(expected, output + error);
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/3")]
    [InlineData("a/b")]
    [InlineData("1")]
    public void ShardOutOfRangeExitsWithTwo(string shard)
    {
        var (code, _, error) = CliRunner.Run("sweep", "run", WriteSpec(), "--out", CliRunner.NewTemporaryFolder(), "--shard", shard);

        Assert.Equal(2, code);
        Assert.Contains("--shard", error);
    }
}
