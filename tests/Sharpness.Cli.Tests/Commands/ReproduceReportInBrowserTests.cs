using System.Text.Json.Nodes;
using Sharpness.Cli.Tests.TestSupport;

namespace Sharpness.Cli.Tests.Commands;

[Collection(QuickReproductionCollection.Name)]
[Trait("Category", "EndToEnd")]
public class ReproduceReportInBrowserTests(QuickReproduction reproduction)
{
    // Waits until the report has loaded (all images decoded or failed), then reports what the browser made of it.
    private const string Inspect = """
        new Promise(resolve => {
          const report = () => resolve({
            images: Array.from(document.images, i => ({ alt: i.alt, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight })),
            rows: Array.from(document.querySelectorAll('#claims tbody tr'), r => ({
              id: r.dataset.claimId, cells: r.cells.length, height: r.getBoundingClientRect().height, status: r.cells[3].textContent })),
          });
          // The target may still show the blank page it opened with: wait until the report itself has loaded.
          const ready = () => location.protocol === 'file:' && document.readyState === 'complete' && document.getElementById('claims');
          const poll = () => ready() ? report() : setTimeout(poll, 50);
          poll();
        })
        """;

    private static (int Width, int Height) PngSize(byte[] png) =>
        ((png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19], (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);

    [ChromiumFact]
    public async Task EveryFigureLoadsAndTheClaimsTableRendersInChromium()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string url = new Uri(Path.Combine(reproduction.Folder, "index.html")).AbsoluteUri;
        await using var browser = await HeadlessChromium.OpenAsync(url, timeout.Token);

        // The first evaluation can land in the blank page the browser opened with; its navigation to the
        // report then destroys that context, and the evaluation is repeated in the report's.
        JsonNode? page = null;
        for (int attempt = 0; page is null; attempt++)
        {
            try
            {
                page = (await browser.EvaluateAsync(Inspect, timeout.Token))!;
            }
            catch (InvalidOperationException e) when (attempt < 20 && e.Message.Contains("Execution context was destroyed", StringComparison.Ordinal))
            {
                await Task.Delay(100, timeout.Token);
            }
        }


        var figures = Directory.EnumerateFiles(reproduction.Folder, "*.png", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(reproduction.Folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var images = page["images"]!.AsArray();
        Assert.True(figures.Length >= 10, $"only {figures.Length} figures in the reproduction");
        Assert.Equal(figures, images.Select(i => i!["alt"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var image in images)
        {
            string alt = image!["alt"]!.GetValue<string>();
            Assert.True(image["complete"]!.GetValue<bool>(), $"{alt} did not load");
            var (width, height) = PngSize(File.ReadAllBytes(Path.Combine(reproduction.Folder, alt)));
            Assert.True(image["width"]!.GetValue<int>() == width && image["height"]!.GetValue<int>() == height, $"{alt}: the browser decoded {image["width"]} x {image["height"]}, the file is {width} x {height}");
        }

        var claims = JsonNode.Parse(File.ReadAllText(Path.Combine(reproduction.Folder, "claims.json")))!["claims"]!.AsArray();
        var rows = page["rows"]!.AsArray();
        Assert.Equal(QuickReproduction.ClaimIds, rows.Select(r => r!["id"]!.GetValue<string>()));
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(5, rows[i]!["cells"]!.GetValue<int>());
            Assert.True(rows[i]!["height"]!.GetValue<double>() > 0, $"row {i} is not drawn");
            string reason = claims[i]!["reason"]?.GetValue<string>() ?? string.Empty;
            Assert.Equal(claims[i]!["status"]!.GetValue<string>() + reason, rows[i]!["status"]!.GetValue<string>());
        }
    }
}
