using System.Globalization;
using System.Text.Json;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Models;

namespace Sharpness.Cli.Tests.Commands;

public class NetPredictCommandTests
{
    private static readonly string[] TinyData =
    [
        "net", "predict", "--dataset", "synthetic", "--train-size", "60", "--test-size", "0",
        "--steps", "6", "--sharpness-every", "1", "--late-steps", "14", "--late-window", "8", "--late-sharpness-every", "7",
    ];

    private static readonly string[] Tiny = [.. TinyData, "--params", "sp,mup-out,mup-abc", "--widths", "4,8", "--lr-factors", "1,1.5"];

    [Fact]
    public void WritesPredictionsWhoseLabelsFollowTheStatedRules()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run([.. Tiny, "--out", dir, "--json"]);

        Assert.True(code == 0, error);
        foreach (string file in new[] { "predictions.csv", "prediction_trajectories.csv", "oscillation.csv", "oscillation_trajectories.csv", "summary.md", "prediction_sharpness.png", "oscillation.png", "oscillation_late.png", "manifest.json" })
        {
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        }

        var rows = ReadCsv(Path.Combine(dir, "predictions.csv"));
        Assert.Equal(["sp-w4-s1", "sp-w8-s1", "mup-out-w4-s1", "mup-out-w8-s1", "mup-abc-w4-s1", "mup-abc-w8-s1", "sp-w4-s1-zero", "sp-w8-s1-zero"], rows.Select(r => r["config"]));
        var trajectories = ReadCsv(Path.Combine(dir, "prediction_trajectories.csv"));
        foreach (var row in rows)
        {
            double p = Number(row["projection"]), q = Number(row["norm_ratio"]), x = Number(row["lr_kernel"]);
            double yNorm = Number(row["y_norm"]);
            // The inputs of the rule from the measured norms, and the rule by hand.
            Assert.Equal(Number(row["f_dot_y"]) / (yNorm * yNorm), p, 12);
            Assert.Equal(Number(row["f_norm"]) / yNorm, q, 12);
            Assert.Equal(Number(row["lr"]) * Number(row["residual_kernel"]), x, 12);
            Assert.Equal(1.0, Number(row["lr_sharpness"]), 9);   // eta = 1/lambda_H(0) by default
            double margin = (x * (1 - (2 * p) + (q * q))) - (4 * ((q * q) - p));
            Assert.Equal(margin, Number(row["margin"]), 9);
            Assert.Equal(margin > 0 ? "progressive-sharpening" : "sharpness-reduction", row["predicted_regime"]);

            // The observed label from the trajectory by hand: the larger excursion beyond 2 %.
            double[] sharpness = trajectories.Where(t => t["config"] == row["config"]).Select(t => Number(t["sharpness"])).ToArray();
            Assert.Equal(7, sharpness.Length);
            double fall = 1 - sharpness.Min() / sharpness[0], rise = sharpness.Max() / sharpness[0] - 1;
            string observed = Math.Max(fall, rise) <= 0.02 ? "flat" : fall > rise ? "sharpness-reduction" : "progressive-sharpening";
            Assert.Equal(observed, row["observed_regime"]);
            Assert.Equal(observed == row["predicted_regime"] ? "1" : "0", row["agree"]);
        }

        // Zero readout: zero output, so m = x > 0.
        foreach (var row in rows.Where(r => r["zero_readout"] == "1"))
        {
            Assert.Equal(0, Number(row["f_norm"]));
            Assert.Equal(Number(row["lr_kernel"]), Number(row["margin"]), 12);
            Assert.Equal("progressive-sharpening", row["predicted_regime"]);
        }

        using var json = JsonDocument.Parse(output);
        var predictions = json.RootElement.GetProperty("results").GetProperty("predictions");
        Assert.Equal(8, predictions.GetProperty("configurations").GetInt32());
        int agree = rows.Count(r => r["agree"] == "1");
        Assert.Equal(agree, predictions.GetProperty("agree").GetInt32());
        Assert.Equal(agree / 8.0, predictions.GetProperty("agreement_fraction").GetDouble(), 12);
        // Both muPs reported apart, and the agreement without Yang & Hu's.
        foreach (string param in new[] { "sp", "mup-out", "mup-abc", "zero-readout" })
        {
            var group = rows.Where(r => (r["zero_readout"] == "1" ? "zero-readout" : r["param"]) == param).ToArray();
            var byParam = predictions.GetProperty("by_param").GetProperty(param);
            Assert.Equal(group.Length, byParam.GetProperty("configurations").GetInt32());
            Assert.Equal(group.Count(r => r["agree"] == "1"), byParam.GetProperty("agree").GetInt32());
        }

        var withoutAbc = rows.Where(r => r["param"] != "mup-abc").ToArray();
        Assert.Equal(withoutAbc.Count(r => r["agree"] == "1"), predictions.GetProperty("excluding_mup_abc").GetProperty("agree").GetInt32());
        Assert.Equal(6, predictions.GetProperty("excluding_mup_abc").GetProperty("configurations").GetInt32());

        // The authors' muP is the SP network with its output divided by sqrt(width): same weights, q divided by 2 at width 4.
        var sp4 = rows.Single(r => r["config"] == "sp-w4-s1");
        var mupOut4 = rows.Single(r => r["config"] == "mup-out-w4-s1");
        Assert.Equal(Number(sp4["norm_ratio"]) / 2, Number(mupOut4["norm_ratio"]), 6);

        var oscillation = ReadCsv(Path.Combine(dir, "oscillation.csv"));
        Assert.Equal(["a=1", "a=1.5"], oscillation.Select(r => r["rate"]));
        foreach (var row in oscillation)
        {
            Assert.Equal(double.Parse(row["rate"][2..], CultureInfo.InvariantCulture), Number(row["lr_factor"]), 9);
            Assert.Contains(row["loss_label"], new[] { "period-1", "period-2", "period-3", "period-4", "transient", "chaos", "aperiodic", "diverged" });
        }

        string summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains($"Agreement with the observed λ_H trend: {agree}/8", summary);
        Assert.Contains($"| mup-abc | {rows.Count(r => r["param"] == "mup-abc" && r["agree"] == "1")}/2 |", summary);
        Assert.Contains("| sp-w4-s1-zero |", summary);
    }

    [Fact]
    public void SameSeedGivesIdenticalTables()
    {
        string a = CliRunner.NewTemporaryFolder();
        string b = CliRunner.NewTemporaryFolder();
        string[] args = [.. TinyData, "--params", "sp,mup-abc", "--widths", "4", "--no-oscillation", "--seed", "3"];
        Assert.Equal(0, CliRunner.Run([.. args, "--out", a]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. args, "--out", b]).ExitCode);

        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "predictions.csv")), File.ReadAllBytes(Path.Combine(b, "predictions.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "prediction_trajectories.csv")), File.ReadAllBytes(Path.Combine(b, "prediction_trajectories.csv")));
        Assert.False(File.Exists(Path.Combine(a, "oscillation.csv")));
    }

    [Fact]
    public void TheCommandWritesWhatTheLibraryCallWrites()
    {
        string cli = CliRunner.NewTemporaryFolder();
        string library = Path.Combine(CliRunner.NewTemporaryFolder(), "run");
        Assert.Equal(0, CliRunner.Run([.. TinyData, "--params", "sp,ntp", "--widths", "4", "--lr-factors", "1.5", "--out", cli]).ExitCode);

        // The same run built by hand: the shared options, the command's defaults for what the command line leaves out, the lists.
        var options = new NetPredictOptions
        {
            Network = NetPredictOptions.WithCommandDefaults(
                new NetworkOptions { Dataset = "synthetic", TrainSize = 60, TestSize = 0, Steps = 6, SharpnessEvery = 1 }.Resolve(checkSize: false),
                option => option is "--train-size" or "--test-size" or "--steps" or "--sharpness-every"),
            Parameterisations = [NetworkParameterisation.Sp, NetworkParameterisation.Ntp],
            Widths = [4],
            LearningRateFactors = [1.5],
            LateSteps = 14,
            LateWindow = 8,
            LateSharpnessEvery = 7,
        };
        var (result, _) = NetPredictWriter.Run(NetPredictWriter.Prepare(library, oscillation: true), options);

        foreach (string file in new[] { "predictions.csv", "prediction_trajectories.csv", "oscillation.csv", "oscillation_trajectories.csv", "prediction_sharpness.png", "oscillation.png" })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(cli, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(library, file))), file);
        }

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli, "manifest.json")));
        Assert.Equal(result.Predictions.Count(p => p.Agrees), manifest.RootElement.GetProperty("results").GetProperty("predictions").GetProperty("agree").GetInt32());
        Assert.Equal(result.Configuration.ToJsonString(), System.Text.Json.Nodes.JsonNode.Parse(manifest.RootElement.GetProperty("configuration").GetRawText())!.ToJsonString());
    }

    [Fact]
    public void AnAbsoluteLearningRateThatDivergesIsLabelledNotFatal()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run([.. TinyData, "--widths", "4", "--params", "sp", "--zero-readout-params", "none", "--lrs", "500", "--out", dir, "--json"]);

        Assert.True(code == 0, error);
        var row = Assert.Single(ReadCsv(Path.Combine(dir, "oscillation.csv")));
        Assert.Equal("1", row["diverged"]);
        Assert.Equal("diverged", row["loss_label"]);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("results").GetProperty("oscillation").GetProperty("period_two_found").GetBoolean());
    }

    [Theory]
    [InlineData("--params", "xp")]
    [InlineData("--params", "mup")]
    [InlineData("--init", "torch")]
    [InlineData("--widths", "0")]
    [InlineData("--init-scales", "-1")]
    [InlineData("--zero-readout-params", "abc")]
    [InlineData("--loss", "ce")]
    [InlineData("--model", "cnn")]
    [InlineData("--trend-tolerance", "1.5")]
    [InlineData("--late-window", "2")]
    [InlineData("--period-tolerance", "0")]
    [InlineData("--lr-factors", "1,-2")]
    public void BadOptionsExitWithTwoAndWriteNothing(string option, string value)
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run(["net", "predict", "--dataset", "synthetic", option, value, "--out", dir]);

        Assert.Equal(2, code);
        Assert.Contains(option, error);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void RatesAndFactorsExcludeEachOther()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run(["net", "predict", "--dataset", "synthetic", "--lrs", "0.1", "--lr-factors", "2", "--out", dir]);

        Assert.Equal(2, code);
        Assert.Contains("--lrs", error);
        Assert.False(Directory.Exists(dir));
    }

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(','), (h, v) => (h, v)).ToDictionary(p => p.h, p => p.v)).ToList();
    }

    private static double Number(string text) => text switch
    {
        "nan" => double.NaN,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };
}
