using System.Net;
using System.Text;
using Sharpness.Web.Security;
using Sharpness.Web.Tests.TestSupport;

namespace Sharpness.Web.Tests.Security;

public sealed class SecurityTests : IDisposable
{
    private const string Token = "a-test-token-of-some-length";
    private readonly TempFolder _root = new();
    private readonly string _runs;
    private readonly string _outside;

    public SecurityTests()
    {
        _runs = _root.Combine("runs");
        _outside = _root.Combine("outside");
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret.csv"), "step,value\n0,42\n");
        File.WriteAllText(Path.Combine(_outside, "manifest.json"), "{\"command\": \"uv simulate\", \"complete\": true}");
        RunFolders.Write(_runs, "inside", "uv simulate", "trajectory.csv", ["step", "x"], [[0, 1]]);
        // Symbolic links leading out of the runs folder: a folder and a file.
        Directory.CreateSymbolicLink(Path.Combine(_runs, "escape"), _outside);
        File.CreateSymbolicLink(Path.Combine(_runs, "inside", "secret.csv"), Path.Combine(_outside, "secret.csv"));
        // A link that stays inside is followed.
        Directory.CreateSymbolicLink(Path.Combine(_runs, "alias"), Path.Combine(_runs, "inside"));
    }

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("/api/runs/file?run=..&file=outside")]
    [InlineData("/api/runs/file?run=../outside&file=secret.csv")]
    [InlineData("/api/runs/file?run=inside/../../outside&file=secret.csv")]
    [InlineData("/api/runs/file?run=%2e%2e%2foutside&file=secret.csv")]
    [InlineData("/api/runs/file?run=inside&file=..%2F..%2Foutside%2Fsecret.csv")]
    [InlineData("/api/runs/file?run=inside&file=../trajectory.csv")]
    [InlineData("/api/runs/file?run=/etc&file=passwd")]
    [InlineData("/api/runs/file?run=..%5C..%5Coutside&file=secret.csv")]
    [InlineData("/api/runs/file?run=escape&file=secret.csv")]
    [InlineData("/api/runs/file?run=inside&file=secret.csv")]
    [InlineData("/api/runs/data?run=escape&file=secret.csv")]
    [InlineData("/api/runs/run?run=escape")]
    [InlineData("/api/runs/follow?run=escape")]
    [InlineData("/api/runs/run?run=.")]
    [InlineData("/../../etc/passwd")]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/app.js/../../../etc/passwd")]
    [InlineData("/etc/passwd")]
    public async Task PathsLeadingOutOfTheRunsFolderGet404(string url)
    {
        await using var server = new InMemoryExplorer(_runs);
        using var response = await server.Client.GetAsync(url);
        string body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("42", body, StringComparison.Ordinal);
        Assert.DoesNotContain(_outside, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LinksThatStayInsideAreFollowedAndLinksOutAreNotListed()
    {
        await using var server = new InMemoryExplorer(_runs);
        using var inside = await server.Client.GetAsync("/api/runs/file?run=alias&file=trajectory.csv");
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        var (_, listing) = await server.GetJsonAsync("/api/runs");
        var paths = listing.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("path").GetString()!).ToArray();
        Assert.Equal(["inside"], paths);
        var files = listing.GetProperty("runs")[0].GetProperty("files").EnumerateArray().Select(f => f.GetString()).ToArray();
        Assert.DoesNotContain("secret.csv", files);
    }

    [Fact]
    public async Task AManifestThatIsANamedPipeIsSkippedWithoutBlocking()
    {
        string folder = Path.Combine(_runs, "pipe");
        Directory.CreateDirectory(folder);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(folder, "manifest.json")))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var read = Task.Run(() => Sharpness.Web.Runs.RunCatalog.ReadManifest(folder));
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.Null(await read);
        Assert.NotNull(Sharpness.Web.Runs.RunCatalog.ReadManifest(Path.Combine(_runs, "inside")));
    }

    [Fact]
    public void ResolverRefusesEveryMalformedPath()
    {
        var paths = new RunPaths(_runs);
        foreach (string bad in new[] { "..", "a/..", "a/../..", "./a", "a//b", "/abs", "a\\b", "a\u0000b", "escape", "escape/secret.csv", new string('a', 2000) })
        {
            var e = Assert.Throws<Sharpness.Web.Api.ApiException>(() => paths.Resolve(bad));
            Assert.Equal(404, e.Status);
        }

        Assert.Equal(Path.Combine(_runs, "inside"), paths.Resolve("inside"));
        Assert.Equal(Path.Combine(_runs, "inside", "x.csv"), paths.Resolve("inside/x.csv"));
    }

    [Fact]
    public async Task WithATokenEveryRequestMustCarryIt()
    {
        await using var server = new InMemoryExplorer(_runs, Token);
        foreach (string url in new[] { "/", "/app.js", "/api/health", "/api/runs", "/api/uv/trajectory?steps=3", "/api/runs/file?run=inside&file=trajectory.csv" })
        {
            using var anonymous = await server.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var wrong = new HttpRequestMessage(HttpMethod.Get, url);
            wrong.Headers.Add(AccessControl.TokenHeader, Token + "x");
            using var wrongResponse = await server.Client.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
            using var right = new HttpRequestMessage(HttpMethod.Get, url);
            right.Headers.Add(AccessControl.TokenHeader, Token);
            using var rightResponse = await server.Client.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, rightResponse.StatusCode);
            using var bearer = new HttpRequestMessage(HttpMethod.Get, url);
            bearer.Headers.Authorization = new("Bearer", Token);
            using var bearerResponse = await server.Client.SendAsync(bearer);
            Assert.Equal(HttpStatusCode.OK, bearerResponse.StatusCode);
        }

        // Opening the printed address (?token=...) sets a cookie that carries the token from then on.
        using var page = await server.Client.GetAsync("/?token=" + Token);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        string cookie = page.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var cookieResponse = await server.Client.SendAsync(withCookie);
        Assert.Equal(HttpStatusCode.OK, cookieResponse.StatusCode);
        // The page it served carries the token for its own requests.
        Assert.Contains(Token, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangesNeedAPostWithTheTokenAndNothingChangesByGet()
    {
        await using var server = new InMemoryExplorer(_runs);
        string body = "{\"dataset\": \"synthetic\", \"steps\": 1}";
        var (noToken, _) = await server.PostJsonAsync("/api/jobs", body, withToken: false);
        Assert.Equal(403, noToken);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        wrong.Headers.Add(AccessControl.TokenHeader, "not-the-token-at-all");
        using var wrongResponse = await server.Client.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Forbidden, wrongResponse.StatusCode);
        Assert.Empty(server.Queue.Jobs);

        // The state-changing endpoints do not answer GET, and other methods are refused.
        using var getSubmit = await server.Client.GetAsync("/api/jobs/1/cancel");
        Assert.Equal(HttpStatusCode.NotFound, getSubmit.StatusCode);
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            using var request = new HttpRequestMessage(method, "/api/jobs");
            request.Headers.Add(AccessControl.TokenHeader, server.Options.PostToken);
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        }

        Assert.Empty(server.Queue.Jobs);
        Assert.False(Directory.Exists(Path.Combine(_runs, "live")));
    }

    [Fact]
    public async Task OnLoopbackTheHostHeaderMustNameThisMachine()
    {
        await using var server = new InMemoryExplorer(_runs);
        foreach (var (host, expected) in new[] { ("localhost", HttpStatusCode.OK), ("127.0.0.1:8050", HttpStatusCode.OK), ("[::1]:8050", HttpStatusCode.OK), ("attacker.example", HttpStatusCode.BadRequest), ("127.0.0.1.attacker.example", HttpStatusCode.BadRequest) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
            request.Headers.Host = host;
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(expected, response.StatusCode);
        }
    }

    [Fact]
    public async Task RequestSizesAndCountsAreBounded()
    {
        var limits = new ExplorerLimits { MaxRequestBodyBytes = 1024, MaxQueuedJobs = 2, MaxRunsListed = 1, MaxEventStreams = 1 };
        var runner = new BlockingRunner();
        await using var server = new InMemoryExplorer(_runs, limits: limits, runner: runner);

        var (tooLarge, error) = await server.PostJsonAsync("/api/jobs", "{\"name\": \"" + new string('a', 2000) + "\"}");
        Assert.Equal(413, tooLarge);
        Assert.StartsWith("body: larger than", error.GetProperty("error").GetString(), StringComparison.Ordinal);

        // One runs, two wait, the fourth is refused.
        for (int k = 0; k < 3; k++)
        {
            var (status, _) = await server.PostJsonAsync("/api/jobs", new { dataset = "synthetic", steps = 1 });
            Assert.Equal(202, status);
            if (k == 0)
            {
                await runner.Started.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        var (full, fullError) = await server.PostJsonAsync("/api/jobs", new { dataset = "synthetic", steps = 1 });
        Assert.Equal(429, full);
        Assert.StartsWith("the queue is full", fullError.GetProperty("error").GetString(), StringComparison.Ordinal);

        RunFolders.Write(_runs, "second", "uv simulate", "trajectory.csv", ["step"], [[0]]);
        var (_, listing) = await server.GetJsonAsync("/api/runs");
        Assert.Single(listing.GetProperty("runs").EnumerateArray());
        Assert.True(listing.GetProperty("truncated").GetBoolean());

        using var first = await server.Client.GetAsync("/api/jobs/1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await server.Client.GetAsync("/api/jobs/1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal((HttpStatusCode)429, second.StatusCode);
        runner.Release();
    }

    [Theory]
    [InlineData("{\"steps\": 100001}", "steps: must be an integer in [0, 100000]")]
    [InlineData("{\"lr\": \"fast\"}", "lr: expected a finite number")]
    [InlineData("{\"lr\": 0.1, \"lr_constant\": 2}", "lr: give either lr or lr_constant")]
    [InlineData("{\"learning_rate\": 0.1}", "learning_rate: unknown field")]
    [InlineData("{\"name\": \"../escape\"}", "name: expected 1 to 64 letters")]
    [InlineData("{\"dataset\": \"imagenet\"}", "dataset: expected fashion-mnist or synthetic")]
    [InlineData("[1, 2]", "body: expected a JSON object")]
    [InlineData("{not json", "body: not valid JSON")]
    [InlineData("{\"kind\": \"eos\", \"dataset\": \"synthetic\", \"lrs\": []}", "lrs: expected a list of 1 to 8 numbers")]
    [InlineData("{\"kind\": \"eos\", \"dataset\": \"synthetic\", \"init_scale\": 2}", "init_scale: kind eos uses PyTorch's default initialisation")]
    [InlineData("{\"kind\": \"eos\", \"dataset\": \"synthetic\", \"optimizer\": \"sgd\"}", "optimizer: kind eos studies full-batch gradient descent")]
    public async Task InvalidTrainingFormsGet400NamingTheField(string body, string expected)
    {
        await using var server = new InMemoryExplorer(_runs, runner: new BlockingRunner());
        var (status, error) = await server.PostJsonAsync("/api/jobs", body);
        Assert.Equal(400, status);
        Assert.StartsWith(expected, error.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(server.Queue.Jobs);
    }

    [Fact]
    public async Task AnInternalErrorIsOneLineWithoutAStackTrace()
    {
        // A CSV file whose quoting never closes makes the reader fail.
        File.WriteAllText(Path.Combine(_runs, "inside", "broken.csv"), "step,x\n0,\"never closed\n");
        await using var server = new InMemoryExplorer(_runs);
        using var response = await server.Client.GetAsync("/api/runs/table?run=inside&file=broken.csv");
        string text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is 400 or 500, text);
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain(" at Sharpness", text, StringComparison.Ordinal);
        Assert.StartsWith("{\"error\":", text, StringComparison.Ordinal);
    }
}
