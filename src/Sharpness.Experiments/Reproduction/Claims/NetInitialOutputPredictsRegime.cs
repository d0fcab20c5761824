using System.Globalization;
using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>The UV model's growth wedge: a network's output at initialisation predicts whether its sharpness first falls or rises.</summary>
public sealed class NetInitialOutputPredictsRegime : Claim
{
    /// <summary>Fewest configurations that decide the claim.</summary>
    public const int MinimumConfigurations = 4;

    /// <inheritdoc/>
    public override string Id => "net-initial-output-predicts-regime";

    /// <inheritdoc/>
    public override string Statement => "Real networks: the initial output predicts the early regime (UV growth wedge)";

    /// <inheritdoc/>
    public override string Criterion =>
        $"predicted early regime (sharpness reduction or progressive sharpening) equals the observed one in at least 75% of the configurations; not decided with fewer than {MinimumConfigurations}";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.NetPredict];

    /// <inheritdoc/>
    public override int Order => 90;

    /// <inheritdoc/>
    public override string? QuickCaveat => "width 64 and init scales 1 and 4 only, a third of the full run's configurations: the fraction moves in steps of 10%";

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var predictions = runs.Results(ExperimentList.NetPredict)["predictions"] ?? throw new MissingRunDataException("net-predict/manifest.json has no predictions");
        int configurations = Integer(predictions["configurations"]) ?? 0, agree = Integer(predictions["agree"]) ?? 0;
        var rows = runs.Table(ExperimentList.NetPredict, "predictions.csv");
        var table = new EvidenceTable(
            "Per configuration: eta*kappa_0 (x), norm ratio q = |f0|/|y|, projection p = <f0, y>/|y|^2, margin m = x(1 - 2p + q^2) - 4(q^2 - p) (m > 0: sharpening predicted), and the observed regime with min and max of lambda_H/lambda_H(0)",
            ["config", "x", "q", "p", "m", "predicted", "observed (min, max)", "agree"],
            rows.Select(row => (IReadOnlyList<string>)[
                row["config"], G(Number(row["lr_kernel"])), G(Number(row["norm_ratio"])), G(Number(row["projection"])), G(Number(row["margin"])),
                row["predicted_regime"], $"{row["observed_regime"]} ({G(Number(row["sharpness_min_ratio"]))}, {G(Number(row["sharpness_max_ratio"]))})",
                row["agree"] == "1" ? "yes" : "no"]).ToArray());
        var byParam = new EvidenceTable("Agreement by parameterisation", ["parameterisation", "agree", "configurations"],
            (predictions["by_param"] as System.Text.Json.Nodes.JsonObject ?? []).Select(p => (IReadOnlyList<string>)[p.Key,
                (Integer(p.Value?["agree"]) ?? 0).ToString(CultureInfo.InvariantCulture), (Integer(p.Value?["configurations"]) ?? 0).ToString(CultureInfo.InvariantCulture)]).ToArray());
        double fraction = configurations > 0 ? (double)agree / configurations : double.NaN;
        var measured = TextValue($"{agree} of {configurations} configurations ({G(100 * fraction)}%)");
        var sources = new[] { ExperimentList.NetPredict + "/manifest.json", ExperimentList.NetPredict + "/predictions.csv" };
        return (configurations < MinimumConfigurations
            ? ClaimResult.Undecided($"too few measurements: {configurations} configurations (needs {MinimumConfigurations})", measured)
            : ClaimResult.Decided(fraction >= 0.75, measured)) with { Evidence = [table, byParam], Sources = sources };
    }
}
