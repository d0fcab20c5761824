using System.Globalization;
using System.Text.Json;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Cli.Tests.Commands;

public class NetFitUvCommandTests
{
    private static readonly string[] Small = ["net", "fit-uv", "--dataset", "synthetic", "--train-size", "60", "--test-size", "0", "--width", "8", "--lr", "0.3", "--steps", "24", "--sharpness-every", "2", "--starts", "4"];

    private static double D(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    private static double Rms(IEnumerable<double> relativeErrors)
    {
        double[] e = relativeErrors.ToArray();
        return Math.Sqrt(e.Sum(x => x * x) / e.Length);
    }

    [Fact]
    public void TheCommandWritesWhatTheLibraryCallWrites()
    {
        string cli = CliRunner.NewTemporaryFolder();
        string library = Path.Combine(CliRunner.NewTemporaryFolder(), "run");
        Assert.Equal(0, CliRunner.Run([.. Small, "--out", cli]).ExitCode);

        var options = new Sharpness.Experiments.Nets.NetFitUvOptions
        {
            Network = new Sharpness.Experiments.Nets.NetworkOptions { Dataset = "synthetic", TrainSize = 60, TestSize = 0, Width = 8, Lr = 0.3, Steps = 24, SharpnessEvery = 2 }.Resolve(),
            Starts = 4,
        };
        var (result, _) = Sharpness.Experiments.Nets.NetFitUvWriter.Run(Sharpness.Experiments.Nets.NetFitUvWriter.Prepare(library, options), options);

        foreach (string file in new[] { "metrics.csv", "fit.csv", "fit.png", "effective.png", "sharpness.png" })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(cli, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(library, file))), file);
        }

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli, "manifest.json")));
        Assert.Equal(result.Report!.Free.FitError, manifest.RootElement.GetProperty("results").GetProperty("free").GetProperty("fit_error").GetDouble());
    }

    [Fact]
    public void QuietSilencesTheTrainingProgressAndChangesNoFile()
    {
        string shown = CliRunner.NewTemporaryFolder();
        string quiet = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run([.. Small, "--out", shown]);
        var (quietCode, _, quietError) = CliRunner.Run([.. Small, "--quiet", "--out", quiet]);

        Assert.True((code, quietCode) == (0, 0), error + quietError);
        // In a log the training writes a line per step of a short run, prefixed "fit-uv:"; --quiet writes none.
        Assert.Contains("fit-uv: step 24/24", error, StringComparison.Ordinal);
        Assert.DoesNotContain("step ", quietError, StringComparison.Ordinal);
        foreach (string file in new[] { "metrics.csv", "fit.csv", "fit.png" })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(shown, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(quiet, file))), file);
        }
    }

    [Fact]
    public void TrainsWithTheProjectionAndWritesTheFitTableFiguresSummaryAndManifest()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run([.. Small, "--out", dir, "--json"]);

        Assert.True(code == 0, error);
        foreach (string file in new[] { "fit.csv", "fit.png", "fit.svg", "effective.png", "summary.md", "metrics.csv", "sharpness.png", "manifest.json" })
        {
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        }

        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal("top-eigenvector", results.GetProperty("projection").GetString());
        var rows = ReadCsv(Path.Combine(dir, "fit.csv"));
        // Measurements at steps 0, 2, ..., 24; the default window ends at index ⌈2·12/3⌉ = 8, step 16.
        Assert.Equal(Enumerable.Range(0, 13).Select(i => 2 * i), rows.Select(r => (int)D(r["step"])));
        Assert.Equal(16, results.GetProperty("fit_to").GetInt32());
        Assert.Equal(9, results.GetProperty("fit_points").GetInt32());
        Assert.Equal(4, results.GetProperty("held_out_points").GetInt32());
        Assert.All(rows, r => Assert.Equal(D(r["step"]) <= 16 ? 1 : 2, D(r["window"])));
        Assert.All(rows, r => Assert.Equal(2 / 0.3, D(r["threshold"]), 12));
        Assert.All(rows, r => Assert.Equal(D(r["output"]) / D(r["target"]), D(r["output_ratio"]), 12));
        Assert.All(rows, r => Assert.True(D(r["target"]) >= 0 && D(r["ntk"]) >= D(r["gauss_newton"]) * (1 - 1e-9)));

        // The reported errors are those of the table's columns.
        var fitRows = rows.Where(r => D(r["window"]) == 1).ToList();
        var heldRows = rows.Where(r => D(r["window"]) == 2).ToList();
        var free = results.GetProperty("free");
        Assert.Equal(Rms(fitRows.Select(r => (D(r["uv_sharpness"]) - D(r["sharpness"])) / D(r["sharpness"]))), free.GetProperty("fit_error").GetDouble(), 10);
        Assert.Equal(Rms(heldRows.Select(r => (D(r["uv_sharpness"]) - D(r["sharpness"])) / D(r["sharpness"]))), free.GetProperty("held_out_error").GetDouble(), 10);
        double mean = fitRows.Average(r => D(r["sharpness"]));
        Assert.All(rows, r => Assert.Equal(mean, D(r["baseline_constant"]), 10));
        Assert.Equal(Rms(heldRows.Select(r => (mean - D(r["sharpness"])) / D(r["sharpness"]))), results.GetProperty("baselines").GetProperty("constant").GetProperty("held_out_error").GetDouble(), 10);
        // The anchored fit starts from the projected state of step 0.
        var anchored = results.GetProperty("anchored");
        Assert.Equal(0.3 * D(rows[0]["ntk"]), anchored.GetProperty("x0").GetDouble(), 10);
        Assert.Equal(D(rows[0]["output_ratio"]), anchored.GetProperty("output_ratio0").GetDouble(), 10);
        Assert.Equal(D(rows[0]["uv_ntk_anchored"]), D(rows[0]["ntk"]), 10);

        string summary = File.ReadAllText(Path.Combine(dir, "summary.md"));
        Assert.Contains("| UV model, free (r, x₀, g₀) | 3 |", summary, StringComparison.Ordinal);
        Assert.Contains("| edge of stability, λ_H = 2/η | 0 |", summary, StringComparison.Ordinal);

        // Refitting the folder with another window reuses the projection kept in fit.csv.
        string refit = CliRunner.NewTemporaryFolder();
        var again = CliRunner.Run(["net", "fit-uv", "--run", dir, "--fit-from", "4", "--fit-to", "12", "--starts", "2", "--out", refit, "--json"]);
        Assert.True(again.ExitCode == 0, again.Error);
        using var refitJson = JsonDocument.Parse(again.Output);
        var refitResults = refitJson.RootElement.GetProperty("results");
        Assert.Equal("top-eigenvector", refitResults.GetProperty("projection").GetString());
        Assert.Equal(5, refitResults.GetProperty("fit_points").GetInt32());
        Assert.Equal(0.3 * D(rows[2]["ntk"]), refitResults.GetProperty("anchored").GetProperty("x0").GetDouble(), 10);
        var refitRows = ReadCsv(Path.Combine(refit, "fit.csv"));
        Assert.Equal([0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2], refitRows.Select(r => (int)D(r["window"])));
        Assert.Equal(rows.Select(r => r["gauss_newton"]), refitRows.Select(r => r["gauss_newton"]));
    }

    [Fact]
    public void FitsANetTrainFolderWhoseSharpnessIsAUvTrajectoryExactly()
    {
        // A hand-made net train folder whose measurements are the UV model's own (η = 1.6, s = 2, y = 1,
        // f₀ = 0.1, λ₀ = 0.9, so r = 0.8), measured every other step, with the outputs as ⟨f, y⟩ and ‖y‖ = 2.
        const double eta = 1.6, s = 2, y = 1, yNorm = 2;
        string run = CliRunner.NewTemporaryFolder();
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "manifest.json"), """
            { "command": "net train", "configuration": { "loss": "mse-sum", "optimizer": "gd", "momentum": 0, "warmup": 0 }, "results": { "learning_rate": 1.6 } }
            """);
        var lines = new List<string> { "step,loss,sharpness,f_norm,f_dot_y,y_norm" };
        var state = new UvFunctionState(0.1, 0.9);
        var expectedRatio = new List<double>();
        for (int t = 0; t <= 40; t++)
        {
            if (t % 2 == 0)
            {
                lines.Add(FormattableString.Invariant($"{t},0,{UvSharpness.Hessian(state, y, s, 2):R},0,{state.Output * yNorm:R},{yNorm:R}"));
                expectedRatio.Add(state.Output / yNorm);
            }
            else
            {
                lines.Add(FormattableString.Invariant($"{t},0,nan,nan,nan,nan"));
            }

            state = UvFunctionSpaceMap.Step(state, eta, y, s);
        }

        File.WriteAllLines(Path.Combine(run, "metrics.csv"), lines);
        string dir = CliRunner.NewTemporaryFolder();

        var (code, output, error) = CliRunner.Run(["net", "fit-uv", "--run", run, "--starts", "12", "--out", dir, "--json"]);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal("target-direction", results.GetProperty("projection").GetString());
        Assert.Equal(JsonValueKind.Null, results.GetProperty("anchored").ValueKind);
        var free = results.GetProperty("free");
        Assert.Equal(0.8, free.GetProperty("r").GetDouble(), 4);
        Assert.Equal(eta * 0.9, free.GetProperty("x0").GetDouble(), 4);
        Assert.True(free.GetProperty("fit_error").GetDouble() < 1e-6);
        Assert.True(free.GetProperty("held_out_error").GetDouble() < 1e-6);
        var rows = ReadCsv(Path.Combine(dir, "fit.csv"));
        Assert.Equal(21, rows.Count);
        // f/y on the target direction is ⟨f, y⟩/‖y‖².
        Assert.Equal(expectedRatio, rows.Select(r => D(r["output_ratio"])), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.False(File.Exists(Path.Combine(dir, "metrics.csv")));
    }

    [Theory]
    [InlineData("--loss", "ce")]
    [InlineData("--optimizer", "sgd")]
    [InlineData("--momentum", "0.5")]
    [InlineData("--warmup", "3")]
    [InlineData("--sharpness-every", "0")]
    [InlineData("--starts", "0")]
    [InlineData("--output-weight", "-1")]
    [InlineData("--fit-from", "-1")]
    [InlineData("--fit-from", "25")]
    public void BadOptionsExitWithCode2AndWriteNothing(string option, string value)
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run([.. Small, option, value, "--out", dir]);

        Assert.Equal(2, code);
        Assert.Contains(option, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void AnInvertedWindowAndBadRunFoldersExitWithCode2()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var inverted = CliRunner.Run([.. Small, "--fit-from", "10", "--fit-to", "4", "--out", dir]);
        Assert.Equal(2, inverted.ExitCode);
        Assert.Contains("--fit-to", inverted.Error, StringComparison.Ordinal);

        string missing = Path.Combine(CliRunner.NewTemporaryFolder(), "nothing-here");
        var notARun = CliRunner.Run(["net", "fit-uv", "--run", missing, "--out", dir]);
        Assert.Equal(2, notARun.ExitCode);
        Assert.Contains("--run", notARun.Error, StringComparison.Ordinal);

        var mixed = CliRunner.Run(["net", "fit-uv", "--run", missing, "--lr", "0.1", "--out", dir]);
        Assert.Equal(2, mixed.ExitCode);
        Assert.Contains("--lr", mixed.Error, StringComparison.Ordinal);

        string crossEntropy = CliRunner.NewTemporaryFolder();
        Directory.CreateDirectory(crossEntropy);
        File.WriteAllText(Path.Combine(crossEntropy, "manifest.json"), """{ "configuration": { "loss": "cross-entropy", "optimizer": "gd", "momentum": 0, "warmup": 0 }, "results": { "learning_rate": 0.1 } }""");
        File.WriteAllText(Path.Combine(crossEntropy, "metrics.csv"), "step,sharpness,f_dot_y,y_norm\n0,1,0,1\n");
        var ce = CliRunner.Run(["net", "fit-uv", "--run", crossEntropy, "--out", dir]);
        Assert.Equal(2, ce.ExitCode);
        Assert.Contains("squared-loss", ce.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }
}
