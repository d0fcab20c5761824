using static Sharpness.Experiments.Reproduction.ReproductionRuns;

namespace Sharpness.Experiments.Reproduction.Claims;

/// <summary>The UV model sharpens progressively when its output starts small (μP).</summary>
public sealed class UvSharpeningSmallOutput : Claim
{
    /// <inheritdoc/>
    public override string Id => "uv-sharpening-small-output";

    /// <inheritdoc/>
    public override string Statement => "UV model: progressive sharpening when the output is small (muP)";

    /// <inheritdoc/>
    public override string Criterion => "NTK labels of the muP run contain progressive-sharpening";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Runs => [ExperimentList.UvMupSharpening];

    /// <inheritdoc/>
    public override int Order => 20;

    /// <inheritdoc/>
    protected override ClaimResult Measure(ReproductionRuns runs)
    {
        var results = runs.Results(ExperimentList.UvMupSharpening);
        string[] ntkLabels = Texts(results["ntk_labels"]);
        var table = new EvidenceTable("The muP run: first and last step, and its labels", ["", "step", "f", "NTK lambda", "lambda_H", "labels (lambda_H)", "labels (NTK)"],
        [
            ["first", Format(Number(results["initial"]?["step"]), 6), G(Number(results["initial"]?["f"])), G(Number(results["initial"]?["ntk"])), G(Number(results["initial"]?["sharpness"])), "", ""],
            ["last", Format(Number(results["final"]?["step"]), 6), G(Number(results["final"]?["f"])), G(Number(results["final"]?["ntk"])), G(Number(results["final"]?["sharpness"])),
                string.Join(' ', Texts(results["labels"])), string.Join(' ', ntkLabels)],
        ]);
        return ClaimResult.Decided(ntkLabels.Contains("progressive-sharpening"), TextValue(string.Join(' ', ntkLabels.DefaultIfEmpty("(no labels)"))))
            with { Evidence = [table] };
    }
}
