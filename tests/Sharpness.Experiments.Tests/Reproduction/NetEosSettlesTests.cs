using System.Text.Json.Nodes;
using Sharpness.Experiments.Reproduction;
using Sharpness.Experiments.Reproduction.Claims;

namespace Sharpness.Experiments.Tests.Reproduction;

public class NetEosSettlesTests
{
    private static readonly string[] Columns = ["step", "loss", "sharpness", "threshold"];

    // One learning rate of net eos: sharpness measured every 10 steps, given as ratios to 2/eta = 30.
    private static JsonObject Write(RunFolders runs, string sub, double lr, double[] ratios, int? reachStep, bool diverged = false, string stop = "StepBudget")
    {
        runs.Table(ExperimentList.NetEos, sub + "/metrics.csv", Columns,
            ratios.Select((r, k) => new object[] { 10 * k, 0.1, r * 30, 30.0 }));
        return new JsonObject
        {
            ["lr"] = lr, ["folder"] = sub, ["threshold"] = 30, ["steps_completed"] = 10 * (ratios.Length - 1), ["stop_reason"] = stop,
            ["diverged"] = diverged, ["initial_ratio"] = ratios[0], ["reach_step"] = reachStep, ["mean_ratio"] = 1.0, ["ratio_sd"] = 0.01,
            ["min_ratio"] = 0.9, ["max_ratio"] = 1.1, ["fraction_in_band"] = 1.0,
        };
    }

    private static ClaimResult Evaluate(RunFolders runs, params JsonObject[] etas)
    {
        runs.Manifest(ExperimentList.NetEos, new JsonObject { ["runs"] = new JsonArray(etas.Select(e => (JsonNode?)e.DeepClone()).ToArray()) });
        return new NetEosSettles().Evaluate(runs.Runs());
    }

    private static double[] Rising(int count, double from, double step) => Enumerable.Range(0, count).Select(k => from + (step * k)).ToArray();

    [Fact]
    public void SettledAtTwoOverEtaIsReproduced()
    {
        using var runs = new RunFolders();
        // Rises to 0.9 at step 50 (index 5), then alternates 0.98 / 1.02 for 20 measurements.
        double[] ratios = [.. Rising(6, 0.5, 0.08), .. Enumerable.Range(0, 20).Select(k => k % 2 == 0 ? 0.98 : 1.02)];

        var result = Evaluate(runs, Write(runs, "eta-a", 2.0 / 30, ratios, reachStep: 50));

        Assert.Equal(Verdict.Reproduced, result.Verdict);
        Assert.Null(result.Reason);
        Assert.Contains("mean 1, drift", result.Measured.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["eta-a/metrics.csv"], result.Sources.Select(s => s[(ExperimentList.NetEos.Length + 1)..]));
    }

    [Fact]
    public void FourMeasurementsCannotDecide()
    {
        // The old quick size: 30 steps, sharpness every 10 steps, reached at the first measurement.
        using var runs = new RunFolders();

        var result = Evaluate(runs, Write(runs, "eta-a", 2.0 / 30, [1.4, 1.5, 1.4, 1.4], reachStep: 0));

        Assert.Equal(Verdict.NotDecided, result.Verdict);
        Assert.Contains("too few measurements, 4 after reaching 2/eta at step 0 (needs 10)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ARunThatNeverReachedTwoOverEtaIsTooShort()
    {
        using var runs = new RunFolders();

        var result = Evaluate(runs, Write(runs, "eta-a", 2.0 / 30, Rising(30, 0.3, 0.01), reachStep: null, stop: "AccuracyGoal"));

        Assert.Equal(Verdict.NotDecided, result.Verdict);
        Assert.Contains("run too short, lambda_H reached at most 0.59 of 2/eta in 290 steps (stopped: AccuracyGoal)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SettledWellAboveTwoOverEtaIsNotReproduced()
    {
        using var runs = new RunFolders();

        var result = Evaluate(runs, Write(runs, "eta-a", 2.0 / 30, Enumerable.Repeat(1.3, 15).ToArray(), reachStep: 0));

        Assert.Equal(Verdict.NotReproduced, result.Verdict);
    }

    [Fact]
    public void StillSharpeningInsideTheBandIsNotReproduced()
    {
        // 0.95, 0.96, ..., 1.04 over the last ten: mean 0.995, all in the band, but the least-squares
        // change across the window is 0.09, above 0.05.
        using var runs = new RunFolders();

        var result = Evaluate(runs, Write(runs, "eta-a", 2.0 / 30, [.. Rising(10, 0.90, 0.0), .. Rising(10, 0.95, 0.01)], reachStep: 0));

        Assert.Equal(Verdict.NotReproduced, result.Verdict);
        Assert.Equal(0.09, NetEosSettles.Drift(Rising(10, 0.95, 0.01)), 12);
        Assert.Contains("drift +0.09 over the last 10", result.Measured.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void ADivergedLearningRateIsOutsideTheClaimAndTheOthersDecide()
    {
        using var runs = new RunFolders();

        var result = Evaluate(runs,
            Write(runs, "eta-a", 2.0 / 30, Enumerable.Repeat(1.0, 12).ToArray(), reachStep: 0),
            Write(runs, "eta-b", 2.0 / 20, [4.2, 30, double.NaN], reachStep: null, diverged: true));

        Assert.Equal(Verdict.Reproduced, result.Verdict);
        Assert.Contains("eta 0.1: diverged", result.Measured.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void OneUndecidedLearningRateLeavesTheClaimUndecidedUnlessAnotherRefutesIt()
    {
        using var runs = new RunFolders();
        var settled = Write(runs, "eta-a", 2.0 / 30, Enumerable.Repeat(1.0, 12).ToArray(), reachStep: 0);
        var tooShort = Write(runs, "eta-b", 2.0 / 40, [0.4, 0.5, 0.6], reachStep: null);
        var refuted = Write(runs, "eta-c", 2.0 / 50, Enumerable.Repeat(1.5, 12).ToArray(), reachStep: 0);

        Assert.Equal(Verdict.NotDecided, Evaluate(runs, settled, tooShort).Verdict);
        Assert.Equal(Verdict.NotReproduced, Evaluate(runs, settled, tooShort, refuted).Verdict);
    }

    [Fact]
    public void ASkippedOrMissingRunIsNotDecided()
    {
        using var runs = new RunFolders();
        var claim = new NetEosSettles();

        var skipped = claim.Evaluate(runs.Runs(new Dictionary<string, string> { [ExperimentList.NetEos] = "--no-net" }));
        var missing = claim.Evaluate(runs.Runs());

        Assert.Equal(Verdict.NotDecided, skipped.Verdict);
        Assert.Equal("experiment skipped: --no-net", skipped.Reason);
        Assert.Equal(Verdict.NotDecided, missing.Verdict);
        Assert.StartsWith("data missing: net-eos/manifest.json does not exist", missing.Reason, StringComparison.Ordinal);
    }
}
