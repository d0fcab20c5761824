using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Sharpness.Web.Tests.TestSupport;

namespace Sharpness.Web.Tests.Browser;

/// <summary>
/// One <c>sharpness serve</c> process (the CLI as a user starts it, on a free loopback port) over a runs
/// folder holding a UV run, a short network run and a reproduction's claims, and one headless Chromium
/// driven by Playwright, shared by the browser tests.
/// </summary>
public sealed class ServedExplorer : IAsyncLifetime
{
    private readonly TempFolder _runs = new();
    private Process? _server;
    private IPlaywright? _playwright;

    public string Runs => _runs.Path;

    public string Address { get; private set; } = string.Empty;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: $SHARPNESS_SCREENSHOTS (docs/figures when refreshing the docs) or the test output folder.</summary>
    public string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("SHARPNESS_SCREENSHOTS") is { Length: > 0 } folder
        ? folder
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Latencies measured in the page (milliseconds), by name.</summary>
    public Dictionary<string, double[]> Timings { get; } = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotFolder);
        int exit = Sharpness.Cli.Program.Run(["uv", "simulate", "--width", "1000", "--param", "mup", "--lr-constant", "1.8", "--steps", "500", "--out", _runs.Combine("uv-mup")], TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, exit);
        exit = Sharpness.Cli.Program.Run(["net", "train", "--dataset", "synthetic", "--train-size", "256", "--test-size", "0", "--width", "32", "--lr", "0.5", "--steps", "300", "--sharpness-every", "5", "--out", _runs.Combine("net-synthetic")], TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, exit);
        WriteClaims(_runs.Combine("reproduction"));

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { Repository.CliAssembly, "serve", "--runs", _runs.Path, "--port", "0" })
        {
            start.ArgumentList.Add(argument);
        }

        _server = Process.Start(start) ?? throw new InvalidOperationException("sharpness serve did not start.");
        string? first = await _server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(first?.StartsWith("sharpness serve: http://127.0.0.1:", StringComparison.Ordinal) == true, $"unexpected first line: {first}; stderr: {(_server.HasExited ? await _server.StandardError.ReadToEndAsync() : string.Empty)}");
        Address = first!["sharpness serve: ".Length..].Trim();

        // Nothing may download a browser: Debian's Chromium is launched by path.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        // An assertion waits up to 30 s (Playwright's default is 5 s): the first orbit diagram took longer under load.
        Assertions.SetDefaultExpectTimeout(30_000);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task<IPage> NewPageAsync()
    {
        // Playwright's NewPageAsync has no time-out of its own, and under a heavy load Chromium once never
        // answered it, which hung the whole test run: wait at most 90 s, and try once more before failing.
        for (int attempt = 1; ; attempt++)
        {
            var opening = Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
            if (await Task.WhenAny(opening, Task.Delay(TimeSpan.FromSeconds(90))) == opening)
            {
                var page = await opening;
                page.SetDefaultTimeout(60_000);
                return page;
            }

            if (attempt == 2)
            {
                throw new TimeoutException("Chromium did not open a page within 90 s, twice");
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
        if (Timings.Count > 0)
        {
            var json = new JsonObject();
            foreach (var (name, values) in Timings)
            {
                json[name] = new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(Math.Round(v, 2))).ToArray());
            }

            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "browser-timings.json"), json.ToJsonString(new() { WriteIndented = true }));
        }

        _runs.Dispose();
    }

    // A reproduction's claims table as `sharpness reproduce` writes it (two claims, one reproduced).
    private static void WriteClaims(string folder)
    {
        Directory.CreateDirectory(folder);
        var claims = new JsonObject
        {
            ["version"] = 1,
            ["claims"] = new JsonArray(
                new JsonObject { ["id"] = "period-2", ["claim"] = "GD settles on the 2-cycle at r = 1.1", ["measured"] = 2, ["criterion"] = "period = 2", ["status"] = "reproduced", ["source"] = "uv-mup" },
                new JsonObject { ["id"] = "fit", ["claim"] = "the UV fit beats a constant", ["measured"] = 0.31, ["criterion"] = "error < 0.2", ["status"] = "not reproduced", ["source"] = "net-synthetic" }),
        };
        File.WriteAllText(Path.Combine(folder, "claims.json"), claims.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "manifest.json"), new JsonObject { ["command"] = "reproduce", ["complete"] = true, ["configuration"] = new JsonObject(), ["results"] = new JsonObject() }.ToJsonString());
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<ServedExplorer>
{
    public const string Name = "browser";
}
