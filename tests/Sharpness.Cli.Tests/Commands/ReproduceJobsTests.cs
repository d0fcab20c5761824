using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Progress;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>
/// <c>reproduce --jobs</c>: experiments side by side write the files of the reproduction that runs them one after
/// another (<see cref="QuickReproduction"/>, <c>--jobs 1</c>), report the progress of every running job, and stop
/// on cancellation leaving a folder the same command resumes.
/// </summary>
[Collection(QuickReproductionCollection.Name)]
[Trait("Category", "EndToEnd")]
public class ReproduceJobsTests(QuickReproduction reproduction)
{
    private static readonly string[] Quick = ["reproduce", "--quick", "--no-net"];

    // Every file under the folder by relative path: bytes, except that a manifest loses its start and end times, its
    // execution record, the --jobs of its arguments and every duration it reports ("seconds", "…_per_second"), and
    // the folder's own path reads as OUT.
    private static SortedDictionary<string, string> Files(string folder)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            string name = Path.GetRelativePath(folder, file).Replace('\\', '/');
            if (Path.GetFileName(file) != "manifest.json")
            {
                files[name] = Convert.ToBase64String(File.ReadAllBytes(file));
                continue;
            }

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
            RemoveDurations(manifest["results"]);
            files[name] = manifest.ToJsonString();
        }

        return files;
    }

    private static void RemoveDurations(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (string key in o.Select(p => p.Key).Where(k => k == "seconds" || k.EndsWith("_per_second", StringComparison.Ordinal)).ToList())
            {
                o.Remove(key);
            }

            foreach (var (_, value) in o)
            {
                RemoveDurations(value);
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var item in a)
            {
                RemoveDurations(item);
            }
        }
    }

    private static string[] RunNames(string folder) =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!["results"]!["runs"]!.AsArray().Select(r => (string)r!["name"]!)];

    private sealed class Recorder(Action<ExperimentProgress>? onReport = null) : IProgress<ExperimentProgress>
    {
        public ConcurrentQueue<ExperimentProgress> Snapshots { get; } = new();

        public void Report(ExperimentProgress value)
        {
            Snapshots.Enqueue(value);
            onReport?.Invoke(value);
        }
    }

    [Fact]
    public void TwoJobsWriteTheFilesOfOneJobAndReportEveryRunningJob()
    {
        string folder = CliRunner.NewTemporaryFolder();
        var progress = new Recorder();
        var output = new StringWriter();
        var error = new StringWriter();

        int code = Program.Run([.. Quick, "--jobs", "2", "--out", folder], output, error, progress, CancellationToken.None);

        Assert.True(code == 0, error.ToString());
        Assert.Equal(Files(reproduction.Folder), Files(folder));
        Assert.Equal(RunNames(reproduction.Folder), RunNames(folder));
        var execution = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!["execution"]!;
        Assert.Equal(2, (int)execution["jobs_requested"]!);
        Assert.Equal(2, (int)execution["jobs_used"]!);

        // The reproduction's own task counts the experiments; every other snapshot comes from a job and names its
        // experiment, which shows as running from its start to its end; both jobs ran experiments.
        var overall = progress.Snapshots.Where(s => s.Task == "reproduce").ToList();
        Assert.Equal(0, overall[0].Completed);
        Assert.Equal((14, 14), (overall[^1].Completed, overall[^1].Total!.Value));
        var running = progress.Snapshots.Where(s => s.Task != "reproduce").ToList();
        Assert.All(running, s => Assert.StartsWith("reproduce/", s.Task, StringComparison.Ordinal));
        Assert.Equal([1, 2], running.Select(s => s.Job).Distinct().Order());
        foreach (string name in RunNames(folder))
        {
            var own = running.Where(s => s.Task == "reproduce/" + name).ToList();
            Assert.Equal(2, own.Count);
            Assert.Equal(("running", 1L), (own[0].Message, own[1].Completed));
        }
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("14 of 14 experiments to run, 2 at a time (--jobs 2)", lines);
        Assert.All(RunNames(folder).Select((name, i) => $"[{i + 1}/14] {name}: done in "), prefix => Assert.Single(lines, l => l.StartsWith(prefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void CancelledOnTwoJobsItStopsWritingNoResultsAndTheSameCommandResumesIt()
    {
        string folder = CliRunner.NewTemporaryFolder();
        using var cancellation = new CancellationTokenSource();
        var error = new StringWriter();

        // Cancelled at the first snapshot of a run, while two experiments run.
        int code = Program.Run([.. Quick, "--jobs", "2", "--out", folder], new StringWriter(), error, new Recorder(_ => cancellation.Cancel()), cancellation.Token);

        Assert.Equal(130, code);
        Assert.Contains("interrupted: the running experiments stopped at a step boundary", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "manifest.json")));
        Assert.False(File.Exists(Path.Combine(folder, "claims.json")));
        int kept = Directory.GetDirectories(folder).Count(Runs.RunDirectory.HoldsCompleteRun);
        Assert.InRange(kept, 0, 13);

        var (again, _, againError) = CliRunner.Run([.. Quick, "--jobs", "2", "--out", folder]);

        Assert.True(again == 0, againError);
        Assert.Contains($"resuming the interrupted reproduction in {folder}: {kept} of 14 runs complete, kept", againError, StringComparison.Ordinal);
        Assert.Contains($"{14 - kept} of 14 experiments to run", againError, StringComparison.Ordinal);

        // Every run folder, the claims and the reports are the uninterrupted reproduction's; its own manifest says it resumed.
        var expected = Files(reproduction.Folder);
        var resumed = Files(folder);
        Assert.Equal(expected.Keys, resumed.Keys);
        Assert.All(expected.Keys.Where(k => k != "manifest.json"), k => Assert.True(expected[k] == resumed[k], $"{k} differs from the uninterrupted reproduction's"));
        Assert.Equal(RunNames(reproduction.Folder), RunNames(folder));
    }
}
