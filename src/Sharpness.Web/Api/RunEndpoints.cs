using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sharpness.Web.Assets;
using Sharpness.Web.Runs;
using Sharpness.Web.Security;

namespace Sharpness.Web.Api;

/// <summary>The endpoints over the runs folder under <c>/api/runs</c>: listing, manifests, data, tables, files and following.</summary>
internal static class RunEndpoints
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static void Map(IEndpointRouteBuilder app, RunPaths paths, RunCatalog catalog, CsvCache cache, StreamSlots slots, ExplorerLimits limits)
    {
        app.MapGet("/api/runs", (HttpRequest request) =>
        {
            _ = new QueryParameters(request);
            return Results.Json(catalog.List(), ApiJson.Options);
        });
        app.MapGet("/api/runs/run", (HttpRequest request) =>
        {
            var q = new QueryParameters(request, "run");
            string folder = paths.Resolve(q.Required("run"));
            var entry = catalog.Get(folder);
            return Results.Json(new { run = entry, manifest = RunCatalog.ReadManifest(folder) }, ApiJson.Options);
        });
        app.MapGet("/api/runs/data", (HttpRequest request) =>
        {
            var q = new QueryParameters(request, "run", "file", "x", "columns", "x_min", "x_max", "max_points");
            string path = FileIn(paths, q, limits, ".csv");
            string x = q.Text("x") ?? "step";
            var columns = (q.Text("columns") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (columns.Length > 64)
            {
                throw ApiException.BadRequest("columns: at most 64 columns at once.");
            }

            double? xMin = q.OptionalNumber("x_min");
            double? xMax = q.OptionalNumber("x_max");
            int maxPoints = q.Integer("max_points", 2000, 2, limits.MaxDataPoints);
            return Results.Json(CsvSeries.Select(cache.Get(path), x, columns, xMin, xMax, maxPoints), ApiJson.Options);
        });
        app.MapGet("/api/runs/table", (HttpRequest request) =>
        {
            var q = new QueryParameters(request, "run", "file", "limit");
            string path = FileIn(paths, q, limits, ".csv");
            int limit = q.Integer("limit", 10_000, 1, limits.MaxTableRows);
            return Results.Json(CsvText.Read(path, limit), ApiJson.Options);
        });
        app.MapGet("/api/runs/file", async (HttpContext context) =>
        {
            var q = new QueryParameters(context.Request, "run", "file");
            string path = FileIn(paths, q, limits, null);
            var response = context.Response;
            response.ContentType = EmbeddedAssets.ContentType(path);
            // A run folder may hold anything (an SVG or HTML file with scripts): shown, never run with the page's rights.
            response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'";
            await response.SendFileAsync(path, context.RequestAborted).ConfigureAwait(false);
        });
        app.MapGet("/api/runs/follow", async (HttpContext context) =>
        {
            var q = new QueryParameters(context.Request, "run");
            string run = q.Required("run");
            string folder = paths.Resolve(run);
            if (!Directory.Exists(folder))
            {
                throw ApiException.NotFound("no run there.");
            }

            await FollowAsync(context, slots, run, folder).ConfigureAwait(false);
        });
    }

    /// <summary>A file of a run folder: the run resolved inside the runs folder, the file a plain name in it (else 404), not too large.</summary>
    private static string FileIn(RunPaths paths, QueryParameters q, ExplorerLimits limits, string? extension)
    {
        string folder = paths.Resolve(q.Required("run"));
        string name = q.Required("file");
        if (name.Contains('/'))
        {
            throw ApiException.NotFound();
        }

        string path = paths.Resolve(paths.Relative(folder) is { Length: > 0 } relative ? relative + "/" + name : name);
        if (!File.Exists(path))
        {
            throw ApiException.NotFound($"no file '{QueryParameters.Short(name)}' in that run.");
        }

        if (extension is not null && !path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
        {
            throw ApiException.BadRequest($"file: expected a {extension} file, got '{QueryParameters.Short(name)}'.");
        }

        if (new FileInfo(path).Length > limits.MaxFileBytes)
        {
            throw ApiException.BadRequest($"file: larger than the bound of {limits.MaxFileBytes} bytes.");
        }

        return path;
    }

    private static async Task FollowAsync(HttpContext context, StreamSlots slots, string run, string folder)
    {
        var cancel = context.RequestAborted;
        var (stream, slot) = await EventStream.StartAsync(context, slots).ConfigureAwait(false);
        using (slot)
        {
            var follower = new RunFollower(folder);
            var clock = Stopwatch.StartNew();
            var sincePing = Stopwatch.StartNew();
            var latest = new Dictionary<string, (double Value, long Step)>(StringComparer.Ordinal);
            try
            {
                while (!cancel.IsCancellationRequested)
                {
                    bool complete = follower.IsComplete;
                    var (newColumns, rows) = follower.Poll();
                    if (newColumns)
                    {
                        await stream.SendAsync("columns", new { run, columns = follower.Columns }, cancel).ConfigureAwait(false);
                    }

                    if (rows.Count > 0)
                    {
                        await stream.SendAsync("rows", new { run, rows }, cancel).ConfigureAwait(false);
                        Remember(follower.Columns!, rows, latest);
                        await stream.SendAsync("progress", follower.Snapshot("follow/" + run, rows[^1], clock.Elapsed, latest), cancel).ConfigureAwait(false);
                        sincePing.Restart();
                    }

                    if (complete && rows.Count == 0)
                    {
                        await stream.SendAsync("done", new { run, status = "complete", rows = follower.Rows }, cancel).ConfigureAwait(false);
                        return;
                    }

                    if (sincePing.Elapsed >= EventStream.KeepAlive)
                    {
                        await stream.PingAsync(cancel).ConfigureAwait(false);
                        sincePing.Restart();
                    }

                    await Task.Delay(PollInterval, cancel).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
            }
        }
    }

    private static void Remember(IReadOnlyList<string> columns, IReadOnlyList<double[]> rows, Dictionary<string, (double Value, long Step)> latest)
    {
        int step = columns.ToList().IndexOf("step");
        foreach (var row in rows)
        {
            for (int i = 0; i < Math.Min(columns.Count, row.Length); i++)
            {
                if (double.IsFinite(row[i]))
                {
                    latest[columns[i]] = (row[i], step >= 0 && step < row.Length ? (long)row[step] : 0);
                }
            }
        }
    }
}
