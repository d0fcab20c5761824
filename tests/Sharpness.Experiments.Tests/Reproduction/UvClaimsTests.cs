using System.Text.Json.Nodes;
using Sharpness.Experiments.Reproduction;
using Sharpness.Experiments.Reproduction.Claims;

namespace Sharpness.Experiments.Tests.Reproduction;

public class UvClaimsTests
{
    private static RunFolders Lyapunov(string label, double exponent, double uncertainty)
    {
        var runs = new RunFolders();
        runs.Manifest(ExperimentList.LyapunovChaos, new JsonObject
        {
            ["values"] = new JsonArray(new JsonObject
            {
                ["r"] = 1.4, ["exponents"] = new JsonArray(exponent, -1.1), ["uncertainties"] = new JsonArray(uncertainty, 0.01), ["period"] = null, ["label"] = label,
            }),
        });
        runs.Manifest(ExperimentList.Lyapunov, new JsonObject());
        runs.Table(ExperimentList.Lyapunov, "lyapunov.csv", ["r", "lambda1", "lambda2", "period", "label"],
            [[1.2, -0.1, -0.5, 2, "period-2"], [1.31, 0.05, -0.9, "", "chaos"], [1.4, 0.33, -1.1, "", "chaos"], [1.45, -0.2, -1, 3, "period-3"]]);
        return runs;
    }

    [Fact]
    public void APositiveExponentBeyondItsUncertaintyIsChaos()
    {
        using var runs = Lyapunov("chaos", 0.336, 0.0056);

        var result = new UvChaos().Evaluate(runs.Runs());

        Assert.Equal(Verdict.Reproduced, result.Verdict);
        Assert.Equal(0.336, result.Measured.GetValue<double>());
        Assert.Equal(["lambda_1", "0.336", "0.0056", "none", "chaos"], result.Evidence[0].Rows[0]);
        Assert.Contains("the first r labelled chaos is 1.31 ", result.Evidence[1].Caption, StringComparison.Ordinal);
        Assert.Equal(["chaos", "2", "1.31"], result.Evidence[1].Rows.Single(r => r[0] == "chaos"));
    }

    [Fact]
    public void AMarginalExponentIsNotDecidedAndAPeriodicOrbitRefutesChaos()
    {
        using var marginal = Lyapunov("marginal", 0.0002, 0.0008);
        using var periodic = Lyapunov("period-3", -0.2, 0.001);

        var undecided = new UvChaos().Evaluate(marginal.Runs());

        Assert.Equal(Verdict.NotDecided, undecided.Verdict);
        Assert.Contains("within twice its uncertainty of 0", undecided.Reason, StringComparison.Ordinal);
        Assert.Equal(Verdict.NotReproduced, new UvChaos().Evaluate(periodic.Runs()).Verdict);
    }

    private static RunFolders Cascade(params double[] flips)
    {
        var runs = new RunFolders();
        var ratios = Enumerable.Range(2, Math.Max(0, flips.Length - 2)).Select(k => (flips[k - 1] - flips[k - 2]) / (flips[k] - flips[k - 1]));
        runs.Manifest(ExperimentList.Cascade, new JsonObject
        {
            ["map"] = "manifold",
            ["flip_points"] = new JsonArray(flips.Select((r, k) => (JsonNode?)new JsonObject { ["from"] = 1 << k, ["to"] = 2 << k, ["r"] = r, ["bracket"] = 1e-14 }).ToArray()),
            ["feigenbaum_ratios"] = new JsonArray(ratios.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
            ["accumulation"] = 1.3022835, ["bounded_until"] = 2.0,
        });
        return runs;
    }

    [Fact]
    public void TheFeigenbaumClaimReadsTheLastRatioOfTheCascade()
    {
        // The cascade's flip points (docs/dynamics.md): the last ratio is 4.667909.
        using var runs = Cascade(1, 1.23606797749979, 1.28803175448284, 1.2992279396502, 1.30162891403708, 1.30214327158145);
        using var tooFew = Cascade(1, 1.23606797749979);

        var result = new UvFeigenbaum().Evaluate(runs.Runs());

        Assert.Equal(Verdict.Reproduced, result.Verdict);
        Assert.Equal(4.667909, result.Measured.GetValue<double>(), 5);
        Assert.Equal(6, result.Evidence[0].Rows.Count);
        Assert.Equal("4.542933", result.Evidence[0].Rows[2][4]);
        Assert.Equal(Verdict.NotDecided, new UvFeigenbaum().Evaluate(tooFew.Runs()).Verdict);
    }
}
