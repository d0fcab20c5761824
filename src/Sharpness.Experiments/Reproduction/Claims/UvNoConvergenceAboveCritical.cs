using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>Gradient descent on the UV model cannot converge above the critical learning rate (r &gt; 1).</summary>
public sealed class UvNoConvergenceAboveCritical : Claim
{
    /// <inheritdoc/>
    public override string Id => "uv-no-convergence-above-critical";

    /// <inheritdoc/>
    public override string Statement => "UV model: GD cannot converge for eta > eta_c";

    /// <inheritdoc/>
    public override string Criterion => "no converged cell with r > 1 in the scaled phase diagram (not decided without such cells)";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.PhaseScaled];

    /// <inheritdoc/>
    public override int Order => 30;

    /// <inheritdoc/>
    public override string? QuickCaveat => "a 30 x 30 grid of 500 steps instead of 90 x 100 of 2000: fewer cells above r = 1 are tested";

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var cells = runs.Table(ExperimentList.PhaseScaled, "phase.csv");
        var above = cells.Where(row => Number(row["r"]) > 1).ToList();
        static bool Converged(string category) => category.StartsWith("converged", StringComparison.Ordinal) || category.EndsWith("converged", StringComparison.Ordinal);
        int converged = above.Count(row => Converged(row["category"]));
        var table = new EvidenceTable($"Categories of the {above.Count} cells with r > 1 (of {cells.Count})", ["category", "cells"],
            above.GroupBy(row => row["category"]).OrderByDescending(g => g.Count()).Select(g => (IReadOnlyList<string>)[g.Key, g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture)]).ToArray());
        var sources = new[] { ExperimentList.PhaseScaled + "/phase.csv" };
        return above.Count == 0
            ? ClaimResult.Undecided("no cell of the phase diagram has r > 1") with { Sources = sources }
            : ClaimResult.Decided(converged == 0, System.Text.Json.Nodes.JsonValue.Create(converged)) with { Evidence = [table], Sources = sources };
    }
}
