using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sharpness.Web.Training;

namespace Sharpness.Web.Api;

/// <summary>The live-training endpoints under <c>/api/jobs</c>: submit (POST), list, one job, its event stream, cancel (POST).</summary>
internal static class JobEndpoints
{
    public static void Map(IEndpointRouteBuilder app, TrainingQueue queue, StreamSlots slots, ExplorerLimits limits, string? dataDirectory)
    {
        app.MapPost("/api/jobs", async (HttpContext context) =>
        {
            _ = new QueryParameters(context.Request);
            using var body = await ReadBodyAsync(context, limits.MaxRequestBodyBytes).ConfigureAwait(false);
            var request = TrainingRequest.Parse(body.RootElement);
            string dataset = dataDirectory ?? "/usr/share/datasets/fashion-mnist";
            if (request.Dataset == "fashion-mnist" && !Directory.Exists(dataset))
            {
                throw ApiException.BadRequest($"dataset: Fashion-MNIST is not installed at {dataset} (apt-get install dataset-fashion-mnist, or start the server with --data-dir); choose synthetic.");
            }

            var job = queue.Submit(request);
            return Results.Json(new { job = job.Summary(), position = queue.Position(job) }, ApiJson.Options, statusCode: StatusCodes.Status202Accepted);
        });
        app.MapGet("/api/jobs", (HttpRequest request) =>
        {
            _ = new QueryParameters(request);
            return Results.Json(new { jobs = queue.Jobs.Select(j => j.Summary()) }, ApiJson.Options);
        });
        app.MapGet("/api/jobs/{id:int}", (HttpRequest request, int id) =>
        {
            _ = new QueryParameters(request);
            return Results.Json(queue.Get(id).Summary(), ApiJson.Options);
        });
        app.MapPost("/api/jobs/{id:int}/cancel", (HttpRequest request, int id) =>
        {
            _ = new QueryParameters(request);
            return Results.Json(queue.Cancel(id).Summary(), ApiJson.Options);
        });
        app.MapGet("/api/jobs/{id:int}/events", async (HttpContext context, int id) =>
        {
            _ = new QueryParameters(context.Request);
            var job = queue.Get(id);
            await StreamAsync(context, job, slots).ConfigureAwait(false);
        });
    }

    /// <summary>Reads a JSON body of at most <paramref name="maxBytes"/> bytes (413 beyond, 400 when it is not JSON).</summary>
    private static async Task<JsonDocument> ReadBodyAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
        {
            throw new ApiException(413, $"body: larger than the bound of {maxBytes} bytes.");
        }

        using var memory = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            memory.Write(buffer, 0, read);
            if (memory.Length > maxBytes)
            {
                throw new ApiException(413, $"body: larger than the bound of {maxBytes} bytes.");
            }
        }

        try
        {
            return JsonDocument.Parse(memory.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("body: not valid JSON.");
        }
    }

    private static async Task StreamAsync(HttpContext context, TrainingJob job, StreamSlots slots)
    {
        var cancel = context.RequestAborted;
        var (stream, slot) = await EventStream.StartAsync(context, slots).ConfigureAwait(false);
        using (slot)
        {
            int next = 0;
            try
            {
                while (!cancel.IsCancellationRequested)
                {
                    var (events, changed) = job.EventsFrom(next);
                    next += events.Count;
                    // Rows go out in batches: a fast run measures thousands of steps a second.
                    var rows = new List<object>();
                    foreach (var e in events)
                    {
                        if (e.Name == "row")
                        {
                            rows.Add(e.Data);
                            continue;
                        }

                        if (rows.Count > 0)
                        {
                            await stream.SendAsync("rows", rows, cancel).ConfigureAwait(false);
                            rows = [];
                        }

                        await stream.SendAsync(e.Name, e.Data, cancel).ConfigureAwait(false);
                    }

                    if (rows.Count > 0)
                    {
                        await stream.SendAsync("rows", rows, cancel).ConfigureAwait(false);
                    }

                    if (job.IsOver && job.EventsFrom(next).Events.Count == 0)
                    {
                        await stream.SendAsync("done", job.Summary(), cancel).ConfigureAwait(false);
                        return;
                    }

                    var timeout = Task.Delay(EventStream.KeepAlive, cancel);
                    if (await Task.WhenAny(changed, timeout).ConfigureAwait(false) == timeout)
                    {
                        await stream.PingAsync(cancel).ConfigureAwait(false);
                    }

                    // Gather a batch of rows rather than one event per step.
                    await Task.Delay(50, cancel).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
            }
        }
    }
}
