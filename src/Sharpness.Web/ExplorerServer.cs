using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sharpness.Runs;
using Sharpness.Web.Api;
using Sharpness.Web.Assets;
using Sharpness.Web.Runs;
using Sharpness.Web.Security;
using Sharpness.Web.Training;

namespace Sharpness.Web;

/// <summary>
/// The server of <c>sharpness serve</c>: the page (embedded in this assembly) and the JSON API over the UV
/// dynamics, the runs folder and live training (docs/explorer.md). Library code is called in-process.
/// </summary>
public static class ExplorerServer
{
    /// <summary>
    /// Builds the server (not started). <paramref name="configure"/> may change the builder before it is
    /// built, for example to host the server in memory for tests.
    /// </summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="configure">Optional change to the builder.</param>
    /// <param name="runner">What trains the runs of the live-training view (default: <see cref="NetTrainAdapter"/>).</param>
    /// <exception cref="ArgumentException">An option is invalid; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public static WebApplication Build(ExplorerOptions options, Action<WebApplicationBuilder>? configure = null, ITrainingRunner? runner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options = options with
        {
            RunsFolder = Path.GetFullPath(options.RunsFolder),
            PostToken = options.Token ?? options.PostToken,
        };
        var limits = options.Limits;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            EnvironmentName = Environments.Production,
            ContentRootPath = options.RunsFolder,
            ApplicationName = typeof(ExplorerServer).Assembly.GetName().Name,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = limits.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limits.MaxConnections;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 << 10;
            kestrel.Limits.MaxRequestLineSize = 16 << 10;
            if (string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                if (options.Port == 0)
                {
                    kestrel.Listen(IPAddress.Loopback, 0);
                }
                else
                {
                    kestrel.ListenLocalhost(options.Port);
                }
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(options.Host.Trim('[', ']')), options.Port);
            }
        });

        var paths = new RunPaths(options.RunsFolder);
        var catalog = new RunCatalog(paths, limits);
        var cache = new CsvCache();
        var slots = new StreamSlots(limits.MaxEventStreams);
        var assets = new EmbeddedAssets(options.PostToken);
        var access = new AccessControl(options);
        var queue = new TrainingQueue(paths, runner ?? new NetTrainAdapter(options.DataDirectory), limits, options.Log);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(queue);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(queue.Dispose);
        app.Use((context, next) => HandleErrorsAsync(context, next, options.Log));
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            await next(context).ConfigureAwait(false);
        });
        app.Use(access.InvokeAsync);

        app.MapGet("/api/health", (HttpRequest request) =>
        {
            _ = new QueryParameters(request);
            return Results.Json(new { status = "ok", version = ToolkitInfo.Version, runs = options.RunsFolder, token_required = options.TokenRequired }, ApiJson.Options);
        });
        UvEndpoints.Map(app, limits);
        RunEndpoints.Map(app, paths, catalog, cache, slots, limits);
        JobEndpoints.Map(app, queue, slots, limits, options.DataDirectory);
        app.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Head], async (HttpContext context) =>
        {
            string path = context.Request.Path.Value ?? "/";
            if (path.StartsWith("/api/", StringComparison.Ordinal) || !await assets.TryServeAsync(context, path).ConfigureAwait(false))
            {
                throw ApiException.NotFound();
            }
        });
        app.MapFallback(_ => throw ApiException.NotFound());
        return app;
    }

    /// <summary>The address the server listens on, once started (with <c>?token=</c> when a token is required).</summary>
    /// <param name="app">A started server.</param>
    public static string Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<ExplorerOptions>();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? $"http://{options.Host}:{options.Port}";
        address = address.TrimEnd('/') + "/";
        return options.Token is null ? address : address + "?token=" + Uri.EscapeDataString(options.Token);
    }

    private static async Task HandleErrorsAsync(HttpContext context, RequestDelegate next, Action<string>? log)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await WriteErrorAsync(context, e.Status, e.Message).ConfigureAwait(false);
        }
        catch (Sharpness.Experiments.InvalidOptionException e)
        {
            // A value the library's own checks refuse: named as the API names it (--r-min is r_min).
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"{e.Option.TrimStart('-').Replace('-', '_')}: {e.Message}").ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(context, e.StatusCode, "bad request: " + e.Message.Split('\n')[0]).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log?.Invoke($"error answering {context.Request.Method} {context.Request.Path}: {e.GetType().Name}: {e.Message}");
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, $"internal error ({e.GetType().Name}); the server's log has the details.").ConfigureAwait(false);
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { error = message.ReplaceLineEndings(" ") }, ApiJson.Options)).ConfigureAwait(false);
    }
}
