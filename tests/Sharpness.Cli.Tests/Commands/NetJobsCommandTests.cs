using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>
/// --jobs on <c>net eos</c>, <c>net predict</c> and <c>net early-phase</c>, in processes of their own: the files of
/// --jobs 2 are those of --jobs 1 (apart from times: manifests' start and end, the seconds a run took, the command
/// line), every running job shows in the progress, and an <c>net eos</c> killed with SIGKILL redoes only the learning
/// rates it had not finished.
/// </summary>
public partial class NetJobsCommandTests
{
    private static readonly string[] Eos =
        ["net", "eos", "--dataset", "synthetic", "--train-size", "150", "--test-size", "0", "--width", "16", "--steps", "40", "--sharpness-every", "2", "--accuracy-goal", "1", "--lrs", "0.3,0.5,0.7"];

    private static readonly string[] Predict =
    [
        "net", "predict", "--dataset", "synthetic", "--train-size", "60", "--test-size", "0", "--steps", "6", "--sharpness-every", "1",
        "--late-steps", "14", "--late-window", "8", "--late-sharpness-every", "7", "--params", "sp,mup-out", "--widths", "4,8", "--lr-factors", "1,1.5",
    ];

    private static readonly string[] EarlyPhase =
    [
        "net", "early-phase", "--dataset", "synthetic", "--train-size", "40", "--depths", "2,3", "--widths", "8,16", "--seeds", "2",
        "--variants", "sp,zero-readout", "--c-min", "0.5", "--c-max", "32", "--x-step", "0.25", "--early-steps", "6", "--dtype", "float64",
    ];

    private static (int Code, string Output, string Error) RunProcess(params string[] args) => CliRunner.RunProcess(null, args);

    /// <summary>
    /// Every file under the folder, by relative path, with what measures time taken out: a manifest loses its times,
    /// its execution record, every "seconds" and the --jobs and --out of its arguments; a CSV file its "seconds"
    /// column; summary.md its command line and the run's seconds; a manifest the digests of those files. Everything
    /// else is compared byte for byte.
    /// </summary>
    private static SortedDictionary<string, string> Files(string folder, bool ignoreReuse = false)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var timed = new HashSet<string>(StringComparer.Ordinal);
        var manifests = new List<string>();
        foreach (string file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetRelativePath(folder, file);
            string fileName = Path.GetFileName(file);
            if (fileName == "manifest.json")
            {
                manifests.Add(file);
            }
            else if (fileName.EndsWith(".csv", StringComparison.Ordinal) && File.ReadLines(file).First().Split(',') is var header && header.Contains("seconds"))
            {
                int seconds = Array.IndexOf(header, "seconds");
                files[name] = string.Join('\n', File.ReadAllLines(file).Select(l => string.Join(',', l.Split(',').Where((_, k) => k != seconds))));
                timed.Add(name);
            }
            else if (fileName == "summary.md")
            {
                string text = File.ReadAllText(file);
                files[name] = Seconds().Replace(string.Join('\n', text.Split('\n').Where(l => !l.Contains("sharpness net ", StringComparison.Ordinal))), " N s.");
                timed.Add(name);
            }
            else if (fileName == ".sharpness.lock")
            {
                // Only its presence: a lock file holds its holder's process id until a clean release, so a run killed after
                // its manifest and before releasing its folder keeps the id of the dead process, which no result depends on.
                files[name] = "lock";
            }
            else
            {
                files[name] = Convert.ToBase64String(File.ReadAllBytes(file));
            }
        }

        foreach (string file in manifests)
        {
            var manifest = JsonNode.Parse(File.ReadAllText(file).Replace(folder, "OUT", StringComparison.Ordinal))!.AsObject();
            manifest.Remove("started_utc");
            manifest.Remove("finished_utc");
            manifest.Remove("execution");
            manifest.Remove("arguments");
            // The digests of the files that hold times (compared above without them) differ with the times.
            string here = Path.GetRelativePath(folder, Path.GetDirectoryName(file)!) is var relative && relative == "." ? string.Empty : relative;
            if (manifest["file_digests"] is JsonObject digests)
            {
                foreach (string name in timed.Where(t => Path.GetDirectoryName(t) == here))
                {
                    digests.Remove(Path.GetFileName(name));
                }
            }

            Strip(manifest, ignoreReuse);
            files[Path.GetRelativePath(folder, file)] = manifest.ToJsonString();
        }

        return files;
    }

    private static void AssertSameFiles(SortedDictionary<string, string> expected, SortedDictionary<string, string> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, content) in expected)
        {
            Assert.True(content == actual[name], $"{name} differs:\n{content}\n---\n{actual[name]}");
        }
    }

    [GeneratedRegex(@" [0-9]+ s\.")]
    private static partial Regex Seconds();

    private static void Strip(JsonNode? node, bool ignoreReuse)
    {
        if (node is JsonObject o)
        {
            o.Remove("seconds");
            if (ignoreReuse)
            {
                o.Remove("reused");
            }

            foreach (var (_, child) in o.ToList())
            {
                Strip(child, ignoreReuse);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var child in a)
            {
                Strip(child, ignoreReuse);
            }
        }
    }

    public static TheoryData<string> Commands => new() { "eos", "predict", "early-phase" };

    private static string[] Arguments(string command) => command switch
    {
        "eos" => Eos,
        "predict" => Predict,
        _ => EarlyPhase,
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void TwoJobsWriteTheFilesOfOneJobAndShowEveryRunningJob(string command)
    {
        string one = CliRunner.NewTemporaryFolder(), two = CliRunner.NewTemporaryFolder();

        var serial = RunProcess([.. Arguments(command), "--jobs", "1", "--out", one]);
        var parallel = RunProcess([.. Arguments(command), "--jobs", "2", "--out", two]);

        Assert.True(serial.Code == 0 && parallel.Code == 0, serial.Error + parallel.Error);
        Assert.Contains("jobs: 1 (--jobs 1)", serial.Output);
        Assert.Contains("jobs: 2 (--jobs 2)", parallel.Output);
        AssertSameFiles(Files(one), Files(two));
        // The progress of a log names each running job, and only when runs execute side by side.
        Assert.Contains("[job 1] ", parallel.Error);
        Assert.Contains("[job 2] ", parallel.Error);
        Assert.DoesNotContain("[job ", serial.Error);
        var execution = JsonNode.Parse(File.ReadAllText(Path.Combine(two, "manifest.json")))!["execution"]!;
        Assert.Equal((2, 2), ((int)execution["jobs_requested"]!, (int)execution["jobs_used"]!));
        Assert.True((double)execution["memory_per_run_bytes"]! > 0);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void AJobCountOutOfRangeOrBesideSeveralThreadsIsOneLineNamingJobsAndWritesNothing(string command)
    {
        foreach (string[] bad in new[] { new[] { "--jobs", "0" }, ["--jobs", "5000"], ["--jobs", "2", "--threads", "2"] })
        {
            string dir = Path.Combine(CliRunner.NewTemporaryFolder(), "run");

            var (code, _, error) = CliRunner.Run([.. Arguments(command), .. bad, "--out", dir]);

            Assert.Equal(2, code);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: --jobs: ", error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(dir));
        }
    }

    [Fact]
    public void SeveralThreadsPerRunMeanOneRunAtATimeByDefault()
    {
        string dir = CliRunner.NewTemporaryFolder();

        var (code, output, error) = CliRunner.Run([.. Eos, "--threads", "2", "--out", dir]);

        Assert.True(code == 0, error);
        Assert.Contains("jobs: 1 (default: one at a time, because the runs ask for --threads 2)", output);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void AnEdgeOfStabilityRunKilledOnTwoJobsRedoesOnlyTheLearningRatesItHadNotFinished()
    {
        string[] eos = ["net", "eos", "--dataset", "synthetic", "--train-size", "150", "--test-size", "0", "--width", "16", "--steps", "300", "--sharpness-every", "2", "--accuracy-goal", "1", "--lrs", "0.3,0.4,0.5,0.6"];
        string reference = CliRunner.NewTemporaryFolder(), killed = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, RunProcess([.. eos, "--jobs", "1", "--out", reference]).Code);

        using (var process = CliRunner.Start(null, [.. eos, "--jobs", "2", "--out", killed]))
        {
            _ = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (Complete(killed).Count < 1 && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                Thread.Sleep(10);
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        // Runs start in order on two jobs: when the first finished, at most the second had finished too.
        Assert.False(File.Exists(Path.Combine(killed, "manifest.json")));
        var finished = Complete(killed).ToDictionary(folder => folder, folder => File.ReadAllBytes(Path.Combine(folder, "manifest.json")));
        Assert.InRange(finished.Count, 1, 2);
        var (code, output, error) = RunProcess([.. eos, "--jobs", "2", "--out", killed]);

        Assert.True(code == 0, error);
        Assert.Equal(finished.Count, error.Split('\n').Count(l => l.Contains("reusing the finished run", StringComparison.Ordinal)));
        Assert.Contains("jobs: 2 (--jobs 2)", output);
        Assert.All(finished, f => Assert.Equal(f.Value, File.ReadAllBytes(Path.Combine(f.Key, "manifest.json"))));
        var runs = JsonNode.Parse(File.ReadAllText(Path.Combine(killed, "manifest.json")))!["results"]!["runs"]!.AsArray();
        Assert.Equal(finished.Count, runs.Count(r => (bool)r!["reused"]!));
        AssertSameFiles(Files(reference, ignoreReuse: true), Files(killed, ignoreReuse: true));
        Assert.Empty(Directory.GetFiles(killed, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ShardsSideBySideThenTheWholeCommandWriteTheFilesOfOneRun()
    {
        string reference = CliRunner.NewTemporaryFolder(), sharded = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, RunProcess([.. Eos, "--jobs", "1", "--out", reference]).Code);

        // Two processes, one per shard, on the same folder at once: shard 0 trains the learning rates 0.3 and 0.7, shard 1 trains 0.5.
        var shards = new[] { "0/2", "1/2" }.Select(part => CliRunner.Start(null, [.. Eos, "--jobs", "1", "--shard", part, "--out", sharded])).ToArray();
        var reads = shards.Select(p => (Output: p.StandardOutput.ReadToEndAsync(), Error: p.StandardError.ReadToEndAsync())).ToArray();
        var outputs = new List<(string Output, string Error)>();
        foreach (var (process, read) in shards.Zip(reads))
        {
            await process.WaitForExitAsync();
            string shardError = await read.Error;
            Assert.True(process.ExitCode == 0, shardError);
            outputs.Add((await read.Output, shardError));
            process.Dispose();
        }

        Assert.Contains("shard 0/2: eta-0.3, eta-0.7 in ", outputs[0].Output);
        Assert.Contains("shard 1/2: eta-0.5 in ", outputs[1].Output);
        // The shards write their learning rates' sub-folders and nothing else: no summary, no manifest.
        Assert.Equal(["eta-0.3", "eta-0.5", "eta-0.7"], Directory.GetDirectories(sharded).Select(Path.GetFileName).Order());
        Assert.Equal([".sharpness.lock"], Directory.GetFiles(sharded).Select(Path.GetFileName));

        var (code, output, error) = RunProcess([.. Eos, "--out", sharded]);

        Assert.True(code == 0, error);
        Assert.Equal(3, error.Split('\n').Count(l => l.Contains("reusing the finished run", StringComparison.Ordinal)));
        Assert.Contains("wrote eos.csv, summary.md", output);
        AssertSameFiles(Files(reference, ignoreReuse: true), Files(sharded, ignoreReuse: true));
    }

    [Fact]
    public void AShardWithoutALearningRateSaysSoAndTheWholeCommandIsRefusedOnAFinishedFolder()
    {
        string dir = CliRunner.NewTemporaryFolder();
        string[] oneRate = [.. Eos[..^1], "0.3"];

        var (code, output, error) = CliRunner.Run([.. oneRate, "--shard", "1/2", "--out", dir]);

        Assert.True(code == 0, error);
        Assert.Contains("shard 1/2: no learning rate (--lrs has fewer than the shards)", output);
        Assert.DoesNotContain("| η |", output);
        Assert.Equal([".sharpness.lock"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));

        // A shard on a finished experiment's folder is refused like any run there: one line naming --out, nothing written.
        Assert.Equal(0, CliRunner.Run([.. oneRate, "--out", dir]).ExitCode);
        var before = Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order().ToArray();
        var refused = CliRunner.Run([.. oneRate, "--shard", "0/2", "--out", dir]);
        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith("error: --out: ", refused.Error, StringComparison.Ordinal);
        Assert.Contains("already holds a run", refused.Error, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order());
    }

    [Fact]
    public void AShardOutOfRangeIsOneLineNamingShardAndWritesNothing()
    {
        foreach (string bad in new[] { "2/2", "1/0", "a/b", "-1/2" })
        {
            string dir = Path.Combine(CliRunner.NewTemporaryFolder(), "run");

            var (code, _, error) = CliRunner.Run([.. Eos, "--shard", bad, "--out", dir]);

            Assert.Equal(2, code);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("error: --shard: ", error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(dir));
        }
    }

    private static List<string> Complete(string folder) =>
        Directory.Exists(folder) ? [.. Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, "manifest.json")))] : [];
}
