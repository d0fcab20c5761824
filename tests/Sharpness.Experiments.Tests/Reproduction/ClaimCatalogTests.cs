using Sharpness.Experiments.Reproduction;

namespace Sharpness.Experiments.Tests.Reproduction;

public class ClaimCatalogTests
{
    private static readonly string[] Ids =
    [
        "uv-reduction-large-output", "uv-sharpening-small-output", "uv-no-convergence-above-critical", "uv-period2-geometric-mean",
        "uv-feigenbaum", "uv-chaos", "net-eos-settles", "net-uv-fit", "net-initial-output-predicts-regime", "net-period-two",
        "net-critical-ordering", "net-zero-readout-c-loss",
    ];

    [Fact]
    public void EveryClaimIsFoundInTableOrderWithItsRunsInTheExperimentList()
    {
        var claims = ClaimCatalog.All;

        Assert.Equal(Ids, claims.Select(c => c.Id));
        Assert.Equal(claims.Count, claims.Select(c => c.Order).Distinct().Count());
        foreach (var claim in claims)
        {
            Assert.NotEmpty(claim.Statement);
            Assert.NotEmpty(claim.Criterion);
            Assert.NotEmpty(claim.Runs);
            Assert.All(claim.Runs, run => Assert.Contains(run, ExperimentList.All.Select(e => e.Name)));
        }
    }

    [Fact]
    public void EveryClaimOnAnEmptyFolderIsNotDecidedForMissingData()
    {
        using var runs = new RunFolders();

        var results = ClaimCatalog.Evaluate(runs.Runs());

        Assert.All(results, r =>
        {
            Assert.Equal(Verdict.NotDecided, r.Result.Verdict);
            Assert.StartsWith("data missing: ", r.Result.Reason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void RealNetworkClaimsOfASkippedPartAreNotDecidedWithTheReason()
    {
        using var runs = new RunFolders();
        var skipped = ExperimentList.All.Where(e => e.RealNetwork).ToDictionary(e => e.Name, _ => "install dataset-fashion-mnist");

        var results = ClaimCatalog.Evaluate(runs.Runs(skipped));

        Assert.All(results.Where(r => r.Claim.Id.StartsWith("net-", StringComparison.Ordinal)), r =>
            Assert.Equal("experiment skipped: install dataset-fashion-mnist", r.Result.Reason));
    }
}
