using System.Text.Json.Nodes;

namespace Sharpness.Experiments.Reproduction;

/// <summary>The outcome of measuring one claim on a reproduction's runs.</summary>
public sealed record ClaimResult
{
    /// <summary>Reproduced, not reproduced or not decided.</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>Why the claim is not decided (run too short, too few measurements, data missing, experiment skipped); null when it is decided.</summary>
    public string? Reason { get; init; }

    /// <summary>The measured value in one line: a number or a short text (the claims table's "measured" column).</summary>
    public required JsonNode Measured { get; init; }

    /// <summary>The numbers the verdict rests on (flip points, exponents, per-η statistics, ...), as tables.</summary>
    public IReadOnlyList<EvidenceTable> Evidence { get; init; } = [];

    /// <summary>The files the measurement read, relative to the reproduction's folder.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>A decided result.</summary>
    /// <param name="met">Whether the criterion is met.</param>
    /// <param name="measured">The measured value.</param>
    public static ClaimResult Decided(bool met, JsonNode measured) =>
        new() { Verdict = met ? Verdict.Reproduced : Verdict.NotReproduced, Measured = measured };

    /// <summary>A result that is not decided, with its reason.</summary>
    /// <param name="reason">Why the runs cannot decide the claim.</param>
    /// <param name="measured">What was measured nevertheless (the reason when null).</param>
    public static ClaimResult Undecided(string reason, JsonNode? measured = null) =>
        new() { Verdict = Verdict.NotDecided, Reason = reason, Measured = measured ?? JsonValue.Create(reason) };
}

/// <summary>A small table of the numbers behind a verdict.</summary>
/// <param name="Caption">What the table shows, in one sentence.</param>
/// <param name="Columns">Column headers.</param>
/// <param name="Rows">Rows of cells, each as many as <paramref name="Columns"/>, formatted for reading.</param>
public sealed record EvidenceTable(string Caption, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);
