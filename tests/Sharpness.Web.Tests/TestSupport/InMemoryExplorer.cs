using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Sharpness.Web.Training;

namespace Sharpness.Web.Tests.TestSupport;

/// <summary>The explorer's server hosted in memory (ASP.NET Core's test server) over a runs folder.</summary>
public sealed class InMemoryExplorer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public InMemoryExplorer(string runsFolder, string? token = null, ExplorerLimits? limits = null, ITrainingRunner? runner = null, string host = "127.0.0.1")
    {
        Options = new ExplorerOptions { RunsFolder = runsFolder, Token = token, Limits = limits ?? new ExplorerLimits(), Host = host, Log = line => Log.Add(line) };
        _app = ExplorerServer.Build(Options, builder => builder.WebHost.UseTestServer(), runner);
        _app.StartAsync().GetAwaiter().GetResult();
        Client = _app.GetTestClient();
        Options = _app.Services.GetRequiredService<ExplorerOptions>();
    }

    public ExplorerOptions Options { get; }

    public List<string> Log { get; } = [];

    public HttpClient Client { get; }

    public TrainingQueue Queue => _app.Services.GetRequiredService<TrainingQueue>();

    public async Task<(int Status, JsonElement Body)> GetJsonAsync(string url)
    {
        using var response = await Client.GetAsync(url);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> PostJsonAsync(string url, object? body, bool withToken = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body is null ? "{}" : body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        if (withToken)
        {
            request.Headers.Add("X-Sharpness-Token", Options.PostToken);
        }

        using var response = await Client.SendAsync(request);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
