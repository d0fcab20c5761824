using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Reproduction;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Figures;

/// <summary>
/// The reports of a <c>reproduce</c> folder (report.md and a self-contained index.html, written by
/// <see cref="ReproductionReport"/> from claims.json and the manifest's list of runs), and the
/// redrawing of the whole folder (every run's figures, then the reports) for <c>sharpness plot</c>.
/// </summary>
internal static class ReproduceReport
{
    /// <summary>Redraws every run's figures (each in its sub-folder), then the reports from them.</summary>
    /// <param name="run">The reproduce folder.</param>
    public static IReadOnlyList<RenderedFile> Render(SavedRun run)
    {
        var files = new List<RenderedFile>();
        foreach (string name in RunNames(run))
        {
            files.AddRange(RunFigures.Render(SavedRun.Load(Path.Combine(run.Folder, name))).Select(f => f with { Path = name + "/" + f.Path }));
        }

        var drawn = files.ToDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);
        files.AddRange(Reports(run, path => drawn.TryGetValue(path, out byte[]? content) ? content : run.ReadBytes(path, FileKindLimit.Figure)));
        return files;
    }

    /// <summary>report.md and index.html of a reproduce folder.</summary>
    /// <param name="run">The reproduce folder: configuration quick, results runs (name, title, command) and net, and claims.json.</param>
    /// <param name="figure">The bytes of a figure, by its path relative to the folder (for index.html, which embeds them).</param>
    public static IReadOnlyList<RenderedFile> Reports(SavedRun run, Func<string, byte[]> figure)
    {
        bool quick = run.Configuration.Flag("quick");
        string net = run.Results.Text("net");
        string? netSkipReason = net == "run" ? null : net;
        var runs = run.Results.Array("runs").Select(n =>
        {
            string name = Text(run, n, "name");
            var sub = SavedRun.Load(run.SubFolder(name, "results.runs[].name"));
            var figures = sub.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).Select(f => name + "/" + f).ToArray();
            return new ReportRun(name, Text(run, n, "title"), Text(run, n, "command"), figures);
        }).ToList();
        IReadOnlyList<ClaimRecord> claims;
        try
        {
            claims = ClaimsDocument.Read(run.DataFile(ClaimsDocument.FileName));
        }
        catch (InvalidDataException e)
        {
            throw new RunDataException(e.Message);
        }

        int version = run.Results.Integer("experiment_list_version");
        var utf8 = new UTF8Encoding(false);
        return
        [
            new RenderedFile(ReproductionReport.MarkdownFile, utf8.GetBytes(ReproductionReport.Markdown(version, quick, netSkipReason, claims, runs))),
            new RenderedFile(ReproductionReport.HtmlFile, utf8.GetBytes(ReproductionReport.Html(version, quick, netSkipReason, claims, runs, figure))),
        ];
    }

    private static IEnumerable<string> RunNames(SavedRun run) => run.Results.Array("runs").Select(n => Text(run, n, "name"));

    private static string Text(SavedRun run, JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new RunDataException($"'{SavedRun.ManifestPath(run.Folder)}': an entry of results.runs has no \"{key}\".");
}
