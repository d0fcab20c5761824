using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Runs;

namespace Sharpness.Experiments.Reproduction;

/// <summary>One row of claims.json: a claim, its verdict and the numbers behind it, self-contained (the reports are drawn from it alone).</summary>
/// <param name="Id">Claim id.</param>
/// <param name="Statement">The claim in one sentence.</param>
/// <param name="Measured">The measured value (a number or a short text).</param>
/// <param name="Criterion">The criterion.</param>
/// <param name="Verdict">The verdict.</param>
/// <param name="Reason">Why it is not decided, or null.</param>
/// <param name="Source">The files read, comma-separated.</param>
/// <param name="QuickCaveat">How quick sizes weaken the decision, or null.</param>
/// <param name="Evidence">The numbers behind the verdict.</param>
public sealed record ClaimRecord(string Id, string Statement, JsonNode? Measured, string Criterion, Verdict Verdict, string? Reason, string Source, string? QuickCaveat, IReadOnlyList<EvidenceTable> Evidence)
{
    /// <summary>The record of a measured claim.</summary>
    /// <param name="measured">The claim and its result.</param>
    public static ClaimRecord From(MeasuredClaim measured)
    {
        ArgumentNullException.ThrowIfNull(measured);
        var (claim, result) = (measured.Claim, measured.Result);
        return new ClaimRecord(claim.Id, claim.Statement, result.Measured, claim.Criterion, result.Verdict, result.Reason, string.Join(", ", result.Sources), claim.QuickCaveat, result.Evidence);
    }

    /// <summary>The verdict as written, with the reason when not decided: "not decided: run too short ...".</summary>
    public string StatusText => Reason is null ? VerdictText.Of(Verdict) : $"{VerdictText.Of(Verdict)}: {Reason}";

    /// <summary>The measured value as text: a number with ten significant digits, a string as is, "-" for none.</summary>
    public string MeasuredText => Measured switch
    {
        null => "-",
        JsonValue v when v.TryGetValue(out double d) => d.ToString("G10", System.Globalization.CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue(out string? s) => s ?? "-",
        _ => Measured.ToJsonString(),
    };
}

/// <summary>claims.json: the experiment-list version, whether the run was quick, and one record per claim.</summary>
public static class ClaimsDocument
{
    /// <summary>The file name.</summary>
    public const string FileName = "claims.json";

    /// <summary>The document as JSON.</summary>
    /// <param name="claims">The records, in table order.</param>
    /// <param name="quick">Whether the reproduction used the quick sizes.</param>
    public static JsonObject ToJson(IEnumerable<ClaimRecord> claims, bool quick) => new()
    {
        ["experiment_list_version"] = ExperimentList.Version,
        ["quick"] = quick,
        ["claims"] = new JsonArray(claims.Select(c => (JsonNode?)ClaimJson(c)).ToArray()),
    };

    /// <summary>Counts of each verdict, for the manifest.</summary>
    /// <param name="claims">The records.</param>
    public static JsonObject Counts(IReadOnlyCollection<ClaimRecord> claims) => new()
    {
        [VerdictText.Reproduced] = claims.Count(c => c.Verdict == Verdict.Reproduced),
        [VerdictText.NotReproduced] = claims.Count(c => c.Verdict == Verdict.NotReproduced),
        [VerdictText.NotDecided] = claims.Count(c => c.Verdict == Verdict.NotDecided),
    };

    /// <summary>One record as JSON.</summary>
    /// <param name="c">The record.</param>
    public static JsonObject ClaimJson(ClaimRecord c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new()
        {
            ["id"] = c.Id,
            ["claim"] = c.Statement,
            ["measured"] = c.Measured?.DeepClone(),
            ["criterion"] = c.Criterion,
            ["status"] = VerdictText.Of(c.Verdict),
            ["reason"] = c.Reason,
            ["source"] = c.Source,
            ["quick_caveat"] = c.QuickCaveat,
            ["evidence"] = new JsonArray(c.Evidence.Select(t => (JsonNode?)new JsonObject
            {
                ["caption"] = t.Caption,
                ["columns"] = new JsonArray(t.Columns.Select(h => (JsonNode?)JsonValue.Create(h)).ToArray()),
                ["rows"] = new JsonArray(t.Rows.Select(r => (JsonNode?)new JsonArray(r.Select(cell => (JsonNode?)JsonValue.Create(cell)).ToArray())).ToArray()),
            }).ToArray()),
        };
    }

    /// <summary>Reads the records of a claims.json. Files of earlier versions (status "skipped: ...", no reason or evidence) are read as not decided.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file is not a claims table (the message names it).</exception>
    public static IReadOnlyList<ClaimRecord> Read(string path)
    {
        JsonArray claims;
        try
        {
            claims = JsonNode.Parse(Sharpness.Runs.Safety.BoundedFile.ReadAllText(path, Sharpness.Runs.Safety.FileKindLimit.Manifest))?["claims"] as JsonArray ?? throw new InvalidDataException($"'{path}' has no \"claims\" array.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}");
        }
        catch (Sharpness.Runs.Safety.InputFileException e)
        {
            throw new InvalidDataException(e.Message);
        }

        string Field(JsonNode? claim, string key) => claim?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new InvalidDataException($"'{path}': a claim has no \"{key}\".");
        string? Optional(JsonNode? claim, string key) => claim?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        return claims.Select(c =>
        {
            string status = Field(c, "status");
            string? reason = Optional(c, "reason");
            if (!VerdictText.TryParse(status, out var verdict))
            {
                (verdict, reason) = status.StartsWith("skipped: ", StringComparison.Ordinal)
                    ? (Verdict.NotDecided, "experiment " + status)
                    : throw new InvalidDataException($"'{path}': claim '{Field(c, "id")}' has the status '{status}', not one of reproduced, not reproduced, not decided.");
            }

            var evidence = (c?["evidence"] as JsonArray ?? []).Select(t => new EvidenceTable(
                Optional(t, "caption") ?? string.Empty,
                (t?["columns"] as JsonArray ?? []).Select(h => h?.GetValue<string>() ?? string.Empty).ToArray(),
                (t?["rows"] as JsonArray ?? []).Select(r => (IReadOnlyList<string>)(r as JsonArray ?? []).Select(cell => cell?.GetValue<string>() ?? string.Empty).ToArray()).ToArray())).ToArray();
            return new ClaimRecord(Field(c, "id"), Field(c, "claim"), c?["measured"]?.DeepClone(), Field(c, "criterion"), verdict, reason, Field(c, "source"), Optional(c, "quick_caveat"), evidence);
        }).ToArray();
    }

    /// <summary>The document written with the toolkit's JSON conventions, with a final newline.</summary>
    /// <param name="claims">The records.</param>
    /// <param name="quick">Whether the reproduction used the quick sizes.</param>
    public static string Text(IEnumerable<ClaimRecord> claims, bool quick) => ToJson(claims, quick).ToJsonString(JsonOutput.Options) + "\n";
}
