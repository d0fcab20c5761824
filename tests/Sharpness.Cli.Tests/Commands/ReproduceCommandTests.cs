using System.Text.Json;

namespace Sharpness.Cli.Tests.Commands;

public class ReproduceCommandTests
{
    private static readonly string[] UvRuns =
    [
        "uv-default", "uv-large-output", "uv-mup-sharpening", "uv-catapult", "uv-tv3", "cascade", "orbit", "orbit-zoom",
        "lyapunov", "lyapunov-r1.4", "phase-scaled", "phase-width", "field", "field-eos",
    ];

    private static readonly string[] ClaimIds = QuickReproduction.ClaimIds;

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void QuickRunMeasuresEveryClaimAndWritesTheReports()
    {
        string folder = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run("reproduce", "--quick", "--out", folder);
        Assert.True(code == 0, error);
        Assert.Contains("claims", output, StringComparison.Ordinal);

        foreach (string file in new[] { "claims.json", "report.md", "index.html", "manifest.json", "tv3-init.json", "large-output-init.json" })
        {
            Assert.True(new FileInfo(Path.Combine(folder, file)).Length > 0, file);
        }

        foreach (string run in UvRuns)
        {
            Assert.True(new FileInfo(Path.Combine(folder, run, "manifest.json")).Length > 0, run);
        }

        using var claims = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "claims.json")));
        var byId = claims.RootElement.GetProperty("claims").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Equal(ClaimIds.Order(), byId.Keys.Order());
        foreach (var claim in byId.Values)
        {
            var measured = claim.GetProperty("measured");
            Assert.True(measured.ValueKind is JsonValueKind.Number || (measured.ValueKind is JsonValueKind.String && measured.GetString()!.Length > 0), claim.GetProperty("id").GetString());
            Assert.False(string.IsNullOrEmpty(claim.GetProperty("criterion").GetString()));
        }

        foreach (var (id, claim) in byId.Where(c => c.Key.StartsWith("uv-", StringComparison.Ordinal)))
        {
            Assert.True(claim.GetProperty("status").GetString() == "reproduced", $"{id}: {claim}");
        }

        Assert.Equal(2.0, byId["uv-period2-geometric-mean"].GetProperty("measured").GetDouble(), 9);
        bool dataset = Directory.Exists("/usr/share/datasets/fashion-mnist");
        foreach (var (id, claim) in byId.Where(c => c.Key.StartsWith("net-", StringComparison.Ordinal)))
        {
            // The quick sizes decide every claim (either way) when the dataset is there; without it they are skipped, not failed.
            string status = claim.GetProperty("status").GetString()!;
            if (dataset)
            {
                Assert.True(status is "reproduced" or "not reproduced", $"{id}: {claim}");
                Assert.Equal(JsonValueKind.Null, claim.GetProperty("reason").ValueKind);
            }
            else
            {
                Assert.Equal(("not decided", "experiment skipped: install dataset-fashion-mnist"), (status, claim.GetProperty("reason").GetString()));
            }

            Assert.NotEmpty(claim.GetProperty("evidence").EnumerateArray());
        }

        string html = File.ReadAllText(Path.Combine(folder, "index.html"));
        string report = File.ReadAllText(Path.Combine(folder, "report.md"));
        foreach (var (id, claim) in byId)
        {
            Assert.Contains($"### {id}: {claim.GetProperty("status").GetString()}", report, StringComparison.Ordinal);
            foreach (var table in claim.GetProperty("evidence").EnumerateArray())
            {
                Assert.Contains(table.GetProperty("caption").GetString()!, report, StringComparison.Ordinal);
            }
        }

        // The numbers behind the cascade and Lyapunov claims are in the report, not only their commands.
        Assert.Contains("| 32 -> 64 | 1.30214327158145 |", report, StringComparison.Ordinal);
        Assert.Contains("| lambda_1 | 0.336443 |", report, StringComparison.Ordinal);
        Assert.Contains("<table id=\"claims\">", html, StringComparison.Ordinal);
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        var figures = Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(figures);
        foreach (string figure in figures)
        {
            string relative = Path.GetRelativePath(folder, figure).Replace('\\', '/');
            Assert.Contains($"<img src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(figure))}\" alt=\"{relative}\"", html, StringComparison.Ordinal);
            Assert.Contains($"]({relative})", report, StringComparison.Ordinal);
        }

        var (again, _, againError) = CliRunner.Run("reproduce", "--quick", "--out", folder);
        Assert.Equal(2, again);
        Assert.Contains("--out", againError, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public void WithoutTheDatasetTheRealNetworkClaimIsSkippedNotFailed()
    {
        string folder = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("reproduce", "--quick", "--data-dir", Path.Combine(folder, "no-dataset"), "--out", Path.Combine(folder, "out"));
        Assert.True(code == 0, error);
        using var claims = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "out", "claims.json")));
        var net = claims.RootElement.GetProperty("claims").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "net-eos-settles");
        Assert.Equal("not decided", net.GetProperty("status").GetString());
        Assert.Equal("experiment skipped: install dataset-fashion-mnist", net.GetProperty("reason").GetString());
        Assert.False(Directory.Exists(Path.Combine(folder, "out", "net-eos")));
    }
}
