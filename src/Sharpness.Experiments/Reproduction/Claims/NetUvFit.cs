using System.Globalization;
using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>Beyond the papers: the UV map fitted to a real run's early sharpness predicts its later sharpness better than simple baselines.</summary>
public sealed class NetUvFit : Claim
{
    /// <summary>Fewest held-out measurements that decide the claim.</summary>
    public const int MinimumHeldOut = 5;

    /// <summary>Fewest measurements in the fit window that decide the claim (three parameters are fitted).</summary>
    public const int MinimumFitted = 10;

    /// <inheritdoc/>
    public override string Id => "net-uv-fit";

    /// <inheritdoc/>
    public override string Statement => "Beyond the paper: the UV map fitted to a real run's early sharpness predicts the held-out sharpness";

    /// <inheritdoc/>
    public override string Criterion =>
        $"held-out RMS relative error of the free UV fit below that of every baseline fitted on the same window: the best constant, a linear trend in the step, and the parameter-free 2/eta; not decided with fewer than {MinimumFitted} fitted or {MinimumHeldOut} held-out measurements";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.NetFitUv];

    /// <inheritdoc/>
    public override int Order => 80;

    /// <inheritdoc/>
    public override string? QuickCaveat => "20 steps on 100 images instead of 400 on 1,000: the run ends while the sharpness is still rising, so the held-out window tests the early rise only (where a linear trend is hard to beat), not the edge of stability";

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var results = runs.Results(ExperimentList.NetFitUv);
        if (Text(results["fit_skipped"]) is { } skipped)
        {
            return ClaimResult.Undecided("data missing: the fit was skipped (" + skipped + ")");
        }

        int fitted = Integer(results["fit_points"]) ?? 0, heldOut = Integer(results["held_out_points"]) ?? 0;
        var models = new (string Name, string Key, string Parameters, System.Text.Json.Nodes.JsonNode? Node)[]
        {
            ("UV model, free", "free", "3", results["free"]),
            ("UV model, anchored (f0 projected)", "anchored", "1", results["anchored"]),
            ("constant (mean lambda_H)", "constant", "1", results["baselines"]?["constant"]),
            ("linear trend in the step", "linear", "2", results["baselines"]?["linear"]),
            ("edge of stability, lambda_H = 2/eta", "threshold", "0", results["baselines"]?["threshold"]),
        };
        double Error(string key) => Number(models.Single(m => m.Key == key).Node?["held_out_error"]);
        var table = new EvidenceTable(
            $"RMS relative error of lambda_H, fit window steps {Integer(results["fit_from"])}–{Integer(results["fit_to"])} ({fitted} measurements), {heldOut} held out after it",
            ["model", "fitted parameters", "fit window", "held out"],
            models.Select(m => (IReadOnlyList<string>)[m.Name, m.Parameters, G(Number(m.Node?["fit_error"])), G(Number(m.Node?["held_out_error"]))]).ToArray());

        double uv = Error("free");
        var baselines = new[] { ("constant", Error("constant")), ("linear trend", Error("linear")), ("2/eta", Error("threshold")) };
        var measured = TextValue($"held-out RMS relative error of lambda_H: UV fit {G(uv)}; constant {G(baselines[0].Item2)}, linear trend {G(baselines[1].Item2)}, 2/eta {G(baselines[2].Item2)}");
        if (fitted < MinimumFitted || heldOut < MinimumHeldOut)
        {
            return ClaimResult.Undecided(
                string.Create(CultureInfo.InvariantCulture, $"too few measurements: {fitted} in the fit window (needs {MinimumFitted}), {heldOut} held out (needs {MinimumHeldOut})"), measured) with { Evidence = [table] };
        }

        if (baselines.Any(b => double.IsNaN(b.Item2)) || double.IsNaN(uv))
        {
            return ClaimResult.Undecided("data missing: a held-out error is not in the manifest", measured) with { Evidence = [table] };
        }

        return ClaimResult.Decided(baselines.All(b => uv < b.Item2), measured) with { Evidence = [table] };
    }
}
