using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Sharpness.Web.Api;

/// <summary>
/// A server-sent-events answer (<c>text/event-stream</c>): named events whose data is one line of JSON.
/// The number of streams open at once is bounded (<see cref="ExplorerLimits.MaxEventStreams"/>); a
/// comment line every 15 s keeps idle connections open through proxies.
/// </summary>
public sealed class EventStream
{
    /// <summary>Seconds between keep-alive comments.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    private readonly HttpResponse _response;

    private EventStream(HttpResponse response) => _response = response;

    /// <summary>Starts the stream: the headers are sent at once.</summary>
    /// <param name="context">The request.</param>
    /// <param name="slots">The bound on open streams.</param>
    /// <returns>The stream and the slot it holds (dispose it when the stream ends).</returns>
    public static async Task<(EventStream Stream, IDisposable Slot)> StartAsync(HttpContext context, StreamSlots slots)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(slots);
        var slot = slots.Take();
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        return (new EventStream(response), slot);
    }

    /// <summary>Sends one event.</summary>
    /// <param name="name">Event name (progress, rows, columns, done, error).</param>
    /// <param name="data">Serialised with <see cref="ApiJson.Options"/> on one line.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    public async Task SendAsync(string name, object data, CancellationToken cancellationToken)
    {
        string json = JsonSerializer.Serialize(data, ApiJson.Options);
        await _response.WriteAsync($"event: {name}\ndata: {json}\n\n", cancellationToken).ConfigureAwait(false);
        await _response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a comment line that keeps the connection open.</summary>
    /// <param name="cancellationToken">The request's cancellation.</param>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await _response.WriteAsync(": keep-alive\n\n", cancellationToken).ConfigureAwait(false);
        await _response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Counts open event streams against <see cref="ExplorerLimits.MaxEventStreams"/>.</summary>
public sealed class StreamSlots
{
    private readonly int _max;
    private int _open;

    /// <summary>Creates the counter.</summary>
    /// <param name="max">Largest number of streams open at once.</param>
    public StreamSlots(int max) => _max = max;

    /// <summary>Streams open now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Takes a slot, or refuses with HTTP 429 when all are taken.</summary>
    public IDisposable Take()
    {
        if (Interlocked.Increment(ref _open) > _max)
        {
            Interlocked.Decrement(ref _open);
            throw new ApiException(429, $"too many event streams open (at most {_max}); close a tab and try again.");
        }

        return new Slot(this);
    }

    private sealed class Slot(StreamSlots owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._open);
            }
        }
    }
}
