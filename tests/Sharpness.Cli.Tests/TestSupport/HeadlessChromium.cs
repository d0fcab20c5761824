using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sharpness.Cli.Tests.TestSupport;

/// <summary>A fact that runs only where Debian's chromium is installed (apt-get install chromium).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(HeadlessChromium.Executable))
        {
            Skip = $"Chromium is not installed at {HeadlessChromium.Executable} (apt-get install chromium); the report is not checked in a browser.";
        }
    }
}

/// <summary>
/// Chromium without a window, showing one page and driven over the DevTools protocol
/// (Runtime.evaluate on a WebSocket). Disposing kills the browser and all its processes.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly string _profile;
    private readonly StringBuilder _log = new();
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>What the browser printed, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the browser on <paramref name="url"/> and connects to that page.</summary>
    public static async Task<HeadlessChromium> OpenAsync(string url, CancellationToken cancellationToken)
    {
        string profile = Path.Combine(Path.GetTempPath(), "sharpness-tests", "chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--remote-debugging-port=0", "--remote-allow-origins=*", $"--user-data-dir={profile}", url,
        })
        {
            info.ArgumentList.Add(arg);
        }

        var browser = new HeadlessChromium(Process.Start(info)!, profile);
        try
        {
            browser._process.OutputDataReceived += (_, e) => browser.Append(e.Data);
            browser._process.ErrorDataReceived += (_, e) => browser.Append(e.Data);
            browser._process.BeginOutputReadLine();
            browser._process.BeginErrorReadLine();
            await browser.ConnectAsync(url, cancellationToken);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Evaluates JavaScript in the page (awaiting a returned promise) and returns its value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        int id = ++_nextId;
        var request = new JsonObject
        {
            ["id"] = id,
            ["method"] = "Runtime.evaluate",
            ["params"] = new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true },
        };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        while (true)
        {
            var message = await ReceiveAsync(cancellationToken);
            if (message["id"]?.GetValue<int>() != id)
            {
                continue; // an event, or the answer to another request
            }

            var result = message["result"] ?? throw new InvalidOperationException($"DevTools error: {message.ToJsonString()}");
            if (result["exceptionDetails"] is { } exception)
            {
                throw new InvalidOperationException($"the page's script failed: {exception.ToJsonString()}");
            }

            return result["result"]?["value"]?.DeepClone();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still be closing a file; the folder is under the temporary folder.
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    // Chromium writes the port it chose to DevToolsActivePort in the profile; the page's own
    // WebSocket is listed at /json/list once the page exists.
    private async Task ConnectAsync(string url, CancellationToken cancellationToken)
    {
        string portFile = Path.Combine(_profile, "DevToolsActivePort");
        string? port = null;
        while (port is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"chromium exited with code {_process.ExitCode} before opening the page:\n{Log}");
            }

            if (File.Exists(portFile) && File.ReadAllLines(portFile) is [var first, ..] && first.Length > 0)
            {
                port = first.Trim();
            }
            else
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        using var http = new HttpClient();
        while (true)
        {
            string list = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), cancellationToken);
            var page = JsonNode.Parse(list)!.AsArray().FirstOrDefault(t => t?["type"]?.GetValue<string>() == "page" && t["url"]?.GetValue<string>() == url);
            if (page?["webSocketDebuggerUrl"]?.GetValue<string>() is { } socketUrl)
            {
                await _socket.ConnectAsync(new Uri(socketUrl), cancellationToken);
                return;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task<JsonNode> ReceiveAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (true)
        {
            var part = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (part.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"chromium closed the DevTools connection:\n{Log}");
            }

            message.Write(buffer, 0, part.Count);
            if (part.EndOfMessage)
            {
                return JsonNode.Parse(message.ToArray())!;
            }
        }
    }
}
