using System.Globalization;
using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>Beyond the accumulation point the UV model's edge of stability is chaotic: a positive Lyapunov exponent.</summary>
public sealed class UvChaos : Claim
{
    /// <inheritdoc/>
    public override string Id => "uv-chaos";

    /// <inheritdoc/>
    public override string Statement => "UV model: chaos with a positive Lyapunov exponent (r = 1.4)";

    /// <inheritdoc/>
    public override string Criterion => "largest exponent > 0 by more than twice its uncertainty (label chaos); not decided when it is within that of 0 (marginal)";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.LyapunovChaos, ExperimentList.Lyapunov];

    /// <inheritdoc/>
    public override int Order => 60;

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var value = (runs.Results(ExperimentList.LyapunovChaos)["values"] as System.Text.Json.Nodes.JsonArray)?.FirstOrDefault()
            ?? throw new MissingRunDataException($"{ExperimentList.LyapunovChaos}/manifest.json has no values");
        double[] exponents = (value["exponents"] as System.Text.Json.Nodes.JsonArray ?? []).Select(Number).ToArray();
        double[] uncertainties = (value["uncertainties"] as System.Text.Json.Nodes.JsonArray ?? []).Select(Number).ToArray();
        string label = Text(value["label"]) ?? "?";
        double largest = exponents.Length > 0 ? exponents[0] : double.NaN;
        var single = new EvidenceTable($"Lyapunov exponents at r = {Format(Number(value["r"]))} (natural log per step, +- uncertainty)", ["exponent", "value", "uncertainty", "period", "label"],
            exponents.Select((e, k) => (IReadOnlyList<string>)[$"lambda_{k + 1}", Format(e, 6), k < uncertainties.Length ? Format(uncertainties[k], 2) : "–",
                Integer(value["period"])?.ToString(CultureInfo.InvariantCulture) ?? "none", label]).ToArray());

        var sweep = runs.Table(ExperimentList.Lyapunov, "lyapunov.csv");
        var chaotic = sweep.Where(row => row["label"] == "chaos").Select(row => Number(row["r"])).ToArray();
        var labels = new EvidenceTable(
            $"The sweep of {sweep.Count} values of r: how many have each label of the late orbit, and the first r with it; the first r labelled chaos is {(chaotic.Length > 0 ? Format(chaotic.Min(), 6) : "none")} (the cascade accumulates at 1.3023)",
            ["label", "values of r", "first r"],
            sweep.GroupBy(row => row["label"])
                .OrderBy(g => g.Min(row => Number(row["r"])))
                .Select(g => (IReadOnlyList<string>)[g.Key, g.Count().ToString(CultureInfo.InvariantCulture), Format(g.Min(row => Number(row["r"])), 6)])
                .ToArray());
        var evidence = new[] { single, labels };
        return label switch
        {
            "chaos" => ClaimResult.Decided(true, NumberValue(largest)) with { Evidence = evidence },
            "marginal" => ClaimResult.Undecided("the largest exponent is within twice its uncertainty of 0 (marginal): average longer", NumberValue(largest)) with { Evidence = evidence },
            _ => ClaimResult.Decided(false, NumberValue(largest)) with { Evidence = evidence },
        };
    }
}
