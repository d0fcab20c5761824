using System.Text.Json;
using Sharpness.Web.Tests.TestSupport;
using Sharpness.Web.Training;

namespace Sharpness.Web.Tests.Training;

public sealed class LiveTrainingTests : IAsyncLifetime
{
    private readonly TempFolder _runs = new();
    private InMemoryExplorer _server = null!;

    public Task InitializeAsync()
    {
        _server = new InMemoryExplorer(_runs.Path);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _runs.Dispose();
    }

    private async Task<TrainingJob> WaitAsync(int id, Func<TrainingJob, bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            var job = _server.Queue.Get(id);
            if (condition(job))
            {
                return job;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"job {id} did not get there: {_server.Queue.Get(id).State}");
    }

    [Fact]
    public async Task AStartedRunWritesTheFolderNetTrainWritesForTheSameArguments()
    {
        var (status, body) = await _server.PostJsonAsync("/api/jobs", new { dataset = "synthetic", train_size = 64, test_size = 0, width = 16, lr = 0.5, steps = 40, sharpness_every = 5, name = "same" });
        Assert.Equal(202, status);
        int id = body.GetProperty("job").GetProperty("id").GetInt32();
        var job = await WaitAsync(id, j => j.IsOver);
        Assert.Equal(JobState.Finished, job.State);

        string folder = _runs.Combine("live", "same");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        Assert.True(manifest.RootElement.GetProperty("complete").GetBoolean());
        Assert.False(File.Exists(Path.Combine(folder, "metrics.csv.partial")));

        // Second path: the command line recorded in the manifest, run by the CLI, writes the same metrics.csv.
        string[] arguments = [.. manifest.RootElement.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!), "--out", _runs.Combine("cli")];
        int exit = Sharpness.Cli.Program.Run(arguments, TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, exit);
        Assert.Equal(File.ReadAllBytes(_runs.Combine("cli", "metrics.csv")), File.ReadAllBytes(Path.Combine(folder, "metrics.csv")));

        // The job's stream carried every row, in order, with the progress of the run.
        var rows = job.EventsFrom(0).Events.Where(e => e.Name == "row").ToList();
        Assert.Equal(41, rows.Count);
        var last = job.EventsFrom(0).Events.Last(e => e.Name == "progress").Data as Sharpness.Experiments.Progress.ExperimentProgress;
        Assert.Equal(40, last!.Completed);
        Assert.Equal(40, last.Total);
        Assert.Contains(last.Metrics, m => m.Name == "sharpness");
    }

    [Fact]
    public async Task ARunningJobCanBeCancelledAndTheNextOneWaitsItsTurn()
    {
        var (_, first) = await _server.PostJsonAsync("/api/jobs", new { dataset = "synthetic", train_size = 64, test_size = 0, width = 16, lr = 0.5, steps = 100_000, sharpness_every = 0, name = "long" });
        var (_, second) = await _server.PostJsonAsync("/api/jobs", new { dataset = "synthetic", train_size = 64, test_size = 0, width = 16, lr = 0.5, steps = 20, sharpness_every = 0, name = "next" });
        int firstId = first.GetProperty("job").GetProperty("id").GetInt32();
        int secondId = second.GetProperty("job").GetProperty("id").GetInt32();
        Assert.Equal(1, second.GetProperty("position").GetInt32());

        await WaitAsync(firstId, j => j.EventsFrom(0).Events.Count(e => e.Name == "row") >= 20);
        Assert.Equal(JobState.Queued, _server.Queue.Get(secondId).State);
        var (status, _) = await _server.PostJsonAsync($"/api/jobs/{firstId}/cancel", null);
        Assert.Equal(200, status);

        var cancelled = await WaitAsync(firstId, j => j.IsOver);
        Assert.Equal(JobState.Cancelled, cancelled.State);
        var next = await WaitAsync(secondId, j => j.IsOver);
        Assert.Equal(JobState.Finished, next.State);
        Assert.True(next.Started >= cancelled.Finished);

        // The cancelled run keeps its data up to the cancellation, labelled.
        string folder = _runs.Combine("live", "long");
        int lines = File.ReadAllLines(Path.Combine(folder, "metrics.csv")).Length;
        Assert.InRange(lines, 21, 100_000);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        Assert.Equal("Cancelled", manifest.RootElement.GetProperty("results").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task TheEosPresetTrainsEachLearningRateAsItsOwnRun()
    {
        var (status, body) = await _server.PostJsonAsync("/api/jobs", new { kind = "eos", dataset = "synthetic", train_size = 64, test_size = 0, width = 16, lrs = new[] { 0.2, 0.4 }, steps = 10, sharpness_every = 5, name = "eos" });
        Assert.Equal(202, status);
        var job = await WaitAsync(body.GetProperty("job").GetProperty("id").GetInt32(), j => j.IsOver);
        Assert.Equal(JobState.Finished, job.State);
        foreach (var (folder, lr) in new[] { ("eta-0.2", 0.2), ("eta-0.4", 0.4) })
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(_runs.Combine("live", "eos", folder, "manifest.json")));
            Assert.Equal(lr, manifest.RootElement.GetProperty("configuration").GetProperty("lr").GetDouble());
            Assert.Equal("eos", manifest.RootElement.GetProperty("configuration").GetProperty("preset").GetString());
            // The preset's defaults apply: its accuracy goal and the network of Cohen et al. (width given here).
            Assert.Equal(0.99, manifest.RootElement.GetProperty("configuration").GetProperty("accuracy_goal").GetDouble());
        }

        Assert.Equal(2, job.EventsFrom(0).Events.Count(e => e.Name == "run"));

        // The job is a net eos run: its summary table and manifest, as the command writes them for the same options.
        string eos = _runs.Combine("live", "eos");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(eos, "manifest.json")));
        Assert.Equal("net eos", summary.RootElement.GetProperty("command").GetString());
        Assert.Equal(3, File.ReadAllLines(Path.Combine(eos, "eos.csv")).Length);
        Assert.True(File.Exists(Path.Combine(eos, "summary.md")));
        string[] arguments = [.. summary.RootElement.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!), "--out", _runs.Combine("cli-eos")];
        int exit = Sharpness.Cli.Program.Run(arguments, TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, exit);
        Assert.Equal(File.ReadAllBytes(_runs.Combine("cli-eos", "eos.csv")), File.ReadAllBytes(Path.Combine(eos, "eos.csv")));
        Assert.Equal(File.ReadAllBytes(_runs.Combine("cli-eos", "eta-0.4", "metrics.csv")), File.ReadAllBytes(Path.Combine(eos, "eta-0.4", "metrics.csv")));
    }

    [Fact]
    public async Task AWaitingJobCancelledNeverStarts()
    {
        var runner = new BlockingRunner();
        await using var server = new InMemoryExplorer(_runs.Path, runner: runner);
        await server.PostJsonAsync("/api/jobs", new { dataset = "synthetic", name = "holds" });
        await runner.Started.WaitAsync(TimeSpan.FromSeconds(30));
        var (taken, error) = await server.PostJsonAsync("/api/jobs", new { dataset = "synthetic", name = "holds" });
        Assert.Equal(409, taken);
        var (_, waiting) = await server.PostJsonAsync("/api/jobs", new { dataset = "synthetic", name = "never" });
        int id = waiting.GetProperty("job").GetProperty("id").GetInt32();
        await server.PostJsonAsync($"/api/jobs/{id}/cancel", null);
        runner.Release();
        Assert.Equal(JobState.Cancelled, server.Queue.Get(id).State);
        Assert.Null(server.Queue.Get(id).Started);
        Assert.StartsWith("name: the run folder 'live/holds'", error.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
