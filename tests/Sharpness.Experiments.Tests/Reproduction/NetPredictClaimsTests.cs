using System.Text.Json.Nodes;
using Sharpness.Experiments.Reproduction;
using Sharpness.Experiments.Reproduction.Claims;

namespace Sharpness.Experiments.Tests.Reproduction;

public class NetPredictClaimsTests
{
    private static readonly string[] PredictionColumns =
        ["config", "lr_kernel", "norm_ratio", "projection", "margin", "predicted_regime", "observed_regime", "sharpness_min_ratio", "sharpness_max_ratio", "agree"];

    private static readonly string[] OscillationColumns =
        ["lr_factor", "lr", "diverged", "loss_label", "loss_amplitude_growth", "loss_lyapunov", "sharpness_label", "sharpness_amplitude_growth", "sharpness_lyapunov", "late_lr_sharpness_mean", "late_lr_sharpness_geometric_mean"];

    private static RunFolders Write(int configurations, int agree, bool periodTwo, params (string Loss, string Sharpness, int Diverged)[] late)
    {
        var runs = new RunFolders();
        runs.Manifest(ExperimentList.NetPredict, new JsonObject
        {
            ["predictions"] = new JsonObject { ["configurations"] = configurations, ["agree"] = agree, ["by_param"] = new JsonObject { ["sp"] = new JsonObject { ["configurations"] = configurations, ["agree"] = agree } } },
            ["oscillation"] = new JsonObject { ["period_two_loss_and_sharpness"] = periodTwo, ["period_doubling_found"] = false },
        });
        runs.Table(ExperimentList.NetPredict, "predictions.csv", PredictionColumns,
            Enumerable.Range(0, configurations).Select(k => new object[] { $"sp-{k}", 0.1, 1.3, -0.03, -6.5, "sharpness-reduction", "sharpness-reduction", 0.7, 1.0, k < agree ? 1 : 0 }));
        runs.Table(ExperimentList.NetPredict, "oscillation.csv", OscillationColumns,
            late.Select((l, k) => new object[] { 4 + k, 0.1, l.Diverged, l.Loss, 1.0, 0.1, l.Sharpness, 1.0, 0.1, 2.0, 2.0 }));
        return runs;
    }

    [Theory]
    [InlineData(24, 17, Verdict.NotReproduced)]
    [InlineData(24, 18, Verdict.Reproduced)]
    [InlineData(4, 3, Verdict.Reproduced)]
    [InlineData(3, 3, Verdict.NotDecided)]
    public void TheInitialOutputClaimNeedsThreeQuartersOfEnoughConfigurations(int configurations, int agree, Verdict expected)
    {
        using var runs = Write(configurations, agree, false, ("period-1", "period-1", 0));

        var result = new NetInitialOutputPredictsRegime().Evaluate(runs.Runs());

        Assert.Equal(expected, result.Verdict);
        Assert.Equal(configurations, result.Evidence[0].Rows.Count);
    }

    [Fact]
    public void PeriodTwoInLossAndSharpnessIsReproduced()
    {
        using var runs = Write(4, 4, true, ("period-2", "period-2", 0), ("transient", "period-2", 0));

        Assert.Equal(Verdict.Reproduced, new NetPeriodTwo().Evaluate(runs.Runs()).Verdict);
    }

    [Fact]
    public void AStationaryWindowWithoutPeriodTwoIsNotReproduced()
    {
        using var runs = Write(4, 4, false, ("chaos", "period-2", 0), ("transient", "period-2", 0));

        Assert.Equal(Verdict.NotReproduced, new NetPeriodTwo().Evaluate(runs.Runs()).Verdict);
    }

    [Fact]
    public void OnlyTransientOrDivergedWindowsCannotDecidePeriodTwo()
    {
        using var runs = Write(4, 4, false, ("transient", "period-2", 0), ("diverged", "diverged", 1));

        var result = new NetPeriodTwo().Evaluate(runs.Runs());

        Assert.Equal(Verdict.NotDecided, result.Verdict);
        Assert.StartsWith("run too short", result.Reason, StringComparison.Ordinal);
    }
}
