using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Figures;

/// <summary>
/// The reports of a <c>reproduce</c> folder, report.md and a self-contained index.html, drawn from
/// claims.json, the manifest's list of runs and the runs' figures; and the redrawing of the whole
/// folder (every run's figures, then the reports) for <c>sharpness plot</c>.
/// </summary>
internal static class ReproduceReport
{
    /// <summary>The claims table as JSON.</summary>
    public const string ClaimsFile = "claims.json";

    /// <summary>The Markdown report.</summary>
    public const string MarkdownFile = "report.md";

    /// <summary>The self-contained HTML report.</summary>
    public const string HtmlFile = "index.html";

    /// <summary>Status of a claim whose measurement meets its criterion.</summary>
    public const string Reproduced = "reproduced";

    /// <summary>Status of a claim whose measurement misses its criterion.</summary>
    public const string NotReproduced = "not reproduced";

    /// <summary>Redraws every run's figures (each in its sub-folder), then the reports from them.</summary>
    /// <param name="run">The reproduce folder.</param>
    public static IReadOnlyList<RenderedFile> Render(SavedRun run)
    {
        var files = new List<RenderedFile>();
        foreach (string name in RunNames(run))
        {
            files.AddRange(RunFigures.Render(SavedRun.Load(run.SubFolder(name, "results.runs[].name"))).Select(f => f with { Path = name + "/" + f.Path }));
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
        var runs = run.Results.Array("runs").Select(n => new RunEntry(Text(run, n, "name"), Text(run, n, "title"), Text(run, n, "command"))).ToList();
        var claims = Claims(run);
        var figures = new List<(string Run, string Path)>();
        foreach (var entry in runs)
        {
            var sub = SavedRun.Load(run.SubFolder(entry.Name, "results.runs[].name"));
            figures.AddRange(sub.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).Select(f => (entry.Name, entry.Name + "/" + f)));
        }

        int version = run.Results.Integer("experiment_list_version");
        var utf8 = new UTF8Encoding(false);
        return
        [
            new RenderedFile(MarkdownFile, utf8.GetBytes(Markdown(version, claims, runs, figures, quick, netSkipReason))),
            new RenderedFile(HtmlFile, utf8.GetBytes(Html(version, claims, runs, figures, figure, quick, netSkipReason))),
        ];
    }

    /// <summary>A measured value as text: a number with ten significant digits, a string as is, "-" for none.</summary>
    /// <param name="measured">The claim's "measured".</param>
    public static string MeasuredText(JsonNode? measured) => measured switch
    {
        null => "-",
        JsonValue v when v.TryGetValue(out double d) => d.ToString("G10", CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue(out string? s) => s ?? "-",
        _ => measured.ToJsonString(),
    };

    private sealed record RunEntry(string Name, string Title, string Command);

    private sealed record ClaimEntry(string Id, string Text, string Measured, string Criterion, string Status, string Source);

    private static IEnumerable<string> RunNames(SavedRun run) => run.Results.Array("runs").Select(n => Text(run, n, "name"));

    private static string Text(SavedRun run, JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new RunDataException($"'{SavedRun.ManifestPath(run.Folder)}': an entry of results.runs has no \"{key}\".");

    private static List<ClaimEntry> Claims(SavedRun run)
    {
        string path = run.DataFile(ClaimsFile);
        JsonArray claims;
        try
        {
            claims = JsonNode.Parse(run.ReadBytes(ClaimsFile, FileKindLimit.Manifest))?["claims"] as JsonArray ?? throw new RunDataException($"'{path}' has no \"claims\" array.");
        }
        catch (JsonException e)
        {
            throw new RunDataException($"'{path}' is not valid JSON: {e.Message}");
        }

        string Field(JsonNode? claim, string key) => claim?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new RunDataException($"'{path}': a claim has no \"{key}\".");
        return claims.Select(c => new ClaimEntry(Field(c, "id"), Field(c, "claim"), MeasuredText(c?["measured"]), Field(c, "criterion"), Field(c, "status"), Field(c, "source"))).ToList();
    }

    private static string Markdown(int version, List<ClaimEntry> claims, List<RunEntry> runs, List<(string Run, string Path)> figures, bool quick, string? netSkipReason)
    {
        static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
        var md = new StringBuilder();
        md.AppendLine("# Reproduction report");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Experiment list version {version}, {(quick ? "quick" : "full")} run. Every status below is measured from the run folders; `reproduced` only when the measurement meets the criterion.");
        md.AppendLine();
        md.AppendLine("## Claims");
        md.AppendLine();
        md.AppendLine("| claim | measured | criterion | status | source |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var c in claims)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(c.Text)} | {Cell(c.Measured)} | {Cell(c.Criterion)} | {c.Status} | {Cell(c.Source)} |");
        }

        md.AppendLine();
        md.AppendLine("## Experiments");
        md.AppendLine();
        md.AppendLine("`$out` in the commands is this folder.");
        foreach (var e in runs)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"### {e.Name}");
            md.AppendLine();
            md.AppendLine(e.Title + ".");
            md.AppendLine();
            md.AppendLine("```");
            md.AppendLine(e.Command);
            md.AppendLine("```");
            foreach (var (_, path) in figures.Where(f => f.Run == e.Name))
            {
                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"![{e.Name}: {Path.GetFileName(path)}]({path})");
            }
        }

        if (netSkipReason is not null)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Real-network part: {netSkipReason}.");
        }

        return md.ToString();
    }

    private static string Html(int version, List<ClaimEntry> claims, List<RunEntry> runs, List<(string Run, string Path)> figures, Func<string, byte[]> figure, bool quick, string? netSkipReason)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sharpness: reproduction report</title>");
        html.AppendLine("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}.reproduced{background:#d9f2d9}.not-reproduced{background:#f8d7d7}.skipped{background:#eee}img{max-width:100%}pre{background:#f4f4f4;padding:6px;white-space:pre-wrap}</style>");
        html.AppendLine("</head><body>");
        html.AppendLine("<h1>Reproduction report</h1>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p>Experiment list version {version}, {(quick ? "quick" : "full")} run. Every status is measured from the run folders.</p>");
        html.AppendLine("<h2>Claims</h2>");
        html.AppendLine("<table id=\"claims\"><thead><tr><th>claim</th><th>measured</th><th>criterion</th><th>status</th><th>source</th></tr></thead><tbody>");
        foreach (var c in claims)
        {
            string css = c.Status == Reproduced ? "reproduced" : c.Status == NotReproduced ? "not-reproduced" : "skipped";
            html.AppendLine(CultureInfo.InvariantCulture, $"<tr class=\"{css}\" data-claim-id=\"{E(c.Id)}\"><td>{E(c.Text)}</td><td>{E(c.Measured)}</td><td>{E(c.Criterion)}</td><td>{E(c.Status)}</td><td>{E(c.Source)}</td></tr>");
        }

        html.AppendLine("</tbody></table>");
        html.AppendLine("<h2>Experiments</h2>");
        foreach (var e in runs)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<h3 id=\"{E(e.Name)}\">{E(e.Name)}</h3><p>{E(e.Title)}.</p>");
            html.AppendLine(CultureInfo.InvariantCulture, $"<pre>{E(e.Command)}</pre>");
            foreach (var (_, path) in figures.Where(f => f.Run == e.Name))
            {
                string data = Convert.ToBase64String(figure(path));
                html.AppendLine(CultureInfo.InvariantCulture, $"<figure><img src=\"data:image/png;base64,{data}\" alt=\"{E(path)}\"><figcaption>{E(path)}</figcaption></figure>");
            }
        }

        if (netSkipReason is not null)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<p>Real-network part: {E(netSkipReason)}.</p>");
        }

        html.AppendLine("</body></html>");
        return html.ToString();
    }
}
