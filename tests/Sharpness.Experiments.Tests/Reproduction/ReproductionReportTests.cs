using System.Text.Json.Nodes;
using Sharpness.Experiments.Reproduction;

namespace Sharpness.Experiments.Tests.Reproduction;

public class ReproductionReportTests
{
    private static readonly ClaimRecord Decided = new("a-claim", "A | claim", JsonValue.Create(4.6679), "ratio <= 0.01 off", Verdict.Reproduced, null, "cascade/manifest.json", null,
        [new EvidenceTable("Flip points", ["period", "r_k"], [["1 -> 2", "1"], ["2 -> 4", "1.236"]])]);

    private static readonly ClaimRecord Undecided = new("b-claim", "B <claim>", JsonValue.Create("eta 0.1: mean 1.4 over 4"), "ten measurements", Verdict.NotDecided,
        "too few measurements, 4 after reaching 2/eta at step 0 (needs 10)", "net-eos/eta-0.1/metrics.csv", "one learning rate", []);

    [Fact]
    public void ClaimsJsonRoundTripsAndReadsTheOldSkippedStatus()
    {
        string path = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, ClaimsDocument.Text([Decided, Undecided], quick: true));

        var read = ClaimsDocument.Read(path);

        Assert.Equal(2, read.Count);
        Assert.Equal((Decided.Id, Decided.Verdict, Decided.Reason, Decided.Source), (read[0].Id, read[0].Verdict, read[0].Reason, read[0].Source));
        Assert.Equal(Decided.Evidence[0].Rows, read[0].Evidence[0].Rows);
        Assert.Equal(4.6679, read[0].Measured!.GetValue<double>());
        Assert.Equal((Verdict.NotDecided, Undecided.Reason, "one learning rate"), (read[1].Verdict, read[1].Reason, read[1].QuickCaveat));

        File.WriteAllText(path, """{"claims": [{"id": "x", "claim": "c", "measured": "m", "criterion": "k", "status": "skipped: --no-net", "source": "net-eos"}]}""");
        var old = ClaimsDocument.Read(path).Single();
        Assert.Equal((Verdict.NotDecided, "experiment skipped: --no-net"), (old.Verdict, old.Reason));

        File.WriteAllText(path, """{"claims": [{"id": "x", "claim": "c", "measured": "m", "criterion": "k", "status": "green", "source": "s"}]}""");
        Assert.Contains("'green'", Assert.Throws<InvalidDataException>(() => ClaimsDocument.Read(path)).Message, StringComparison.Ordinal);
        File.Delete(path);
    }

    [Fact]
    public void MarkdownShowsTheVerdictsReasonsCaveatsAndEvidence()
    {
        var runs = new[] { new ReportRun("cascade", "Period-doubling cascade", "sharpness uv cascade --out $out/cascade", ["cascade/x.png"]) };

        string quick = ReproductionReport.Markdown(4, true, null, [Decided, Undecided], runs);
        string full = ReproductionReport.Markdown(4, false, "skipped: --no-net", [Decided, Undecided], runs);

        Assert.Contains("1 of 2 claims reproduced, 0 not reproduced, 1 not decided.", quick, StringComparison.Ordinal);
        Assert.Contains("| A \\| claim | 4.6679 | ratio <= 0.01 off | reproduced | cascade/manifest.json |", quick, StringComparison.Ordinal);
        Assert.Contains("| not decided: too few measurements, 4 after reaching 2/eta at step 0 (needs 10) |", quick, StringComparison.Ordinal);
        Assert.Contains("* `b-claim`: one learning rate.", quick, StringComparison.Ordinal);
        Assert.Contains("### a-claim: reproduced\n\nA | claim.\n\nFlip points.\n\n| period | r_k |\n|---|---|\n| 1 -> 2 | 1 |\n| 2 -> 4 | 1.236 |\n", quick.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("![cascade: x.png](cascade/x.png)", quick, StringComparison.Ordinal);
        Assert.DoesNotContain("quick sizes decide less reliably", full, StringComparison.Ordinal);
        Assert.Contains("Real-network part: skipped: --no-net.", full, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlEscapesTextMarksEachVerdictAndEmbedsTheFigures()
    {
        var runs = new[] { new ReportRun("cascade", "Cascade", "sharpness uv cascade", ["cascade/x.png"]) };

        string html = ReproductionReport.Html(4, true, null, [Decided, Undecided], runs, _ => [1, 2, 3]);

        Assert.Contains("<tr class=\"reproduced\" data-claim-id=\"a-claim\">", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"not-decided\" data-claim-id=\"b-claim\"><td><a href=\"#claim-b-claim\">B &lt;claim&gt;</a></td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>not decided<span class=\"reason\">too few measurements, 4 after reaching 2/eta at step 0 (needs 10)</span></td>", html, StringComparison.Ordinal);
        Assert.Contains("<caption>Flip points</caption>", html, StringComparison.Ordinal);
        Assert.Contains("<img src=\"data:image/png;base64,AQID\" alt=\"cascade/x.png\">", html, StringComparison.Ordinal);
    }
}
