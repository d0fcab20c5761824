using System.Globalization;
using System.Text.Json;

namespace Sharpness.Cli.Tests.Commands;

public class NetEosCommandTests
{
    private static readonly string[] Data = ["--dataset", "synthetic", "--train-size", "150", "--test-size", "0", "--width", "16", "--steps", "40", "--sharpness-every", "2", "--accuracy-goal", "1"];

    [Fact]
    public void EachLearningRateIsTheSameRunAsNetTrainAndTheSummaryReadsItsMetrics()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run(["net", "eos", .. Data, "--lrs", "0.3,1/2", "--checkpoint-steps", "0", "--out", dir, "--json"]);
        Assert.True(code == 0, error);

        foreach (double rate in new[] { 0.3, 0.5 })
        {
            // Independent path: net train with the eos preset and the same settings writes the same per-step table, to the bit.
            string single = CliRunner.NewTemporaryFolder();
            Assert.Equal(0, CliRunner.Run(["net", "train", "--preset", "eos", .. Data, "--lr", rate.ToString("R", CultureInfo.InvariantCulture), "--checkpoint-steps", "0", "--out", single]).ExitCode);
            string sub = Path.Combine(dir, "eta-" + rate.ToString("G6", CultureInfo.InvariantCulture));
            Assert.Equal(File.ReadAllBytes(Path.Combine(single, "metrics.csv")), File.ReadAllBytes(Path.Combine(sub, "metrics.csv")));
            // Each learning rate starts from the same weights, saved with its run.
            Assert.Equal(File.ReadAllBytes(Path.Combine(single, "model-step-0.safetensors")), File.ReadAllBytes(Path.Combine(sub, "model-step-0.safetensors")));
            using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(sub, "model.json")));
            Assert.Equal("torch", model.RootElement.GetProperty("initialisation").GetProperty("scheme").GetString());
        }

        using var json = JsonDocument.Parse(output);
        var runs = json.RootElement.GetProperty("results").GetProperty("runs").EnumerateArray().ToArray();
        Assert.Equal(2, runs.Length);
        foreach (var run in runs)
        {
            double rate = run.GetProperty("lr").GetDouble();
            Assert.Equal(2 / rate, run.GetProperty("threshold").GetDouble(), 12);

            // The reach step, recomputed here from metrics.csv by the rule's definition.
            string[] lines = File.ReadAllLines(Path.Combine(dir, run.GetProperty("folder").GetString()!, "metrics.csv"));
            var measured = lines.Skip(1).Select(l => l.Split(','))
                .Where(c => c[4] != "nan")
                .Select(c => (Step: int.Parse(c[0], CultureInfo.InvariantCulture), Ratio: double.Parse(c[4], CultureInfo.InvariantCulture) * rate / 2))
                .ToArray();
            bool above = measured[0].Ratio >= 0.9;
            int first = above ? Array.FindIndex(measured, m => m.Ratio < 0.9) : 0;
            int reach = first < 0 ? -1 : Array.FindIndex(measured, first, m => m.Ratio >= 0.9);
            var reported = run.GetProperty("reach_step");
            if (reach < 0)
            {
                Assert.Equal(JsonValueKind.Null, reported.ValueKind);
            }
            else
            {
                Assert.Equal(measured[reach].Step, reported.GetInt32());
                Assert.Equal(measured.Skip(reach).Average(m => m.Ratio), run.GetProperty("mean_ratio").GetDouble(), 12);
            }
        }

        string summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("| 0.3 | 6.667 |", summary);
        Assert.Contains("| 0.5 | 4 |", summary);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(dir, "eos.csv")).Length);
        Assert.True(new FileInfo(Path.Combine(dir, "eos.png")).Length > 10_000);
    }

    [Fact]
    public void AnInterruptedRunResumesAndReusesFinishedLearningRates()
    {
        string full = CliRunner.NewTemporaryFolder();
        string[] args = ["net", "eos", .. Data, "--lrs", "0.3,0.5"];
        Assert.Equal(0, CliRunner.Run([.. args, "--out", full]).ExitCode);

        // An interrupted run: the first eta finished, the second half-written, no summary yet; each
        // folder carries the lock file the toolkit leaves in the folders it writes.
        string partial = CliRunner.NewTemporaryFolder();
        Directory.CreateDirectory(Path.Combine(partial, "eta-0.3"));
        Runs.Safety.FolderLock.Mark(partial);
        foreach (string file in Directory.GetFiles(Path.Combine(full, "eta-0.3")))
        {
            File.Copy(file, Path.Combine(partial, "eta-0.3", Path.GetFileName(file)));
        }

        Directory.CreateDirectory(Path.Combine(partial, "eta-0.5"));
        Runs.Safety.FolderLock.Mark(Path.Combine(partial, "eta-0.5"));
        File.WriteAllText(Path.Combine(partial, "eta-0.5", "metrics.csv"), "step,loss\n0,");
        var (code, _, error) = CliRunner.Run([.. args, "--out", partial]);

        Assert.True(code == 0, error);
        Assert.Contains("reusing the finished run", error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "eos.csv")), File.ReadAllBytes(Path.Combine(partial, "eos.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(full, "eta-0.5", "metrics.csv")), File.ReadAllBytes(Path.Combine(partial, "eta-0.5", "metrics.csv")));

        // A finished sub-run with other settings is not silently reused.
        File.Delete(Path.Combine(partial, "manifest.json"));
        var (otherCode, _, otherError) = CliRunner.Run(["net", "eos", .. Data, "--lrs", "0.3,0.5", "--seed", "7", "--out", partial]);
        Assert.Equal(2, otherCode);
        Assert.Contains("other settings", otherError);
    }

    [Theory]
    [InlineData("--lrs", "abc", "--lrs")]
    [InlineData("--lrs", "0.1,1/10", "--lrs")]
    [InlineData("--lrs", "-1", "--lrs")]
    [InlineData("--optimizer", "sgd", "--optimizer")]
    [InlineData("--band-high", "0.5", "--band-high")]
    [InlineData("--sharpness-every", "0", "--sharpness-every")]
    [InlineData("--accuracy-goal", "1.5", "--accuracy-goal")]
    public void BadOptionsExitWithUsageErrors(string option, string value, string named)
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run(["net", "eos", .. Data, option, value, "--out", dir]);

        Assert.Equal(2, code);
        Assert.Contains(named, error);
        Assert.False(Directory.Exists(dir));
    }
}
