using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>The UV model loses sharpness early when its initial output is far above the target.</summary>
public sealed class UvReductionLargeOutput : Claim
{
    /// <inheritdoc/>
    public override string Id => "uv-reduction-large-output";

    /// <inheritdoc/>
    public override string Statement => "UV model: sharpness decreases early when the initial output is large";

    /// <inheritdoc/>
    public override string Criterion => "labels of the large-output run contain sharpness-reduction";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.UvLargeOutput];

    /// <inheritdoc/>
    public override int Order => 10;

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var results = runs.Results(ExperimentList.UvLargeOutput);
        string[] labels = Texts(results["labels"]);
        double f0 = Number(results["initial"]?["f"]);
        var table = new EvidenceTable("The large-output run: first and last step", ["step", "f", "NTK lambda", "lambda_H", "eta*lambda_H"],
            [Row(results["initial"]), Row(results["final"])]);
        return ClaimResult.Decided(labels.Contains("sharpness-reduction"), TextValue(string.Join(' ', labels.DefaultIfEmpty("(no labels)")) + $" (f0 = {G(f0)}, y = 1)"))
            with { Evidence = [table] };
    }

    private static IReadOnlyList<string> Row(System.Text.Json.Nodes.JsonNode? record) =>
        [Format(Number(record?["step"]), 6), G(Number(record?["f"])), G(Number(record?["ntk"])), G(Number(record?["sharpness"])), G(Number(record?["lr_sharpness"]))];
}
