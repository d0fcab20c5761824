using System.Text.Json.Nodes;
using Sharpness.Experiments.Reproduction;
using Sharpness.Experiments.Reproduction.Claims;

namespace Sharpness.Experiments.Tests.Reproduction;

public class NetUvFitTests
{
    private static JsonObject Model(double fit, double heldOut) => new() { ["fit_error"] = fit, ["held_out_error"] = heldOut };

    private static ClaimResult Evaluate(double uv, double constant, double linear, double threshold, int fitted = 15, int heldOut = 6)
    {
        using var runs = new RunFolders();
        runs.Manifest(ExperimentList.NetFitUv, new JsonObject
        {
            ["fit_skipped"] = null, ["fit_from"] = 0, ["fit_to"] = fitted - 1, ["fit_points"] = fitted, ["held_out_points"] = heldOut,
            ["free"] = Model(0.06, uv), ["anchored"] = Model(0.07, 0.16),
            ["baselines"] = new JsonObject { ["constant"] = Model(0.07, constant), ["linear"] = Model(0.01, linear), ["threshold"] = Model(0.68, threshold) },
        });
        return new NetUvFit().Evaluate(runs.Runs());
    }

    [Fact]
    public void BeatingTheConstantButNotTheLinearTrendIsNotReproduced()
    {
        // The numbers of the old quick reproduction, which called this claim reproduced while its fit.png
        // showed the UV fits flat and the measured sharpness rising along the linear trend.
        var result = Evaluate(uv: 0.1521, constant: 0.1598, linear: 0.01359, threshold: 0.3957);

        Assert.Equal(Verdict.NotReproduced, result.Verdict);
        Assert.Equal("held-out RMS relative error of lambda_H: UV fit 0.1521; constant 0.1598, linear trend 0.01359, 2/eta 0.3957", result.Measured.GetValue<string>());
        Assert.Equal(5, result.Evidence[0].Rows.Count);
    }

    [Theory]
    [InlineData(0.05, 0.10, 0.20, 0.30, Verdict.Reproduced)]
    [InlineData(0.05, 0.04, 0.20, 0.30, Verdict.NotReproduced)]
    [InlineData(0.05, 0.10, 0.20, 0.05, Verdict.NotReproduced)]
    [InlineData(0.05, 0.10, 0.049, 0.30, Verdict.NotReproduced)]
    public void TheUvFitMustBeatEveryBaseline(double uv, double constant, double linear, double threshold, Verdict expected)
    {
        Assert.Equal(expected, Evaluate(uv, constant, linear, threshold).Verdict);
    }

    [Fact]
    public void TooFewHeldOutMeasurementsCannotDecide()
    {
        var result = Evaluate(0.05, 0.10, 0.20, 0.30, fitted: 15, heldOut: 3);

        Assert.Equal(Verdict.NotDecided, result.Verdict);
        Assert.Equal("too few measurements: 15 in the fit window (needs 10), 3 held out (needs 5)", result.Reason);
    }
}
