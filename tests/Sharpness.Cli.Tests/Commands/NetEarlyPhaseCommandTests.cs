using System.Globalization;
using System.Text.Json;

namespace Sharpness.Cli.Tests.Commands;

public class NetEarlyPhaseCommandTests
{
    private static readonly (string Option, string Value)[] TinyOptions =
    [
        ("--dataset", "synthetic"), ("--train-size", "40"), ("--depths", "2,3"), ("--widths", "8,16"), ("--seeds", "2"),
        ("--variants", "sp,zero-readout"), ("--c-min", "0.5"), ("--c-max", "32"), ("--x-step", "0.25"), ("--early-steps", "6"), ("--dtype", "float64"),
    ];

    private static readonly string[] Tiny = Arguments();

    /// <summary>The tiny run's arguments with some options replaced.</summary>
    private static string[] Arguments(params (string Option, string Value)[] replaced) =>
    [
        "net", "early-phase",
        .. TinyOptions.Select(o => replaced.FirstOrDefault(r => r.Option == o.Option) is { Option: not null } r ? r : o).SelectMany(o => new[] { o.Option, o.Value }),
        .. replaced.Where(r => TinyOptions.All(o => o.Option != r.Option)).SelectMany(r => new[] { r.Option, r.Value }),
    ];

    private static double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void WritesThePointsTheCriticalConstantsTheSummaryAndTheFigure()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run([.. Tiny, "--out", dir, "--json"]);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(16, results.GetProperty("initialisations").GetInt32());
        Assert.Equal(16, results.GetProperty("ordering_holds").GetInt32() + results.GetProperty("ordering_within_grid_step").GetInt32() + results.GetProperty("ordering_fails").GetInt32() + results.GetProperty("ordering_undetermined").GetInt32());
        Assert.Equal("gd", json.RootElement.GetProperty("configuration").GetProperty("optimizer").GetString());
        Assert.Equal(25, json.RootElement.GetProperty("configuration").GetProperty("grid_points").GetInt32());

        var points = Table(Path.Combine(dir, "points.csv"));
        var critical = Table(Path.Combine(dir, "critical.csv"));
        Assert.Equal(results.GetProperty("training_runs").GetInt32(), points.Count);
        Assert.Equal(16, critical.Count);
        foreach (var row in critical)
        {
            double ratio = D(row["ntk_ratio"]);
            Assert.Equal(D(row["lambda_ntk0"]) / D(row["lambda_h0"]), ratio, 12);
            if (row["variant"] == "zero-readout")
            {
                // G lives in the readout block, where the residual term of H vanishes: λ_H ≥ (top vector of G)ᵀH(…) = λ_NTK.
                Assert.True(ratio <= 1 + 1e-9);
            }

            Assert.Equal(D(row["c_loss"]) * ratio, D(row["c_loss_ntk"]), 12);
            Assert.Equal(D(row["c_max"]) * ratio, D(row["c_max_ntk"]), 12);
            // Every constant is a grid value 2^(-1 + 0.25 i).
            foreach (string key in new[] { "c_loss", "c_sharp", "c_max" })
            {
                double x = Math.Log2(D(row[key]));
                Assert.Equal(Math.Round(x * 4) / 4, x, 9);
            }

            // The boundaries are measured: the probe at c_loss rose and the grid value below did not; the probe at
            // c_max stayed finite and the next one diverged (when inside the grid).
            var mine = points.Where(p => p["variant"] == row["variant"] && p["depth"] == row["depth"] && p["width"] == row["width"] && p["seed"] == row["seed"]).ToList();
            var loss = mine.Where(p => p["kind"] == "loss").ToDictionary(p => int.Parse(p["grid_index"], CultureInfo.InvariantCulture));
            int lossIndex = (int)Math.Round((Math.Log2(D(row["c_loss"])) + 1) * 4);
            if (row["c_loss_bound"] == "=")
            {
                Assert.Equal("true", loss[lossIndex]["loss_rose"]);
                Assert.Equal("false", loss[lossIndex - 1]["loss_rose"]);
                Assert.True(D(loss[lossIndex]["max_loss_ratio"]) > 1);
            }

            int maxIndex = (int)Math.Round((Math.Log2(D(row["c_max"])) + 1) * 4);
            if (row["c_max_bound"] == "=")
            {
                Assert.Equal("false", loss[maxIndex]["diverged"]);
                Assert.Equal("true", loss[maxIndex + 1]["diverged"]);
            }

            var sharp = mine.Where(p => p["kind"] == "sharpness").ToDictionary(p => int.Parse(p["grid_index"], CultureInfo.InvariantCulture));
            int sharpIndex = (int)Math.Round((Math.Log2(D(row["c_sharp"])) + 1) * 4);
            if (row["c_sharp_bound"] == "=")
            {
                Assert.Equal("true", sharp[sharpIndex]["sharpness_rose"]);
                Assert.Equal("false", sharp[sharpIndex - 1]["sharpness_rose"]);
                Assert.True(D(sharp[sharpIndex - 1]["max_sharpness_ratio"]) <= 1);
            }

            // Zero readout: zero initial output, and an exactly quadratic first step: its loss rises for every c > c₁,
            // so c_loss is at most the first grid value above c₁, and against the NTK c₁ ≥ 2.
            Assert.Equal(row["variant"] == "zero-readout", D(row["output_ratio"]) == 0);
            if (row["variant"] == "zero-readout")
            {
                Assert.True(D(row["c_first_step_ntk"]) >= 2 - 1e-9);
                double firstAbove = Enumerable.Range(0, 25).Select(i => Math.Pow(2, -1 + (0.25 * i))).First(c => c > D(row["c_first_step"]));
                Assert.True(D(row["c_loss"]) <= firstAbove * (1 + 1e-12));
            }
        }

        // The summary's entries are the mean [min, max] over the two seeds of critical.csv.
        string summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        foreach (var group in critical.GroupBy(r => (r["variant"], r["depth"], r["width"])))
        {
            double[] values = group.Select(r => D(r["c_loss"])).ToArray();
            string prefix = group.Any(r => r["c_loss_bound"] != "=") ? group.First(r => r["c_loss_bound"] != "=")["c_loss_bound"] : string.Empty;
            string cell = values.Min() == values.Max()
                ? prefix + F(values.Average())
                : $"{prefix}{F(values.Average())} [{F(values.Min())}, {F(values.Max())}]";
            string line = summary.Split('\n').Single(l => l.StartsWith($"| {group.Key.Item1} | {group.Key.Item2} | {group.Key.Item3} |", StringComparison.Ordinal));
            Assert.Equal(cell, line.Split('|')[8].Trim());
        }

        Assert.Contains("c_loss ≤ c_sharp ≤ c_max holds for", summary);
        Assert.True(new FileInfo(Path.Combine(dir, "phase.png")).Length > 10_000);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(dir, "phase.svg")));
        Assert.True(File.Exists(Path.Combine(dir, "manifest.json")));
    }

    [Fact]
    public void WithoutSharpnessOnlyLossRunsAreMade()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run([.. Arguments(("--depths", "2"), ("--widths", "8"), ("--seeds", "1"), ("--variants", "sp")), "--no-sharpness", "--out", dir]);

        Assert.True(code == 0, error);
        var points = Table(Path.Combine(dir, "points.csv"));
        Assert.All(points, p => Assert.Equal("loss", p["kind"]));
        Assert.Equal("nan", Table(Path.Combine(dir, "critical.csv")).Single()["c_sharp"]);
    }

    [Fact]
    public void TheTorchInitialisationIsRefusedForVariantsThatDefineTheirOwnScales()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run([.. Arguments(("--init", "torch"), ("--variants", "sp,ntp")), "--out", dir]);

        Assert.Equal(2, code);
        Assert.StartsWith("error: --init", error.Trim());
        Assert.False(Directory.Exists(dir));
    }

    [Theory]
    [InlineData("--depths", "0")]
    [InlineData("--widths", "8,x")]
    [InlineData("--variants", "sp,wide")]
    [InlineData("--variants", "sp,mup")]
    [InlineData("--seeds", "0")]
    [InlineData("--x-step", "0")]
    [InlineData("--c-max", "0.25")]
    [InlineData("--c-min", "-1")]
    [InlineData("--early-steps", "0")]
    [InlineData("--search", "random")]
    [InlineData("--decide-below-after", "-1")]
    [InlineData("--optimizer", "adam")]
    public void BadOptionsAreUsageErrorsThatWriteNothing(string option, string value)
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run([.. Arguments((option, value)), "--out", dir]);

        Assert.Equal(2, code);
        Assert.Contains(option, error);
        Assert.False(Directory.Exists(dir));
    }

    private static string F(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);

    private static List<Dictionary<string, string>> Table(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(','), (h, v) => (h, v)).ToDictionary(p => p.h, p => p.v)).ToList();
    }
}
