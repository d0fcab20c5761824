using System.Globalization;
using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>From a zero readout the loss first rises at c = 2 against the top NTK eigenvalue, as for the UV model with zero output.</summary>
public sealed class NetZeroReadoutCLoss : Claim
{
    /// <summary>Largest grid step (in log2 c) that can decide the claim: a coarser grid brackets c_loss more loosely than the tolerance.</summary>
    public const double LargestStep = 0.25;

    /// <inheritdoc/>
    public override string Id => "net-zero-readout-c-loss";

    /// <inheritdoc/>
    public override string Statement => "Real networks with a zero readout: c_loss = 2 when measured against the top NTK eigenvalue";

    /// <inheritdoc/>
    public override string Criterion =>
        "for every zero-readout initialisation, the grid bracket of c_loss against the NTK, (c_loss/2^step, c_loss], lies within a factor 2^0.25 of 2 (meets [2/2^0.25, 2*2^0.25]); not decided on a grid coarser than 2^0.25 or when c_loss sits at an end of the grid";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.NetEarlyPhase];

    /// <inheritdoc/>
    public override int Order => 120;

    /// <inheritdoc/>
    public override string? QuickCaveat => "one zero-readout initialisation (depth 2, width 256) instead of eight";

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        double step = Number(runs.Configuration(ExperimentList.NetEarlyPhase)["x_step"]);
        var rows = runs.Table(ExperimentList.NetEarlyPhase, "critical.csv").Where(row => row["variant"] == "zero-readout").ToArray();
        double low = 2 / Math.Pow(2, 0.25), high = 2 * Math.Pow(2, 0.25);
        var table = new EvidenceTable(
            $"Zero-readout initialisations: c_loss against the NTK (c*lambda_NTK(0)/lambda_H(0)) and against lambda_H(0), its grid bracket (step 2^{G(step)}), and the first-step constant c_1 against the NTK (>= 2)",
            ["depth", "width", "seed", "lambda_NTK/lambda_H", "c_loss (NTK)", "bracket (NTK)", "c_loss (lambda_H)", "c_1 (NTK)", "within 2^0.25 of 2"],
            rows.Select(row =>
            {
                double c = Number(row["c_loss_ntk"]);
                return (IReadOnlyList<string>)[row["depth"], row["width"], row["seed"], G(Number(row["ntk_ratio"])), G(c), $"({G(c / Math.Pow(2, step))}, {G(c)}]",
                    G(Number(row["c_loss"])), G(Number(row["c_first_step_ntk"])), row["c_loss_bound"] != "=" ? "at the grid's end" : Consistent(c) ? "yes" : "no"];
            }).ToArray());
        bool Consistent(double c) => c >= low && c / Math.Pow(2, step) <= high;
        var measured = TextValue(rows.Length == 0
            ? "no zero-readout runs"
            : $"c_loss against the NTK: {string.Join(", ", rows.Select(r => G(Number(r["c_loss_ntk"]))))}; against lambda_H(0): {string.Join(", ", rows.Select(r => G(Number(r["c_loss"]))))}");
        var sources = new[] { ExperimentList.NetEarlyPhase + "/critical.csv" };
        ClaimResult result = rows.Length == 0 ? ClaimResult.Undecided("data missing: no zero-readout initialisation in the run", measured)
            : !(step <= LargestStep) ? ClaimResult.Undecided(string.Create(CultureInfo.InvariantCulture, $"grid too coarse: neighbouring c are 2^{step} apart, more than the tolerance 2^{LargestStep}"), measured)
            : rows.Any(r => r["c_loss_bound"] == "=" && !Consistent(Number(r["c_loss_ntk"]))) ? ClaimResult.Decided(false, measured)
            : rows.Any(r => r["c_loss_bound"] != "=") ? ClaimResult.Undecided("c_loss sits at an end of the grid for some zero-readout initialisation: widen the grid", measured)
            : ClaimResult.Decided(true, measured);
        return result with { Evidence = [table], Sources = sources };
    }
}
