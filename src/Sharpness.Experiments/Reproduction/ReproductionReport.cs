using System.Globalization;
using System.Net;
using System.Text;

namespace Sharpness.Experiments.Reproduction;

/// <summary>An experiment as the report shows it.</summary>
/// <param name="Name">Run folder name.</param>
/// <param name="Title">What it shows.</param>
/// <param name="Command">Its command line ($out for the reproduction's folder).</param>
/// <param name="Figures">Its figures, as paths relative to the reproduction's folder.</param>
public sealed record ReportRun(string Name, string Title, string Command, IReadOnlyList<string> Figures);

/// <summary>
/// The two reports of a reproduction: report.md (Markdown, figures linked) and index.html
/// (self-contained, figures embedded). Both show the claims table with three verdicts (the reason of
/// every undecided one), what the quick sizes decide less reliably, the numbers behind every claim,
/// and each experiment's command line and figures. Drawn from claims.json and the list of runs alone.
/// </summary>
public static class ReproductionReport
{
    /// <summary>The Markdown report.</summary>
    public const string MarkdownFile = "report.md";

    /// <summary>The self-contained HTML report.</summary>
    public const string HtmlFile = "index.html";

    /// <summary>report.md.</summary>
    /// <param name="version">Experiment-list version.</param>
    /// <param name="quick">Quick sizes.</param>
    /// <param name="netSkipReason">Why the real-network part was skipped, or null.</param>
    /// <param name="claims">The claims, in table order.</param>
    /// <param name="runs">The experiments, in order.</param>
    public static string Markdown(int version, bool quick, string? netSkipReason, IReadOnlyList<ClaimRecord> claims, IReadOnlyList<ReportRun> runs)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(runs);
        static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
        var md = new StringBuilder();
        md.AppendLine("# Reproduction report");
        md.AppendLine();
        md.AppendLine(Introduction(version, quick));
        md.AppendLine();
        md.AppendLine(Counts(claims));
        md.AppendLine();
        md.AppendLine("## Claims");
        md.AppendLine();
        md.AppendLine("| claim | measured | criterion | status | source |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var c in claims)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(c.Statement)} | {Cell(c.MeasuredText)} | {Cell(c.Criterion)} | {Cell(c.StatusText)} | {Cell(c.Source)} |");
        }

        if (quick && claims.Any(c => c.QuickCaveat is not null))
        {
            md.AppendLine();
            md.AppendLine("## What the quick sizes decide less reliably");
            md.AppendLine();
            md.AppendLine(QuickIntroduction);
            md.AppendLine();
            foreach (var c in claims.Where(c => c.QuickCaveat is not null))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"* `{c.Id}`: {c.QuickCaveat}.");
            }
        }

        md.AppendLine();
        md.AppendLine("## The numbers behind the claims");
        foreach (var c in claims)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"### {c.Id}: {c.StatusText}");
            md.AppendLine();
            md.AppendLine(c.Statement + ".");
            foreach (var table in c.Evidence)
            {
                md.AppendLine();
                md.AppendLine(table.Caption + ".");
                md.AppendLine();
                md.AppendLine("| " + string.Join(" | ", table.Columns.Select(Cell)) + " |");
                md.AppendLine("|" + string.Concat(table.Columns.Select(_ => "---|")));
                foreach (var row in table.Rows)
                {
                    md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
                }
            }
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
            foreach (string path in e.Figures)
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

    /// <summary>index.html, with every figure embedded as a base64 PNG data URI.</summary>
    /// <param name="version">Experiment-list version.</param>
    /// <param name="quick">Quick sizes.</param>
    /// <param name="netSkipReason">Why the real-network part was skipped, or null.</param>
    /// <param name="claims">The claims, in table order.</param>
    /// <param name="runs">The experiments, in order.</param>
    /// <param name="figure">The bytes of a figure, by its path relative to the reproduction's folder.</param>
    public static string Html(int version, bool quick, string? netSkipReason, IReadOnlyList<ClaimRecord> claims, IReadOnlyList<ReportRun> runs, Func<string, byte[]> figure)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(figure);
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sharpness: reproduction report</title>");
        html.AppendLine("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}.reproduced{background:#d9f2d9}.not-reproduced{background:#f8d7d7}.not-decided{background:#fff3cd}.evidence td,.evidence th{font-size:90%}img{max-width:100%}pre{background:#f4f4f4;padding:6px;white-space:pre-wrap}.reason{display:block;font-size:90%}</style>");
        html.AppendLine("</head><body>");
        html.AppendLine("<h1>Reproduction report</h1>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p>{E(Introduction(version, quick))}</p>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p>{E(Counts(claims))}</p>");
        html.AppendLine("<h2>Claims</h2>");
        html.AppendLine("<table id=\"claims\"><thead><tr><th>claim</th><th>measured</th><th>criterion</th><th>status</th><th>source</th></tr></thead><tbody>");
        foreach (var c in claims)
        {
            string status = E(VerdictText.Of(c.Verdict)) + (c.Reason is null ? string.Empty : $"<span class=\"reason\">{E(c.Reason)}</span>");
            html.AppendLine(CultureInfo.InvariantCulture, $"<tr class=\"{Css(c.Verdict)}\" data-claim-id=\"{E(c.Id)}\"><td><a href=\"#claim-{E(c.Id)}\">{E(c.Statement)}</a></td><td>{E(c.MeasuredText)}</td><td>{E(c.Criterion)}</td><td>{status}</td><td>{E(c.Source)}</td></tr>");
        }

        html.AppendLine("</tbody></table>");
        if (quick && claims.Any(c => c.QuickCaveat is not null))
        {
            html.AppendLine("<h2>What the quick sizes decide less reliably</h2>");
            html.AppendLine(CultureInfo.InvariantCulture, $"<p>{E(QuickIntroduction)}</p><ul>");
            foreach (var c in claims.Where(c => c.QuickCaveat is not null))
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<li><code>{E(c.Id)}</code>: {E(c.QuickCaveat!)}.</li>");
            }

            html.AppendLine("</ul>");
        }

        html.AppendLine("<h2>The numbers behind the claims</h2>");
        foreach (var c in claims)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<h3 id=\"claim-{E(c.Id)}\" class=\"{Css(c.Verdict)}\">{E(c.Id)}: {E(c.StatusText)}</h3><p>{E(c.Statement)}.</p>");
            foreach (var table in c.Evidence)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<table class=\"evidence\"><caption>{E(table.Caption)}</caption><thead><tr>{string.Concat(table.Columns.Select(h => $"<th>{E(h)}</th>"))}</tr></thead><tbody>");
                foreach (var row in table.Rows)
                {
                    html.AppendLine("<tr>" + string.Concat(row.Select(cell => $"<td>{E(cell)}</td>")) + "</tr>");
                }

                html.AppendLine("</tbody></table>");
            }
        }

        html.AppendLine("<h2>Experiments</h2>");
        foreach (var e in runs)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<h3 id=\"{E(e.Name)}\">{E(e.Name)}</h3><p>{E(e.Title)}.</p>");
            html.AppendLine(CultureInfo.InvariantCulture, $"<pre>{E(e.Command)}</pre>");
            foreach (string path in e.Figures)
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

    private const string QuickIntroduction =
        "The quick sizes decide every claim in a few minutes, but some from less data than the full reproduction; a verdict on these can differ from the full run's:";

    private static string Introduction(int version, bool quick) =>
        string.Create(CultureInfo.InvariantCulture, $"Experiment list version {version}, {(quick ? "quick" : "full")} run. Every verdict below is measured from the run folders: reproduced when the measurement meets the criterion, not reproduced when a measurement with enough data misses it, not decided (with the reason) when the runs cannot tell.");

    private static string Counts(IReadOnlyList<ClaimRecord> claims) =>
        string.Create(CultureInfo.InvariantCulture, $"{claims.Count(c => c.Verdict == Verdict.Reproduced)} of {claims.Count} claims reproduced, {claims.Count(c => c.Verdict == Verdict.NotReproduced)} not reproduced, {claims.Count(c => c.Verdict == Verdict.NotDecided)} not decided.");

    private static string Css(Verdict verdict) => verdict switch
    {
        Verdict.Reproduced => "reproduced",
        Verdict.NotReproduced => "not-reproduced",
        _ => "not-decided",
    };
}
