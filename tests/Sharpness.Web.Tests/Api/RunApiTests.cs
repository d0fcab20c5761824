using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Web.Tests.TestSupport;

namespace Sharpness.Web.Tests.Api;

public sealed class RunApiTests : IAsyncLifetime
{
    private readonly TempFolder _runs = new();
    private InMemoryExplorer _server = null!;

    public Task InitializeAsync()
    {
        // A long oscillating series: thinning must keep every bucket's extremes.
        var rows = Enumerable.Range(0, 20_001).Select(t => (IReadOnlyList<double>)[t, Math.Sin(t * 0.37) + (t == 12_345 ? 50 : 0), t % 7 == 0 ? double.NaN : 1.0 / (t + 1)]).ToList();
        RunFolders.Write(_runs.Path, "uv/a", "uv simulate", "trajectory.csv", ["step", "lr_sharpness", "loss"], rows,
            new JsonObject { ["width"] = 100 }, new JsonObject { ["labels"] = new JsonArray("catapult"), ["outcome"] = "converged" });
        RunFolders.Write(_runs.Path, "eos", "net eos", "eos.csv", ["lr", "reached"], [[0.1, 1]]);
        RunFolders.Write(_runs.Path, "eos/eta-0.1", "net train", "metrics.csv", ["step", "loss", "sharpness"], [[0, 1, double.NaN], [1, 0.5, 3]], new JsonObject { ["lr"] = 0.1 });
        RunFolders.Write(_runs.Path, "partial", "net train", "metrics.csv", ["step", "loss"], [[0, 1]], complete: false);
        Directory.CreateDirectory(_runs.Combine("sweep"));
        File.WriteAllText(_runs.Combine("sweep", "results.csv"), "run,command,config.width,result.note\nw=1,uv simulate,1,\"a, quoted \"\"note\"\"\"\nw=2,uv simulate,2,plain\n");
        Directory.CreateDirectory(_runs.Combine(".hidden", "x"));
        File.WriteAllText(_runs.Combine(".hidden", "x", "manifest.json"), "{\"complete\": true}");
        _server = new InMemoryExplorer(_runs.Path);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _runs.Dispose();
    }

    [Fact]
    public async Task ListingFindsEveryKindOfRunWithItsParent()
    {
        var (status, body) = await _server.GetJsonAsync("/api/runs");
        Assert.Equal(200, status);
        var runs = body.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("path").GetString()!);
        Assert.Equal(["eos", "eos/eta-0.1", "partial", "sweep", "uv/a"], runs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("uv", runs["uv/a"].GetProperty("kind").GetString());
        Assert.Equal("complete", runs["uv/a"].GetProperty("status").GetString());
        Assert.Equal("catapult", runs["uv/a"].GetProperty("results").GetProperty("labels").GetString());
        Assert.Equal("eos", runs["eos"].GetProperty("kind").GetString());
        Assert.Equal("eos", runs["eos/eta-0.1"].GetProperty("parent").GetString());
        Assert.Equal("running", runs["partial"].GetProperty("status").GetString());
        Assert.Equal("sweep", runs["sweep"].GetProperty("kind").GetString());
        Assert.False(body.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task ThinnedDataKeepEveryBucketsExtremesAndZoomGivesEveryRow()
    {
        var (status, body) = await _server.GetJsonAsync("/api/runs/data?run=uv/a&file=trajectory.csv&columns=lr_sharpness&max_points=500");
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("downsampled").GetBoolean());
        Assert.Equal(20_001, body.GetProperty("rows_total").GetInt32());
        var steps = body.GetProperty("columns").GetProperty("step").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var values = body.GetProperty("columns").GetProperty("lr_sharpness").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.True(steps.Length <= 500);
        Assert.Equal(0, steps[0]);
        Assert.Equal(20_000, steps[^1]);
        Assert.True(steps.Zip(steps.Skip(1)).All(p => p.First < p.Second));
        // The spike survives thinning, and every value is the file's value at its step.
        Assert.Contains(12_345.0, steps);
        for (int i = 0; i < steps.Length; i++)
        {
            int t = (int)steps[i];
            Assert.Equal(Math.Sin(t * 0.37) + (t == 12_345 ? 50 : 0), values[i]);
        }

        var (_, zoom) = await _server.GetJsonAsync("/api/runs/data?run=uv/a&file=trajectory.csv&columns=lr_sharpness,loss&x_min=100&x_max=399&max_points=500");
        Assert.False(zoom.GetProperty("downsampled").GetBoolean());
        var zoomSteps = zoom.GetProperty("columns").GetProperty("step").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(Enumerable.Range(100, 300).Select(t => (double)t), zoomSteps);
        // NaN cells (not measured) come back as null.
        Assert.Equal(JsonValueKind.Null, zoom.GetProperty("columns").GetProperty("loss")[5].ValueKind);
    }

    [Fact]
    public async Task TablesReadQuotedCellsAndManifestsComeWithTheRun()
    {
        var (status, table) = await _server.GetJsonAsync("/api/runs/table?run=sweep&file=results.csv");
        Assert.Equal(200, status);
        Assert.Equal("a, quoted \"note\"", table.GetProperty("rows")[0][3].GetString());
        var (_, run) = await _server.GetJsonAsync("/api/runs/run?run=eos/eta-0.1");
        Assert.Equal("net train", run.GetProperty("manifest").GetProperty("command").GetString());
        Assert.Equal(0.1, run.GetProperty("manifest").GetProperty("configuration").GetProperty("lr").GetDouble());
    }

    [Fact]
    public async Task FilesAreServedWithTheirTypeAndSandboxed()
    {
        using var response = await _server.Client.GetAsync("/api/runs/file?run=uv/a&file=manifest.json");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("sandbox", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using var missing = await _server.Client.GetAsync("/api/runs/file?run=uv/a&file=nothing.png");
        Assert.Equal(404, (int)missing.StatusCode);
        var (status, error) = await _server.GetJsonAsync("/api/runs/data?run=uv/a&file=trajectory.csv&columns=nope");
        Assert.Equal(400, status);
        Assert.StartsWith("columns: the file has no column 'nope'", error.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FollowingARunStreamsRowsAsTheyAreAppendedThenEndsWhenComplete()
    {
        string folder = _runs.Combine("follow-me");
        Directory.CreateDirectory(folder);
        string partial = Path.Combine(folder, "metrics.csv.partial");
        File.WriteAllText(partial, "step,loss,sharpness\n0,1,nan\n");
        using var response = await _server.Client.GetAsync("/api/runs/follow?run=follow-me", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var rows = new List<double[]>();
        string? columns = null;
        var writer = Task.Run(async () =>
        {
            for (int t = 1; t <= 5; t++)
            {
                await Task.Delay(150);
                File.AppendAllText(partial, FormattableString.Invariant($"{t},{1.0 / (t + 1)},{t * 0.5}\n"));
            }

            // The run ends as every run folder does: the partial file renamed, the manifest last.
            File.Move(partial, Path.Combine(folder, "metrics.csv"));
            RunFolders.Write(_runs.Path, "follow-me-manifest-source", "net train", "x.csv", ["a"], [[1]]);
            File.Copy(_runs.Combine("follow-me-manifest-source", "manifest.json"), Path.Combine(folder, "manifest.json"));
        });
        string? eventName = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonDocument.Parse(line[6..]).RootElement;
                if (eventName == "columns")
                {
                    columns = string.Join(',', data.GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
                }
                else if (eventName == "rows")
                {
                    rows.AddRange(data.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble()).ToArray()));
                }
                else if (eventName == "done")
                {
                    break;
                }
            }
        }

        await writer;
        Assert.Equal("step,loss,sharpness", columns);
        // Every row once, in order, although the file was read in pieces and then replaced.
        Assert.Equal([0, 1, 2, 3, 4, 5], rows.Select(r => r[0]));
        Assert.Equal(2.5, rows[^1][2]);
    }
}
