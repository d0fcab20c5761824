using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>At large learning rates a real network's loss and sharpness oscillate with period 2, as on the UV model's edge of stability.</summary>
public sealed class NetPeriodTwo : Claim
{
    /// <inheritdoc/>
    public override string Id => "net-period-two";

    /// <inheritdoc/>
    public override string Statement => "Real networks: period-2 oscillation of loss and sharpness at large eta";

    /// <inheritdoc/>
    public override string Criterion =>
        "a late window with period 2 in both the loss and the sharpness at some eta (period doubling reported alongside); not decided when no late window is stationary in both (every one transient or diverged)";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.NetPredict];

    /// <inheritdoc/>
    public override int Order => 100;

    /// <inheritdoc/>
    public override string? QuickCaveat => "one learning rate (a = 5, where the full sweep of five finds period 2) instead of five: period doubling cannot show, and a period 2 at another eta is not looked for";

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var oscillation = runs.Results(ExperimentList.NetPredict)["oscillation"] ?? throw new MissingRunDataException("net-predict/manifest.json has no oscillation");
        var rows = runs.Table(ExperimentList.NetPredict, "oscillation.csv");
        var table = new EvidenceTable(
            "The late window at each learning rate eta = 2a/lambda_H(0), for the loss and for lambda_H: the label, the size of the oscillation about a quartic trend relative to the series (amplitude), the misfit of lag 2 (0 for an exact 2-cycle, about 1 for noise; period 2 needs <= 0.25), the amplitude's growth across the window and the Lyapunov estimate; and the mean and geometric mean of eta*lambda_H",
            ["a", "eta", "loss", "loss amplitude", "loss misfit(2)", "loss growth", "loss Lyapunov", "lambda_H", "lambda_H amplitude", "lambda_H misfit(2)", "lambda_H growth", "lambda_H Lyapunov", "mean eta*lambda_H", "geometric mean"],
            rows.Select(row => (IReadOnlyList<string>)[
                row["lr_factor"], G(Number(row["lr"])),
                row["diverged"] == "1" ? "diverged" : row["loss_label"], G(Cell(row, "loss_relative_amplitude")), G(Cell(row, "loss_misfit2")), G(Number(row["loss_amplitude_growth"])), G(Number(row["loss_lyapunov"])),
                row["diverged"] == "1" ? "diverged" : row["sharpness_label"], G(Cell(row, "sharpness_relative_amplitude")), G(Cell(row, "sharpness_misfit2")), G(Number(row["sharpness_amplitude_growth"])), G(Number(row["sharpness_lyapunov"])),
                G(Number(row["late_lr_sharpness_mean"])), G(Number(row["late_lr_sharpness_geometric_mean"]))]).ToArray());
        bool periodTwo = Flag(oscillation["period_two_loss_and_sharpness"]) ?? false;
        bool doubling = Flag(oscillation["period_doubling_found"]) ?? false;
        static bool Stationary(string label) => label is not ("transient" or "diverged");
        static double Cell(IReadOnlyDictionary<string, string> row, string column) => row.TryGetValue(column, out string? text) ? Number(text) : double.NaN;
        bool anyStationary = rows.Any(row => row["diverged"] != "1" && Stationary(row["loss_label"]) && Stationary(row["sharpness_label"]));
        var measured = TextValue($"period 2 in loss and sharpness: {(periodTwo ? "found" : "not found")}; period doubling as eta grows: {(doubling ? "found" : "not found")}");
        var sources = new[] { ExperimentList.NetPredict + "/manifest.json", ExperimentList.NetPredict + "/oscillation.csv" };
        return (periodTwo || anyStationary
            ? ClaimResult.Decided(periodTwo, measured)
            : ClaimResult.Undecided("run too short: no late window is stationary in both the loss and lambda_H (each transient or diverged)", measured)) with { Evidence = [table], Sources = sources };
    }
}
