using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Runs;

namespace Sharpness.Experiments.Reproduction;

/// <summary>
/// One claim of the papers, measured from a reproduction's runs. A claim is one small class: its
/// id, statement, criterion, the runs it reads and its evaluation. Every non-abstract subclass in
/// this assembly is a claim of the reproduction (<see cref="ClaimCatalog"/>): adding a claim is
/// adding one file.
/// </summary>
public abstract class Claim
{
    /// <summary>Stable identifier (claims.json "id").</summary>
    public abstract string Id { get; }

    /// <summary>The claim in one sentence.</summary>
    public abstract string Statement { get; }

    /// <summary>What the measurement must show for the claim to be reproduced, and what leaves it undecided.</summary>
    public abstract string Criterion { get; }

    /// <summary>The experiments (run folder names of <see cref="ExperimentList"/>) the claim reads.</summary>
    public abstract IReadOnlyList<string> Runs { get; }

    /// <summary>Position in the claims table (increasing).</summary>
    public abstract int Order { get; }

    /// <summary>How the quick sizes decide this claim less reliably than the full ones, or null when they decide it as well.</summary>
    public virtual string? QuickCaveat => null;

    /// <summary>
    /// Measures the claim. A run that was skipped leaves it not decided ("experiment skipped: ...");
    /// a file or value it needs that is missing leaves it not decided ("data missing: ...").
    /// </summary>
    /// <param name="runs">The reproduction's runs.</param>
    public ClaimResult Evaluate(ReproductionRuns runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        string[] defaultSources = Runs.Select(r => r + "/" + RunDirectory.ManifestFileName).ToArray();
        if (Runs.Select(runs.SkipReason).FirstOrDefault(r => r is not null) is { } skip)
        {
            return ClaimResult.Undecided("experiment skipped: " + skip) with { Sources = Runs.ToArray() };
        }

        try
        {
            var result = Measure(runs);
            return result.Sources.Count > 0 ? result : result with { Sources = defaultSources };
        }
        catch (Exception e) when (e is MissingRunDataException or JsonException or IOException)
        {
            return ClaimResult.Undecided("data missing: " + e.Message) with { Sources = defaultSources };
        }
    }

    /// <summary>The measurement itself, on runs that all exist.</summary>
    /// <param name="runs">The reproduction's runs.</param>
    protected abstract ClaimResult Measure(ReproductionRuns runs);

    /// <summary>A text value for <see cref="ClaimResult.Measured"/>.</summary>
    /// <param name="text">The text.</param>
    protected static JsonNode TextValue(string text) => JsonValue.Create(text);

    /// <summary>A number value for <see cref="ClaimResult.Measured"/> (non-finite ones as "NaN", "Infinity").</summary>
    /// <param name="value">The number.</param>
    protected static JsonNode NumberValue(double value) => JsonOutput.Number(value);

    /// <summary>Four significant digits.</summary>
    /// <param name="value">The number.</param>
    protected static string G(double value) => ReproductionRuns.Format(value);
}

/// <summary>A claim with its result.</summary>
/// <param name="Claim">The claim.</param>
/// <param name="Result">Its measurement on the runs.</param>
public sealed record MeasuredClaim(Claim Claim, ClaimResult Result);

/// <summary>The claims of the reproduction, in table order.</summary>
public static class ClaimCatalog
{
    /// <summary>Every claim: the non-abstract subclasses of <see cref="Claim"/> in this assembly, by <see cref="Claim.Order"/>.</summary>
    public static IReadOnlyList<Claim> All { get; } = typeof(Claim).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Claim)) && !t.IsAbstract)
        .Select(t => (Claim)Activator.CreateInstance(t)!)
        .OrderBy(c => c.Order)
        .ToArray();

    /// <summary>Measures every claim on the runs.</summary>
    /// <param name="runs">The reproduction's runs.</param>
    public static IReadOnlyList<MeasuredClaim> Evaluate(ReproductionRuns runs) =>
        All.Select(c => new MeasuredClaim(c, c.Evaluate(runs))).ToArray();
}
