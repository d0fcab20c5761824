using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>The UV model's edge of stability doubles its period in a cascade with Feigenbaum's ratio.</summary>
public sealed class UvFeigenbaum : Claim
{
    /// <summary>Feigenbaum's constant δ.</summary>
    public const double Delta = 4.669201609;

    /// <inheritdoc/>
    public override string Id => "uv-feigenbaum";

    /// <inheritdoc/>
    public override string Statement => "UV model: period doubling with Feigenbaum ratio -> 4.669";

    /// <inheritdoc/>
    public override string Criterion => "|last ratio - 4.6692| <= 0.01 (not decided with fewer than three flip points)";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.Cascade];

    /// <inheritdoc/>
    public override int Order => 50;

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var results = runs.Results(ExperimentList.Cascade);
        var flips = (results["flip_points"] as System.Text.Json.Nodes.JsonArray ?? []).ToArray();
        double[] ratios = (results["feigenbaum_ratios"] as System.Text.Json.Nodes.JsonArray ?? []).Select(Number).ToArray();
        var rows = new List<IReadOnlyList<string>>();
        for (int k = 0; k < flips.Length; k++)
        {
            double r = Number(flips[k]?["r"]);
            double gap = k > 0 ? r - Number(flips[k - 1]?["r"]) : double.NaN;
            rows.Add([
                $"{Integer(flips[k]?["from"])} -> {Integer(flips[k]?["to"])}", Format(r, 15), Format(Number(flips[k]?["bracket"]), 2), Format(gap, 6),
                k >= 2 && k - 2 < ratios.Length ? Format(ratios[k - 2], 7) : "",
            ]);
        }

        var table = new EvidenceTable(
            $"Flip points r_k of the cascade ({Text(results["map"]) ?? "?"} map), the gaps r_k - r_(k-1) and the ratios of successive gaps; accumulation ~ {Format(Number(results["accumulation"]), 12)}, bounded dynamics end at r = {Format(Number(results["bounded_until"]), 12)}",
            ["period", "r_k", "bracket", "r_k - r_(k-1)", "Feigenbaum ratio"], rows);
        if (ratios.Length == 0)
        {
            return ClaimResult.Undecided($"too few measurements: {flips.Length} flip points, a ratio needs three") with { Evidence = [table] };
        }

        double last = ratios[^1];
        return ClaimResult.Decided(Math.Abs(last - Delta) <= 0.01, NumberValue(last)) with { Evidence = [table] };
    }
}
