using System.Text.Json.Nodes;
using Sharpness.Runs;

namespace Sharpness.Cli.Tests.Commands;

public class PlotCommandTests
{
    internal static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
        return ((png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19], (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);
    }

    // Every file but the folders' lock files, which only mark the folders as the toolkit's.
    internal static string[] Files(string folder, Func<string, bool> which) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != Runs.Safety.FolderLock.FileName)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(which)
            .Order(StringComparer.Ordinal)
            .ToArray();

    internal static bool IsFigure(string path) => path.EndsWith(".png", StringComparison.Ordinal) || path.EndsWith(".svg", StringComparison.Ordinal);

    private static string Run(params string[] args)
    {
        string folder = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run([.. args, "--out", folder]);
        Assert.True(code == 0, error);
        return folder;
    }

    // Redraws into a new folder and checks that exactly the run's figures came back, byte for byte.
    private static void AssertRedrawnIdentically(string run, params string[] expectedFigures)
    {
        string copy = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run("plot", run, "--out", copy);

        Assert.True(code == 0, error);
        Assert.Equal(expectedFigures.Order(StringComparer.Ordinal), Files(run, IsFigure));
        Assert.Equal(Files(run, IsFigure), Files(copy, _ => true));
        foreach (string figure in expectedFigures)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(run, figure)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(copy, figure))), $"{figure} differs from the command's");
            Assert.Contains(figure, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RedrawsOtherVariantsOfEachCommandIdentically()
    {
        AssertRedrawnIdentically(Run("uv", "orbit", "--axis", "c", "--r-min", "1", "--r-max", "4", "--points", "40", "--transient", "100", "--keep", "20", "--warm-start", "--direction", "both", "--value-min", "0", "--value-max", "4.5", "--width", "10", "--param", "mup"), "orbit.png");
        AssertRedrawnIdentically(Run("uv", "lyapunov", "--r-min", "1", "--r-max", "1.5", "--points", "20", "--steps", "500", "--manifold"), "lyapunov.png", "lyapunov.svg");
        AssertRedrawnIdentically(Run("uv", "phase", "--mode", "physical", "--y-axis", "param", "--y-values", "mup,ntp", "--c-points", "4", "--seeds", "1", "--steps", "50", "--x-axis", "eta", "--c-min", "0.1", "--c-max", "1"), "phase.png", "phase.svg");
        AssertRedrawnIdentically(Run("uv", "phase", "--output-ratio", "0.5", "--c-points", "6", "--r-points", "5", "--steps", "100"), "phase.png", "phase.svg");
        AssertRedrawnIdentically(Run("uv", "field", "--plane", "relative", "--r", "1.1", "--grid", "6", "--trajectory", "0.2,1.0"), "field.png", "field.svg");
        AssertRedrawnIdentically(Run("uv", "field", "--r", "0.3", "--grid", "5"), "field.png", "field.svg");
        AssertRedrawnIdentically(Run("uv", "simulate", "--param", "mup", "--width", "50", "--lr-constant", "5", "--steps", "40"), "trajectory.png");
    }

    [Fact]
    public void RedrawsANetworkRunIdentically()
    {
        string run = Run("net", "train", "--dataset", "synthetic", "--train-size", "100", "--test-size", "0", "--width", "16", "--lr", "0.2", "--steps", "12", "--sharpness-every", "4");

        AssertRedrawnIdentically(run, "sharpness.png", "lr_sharpness.png", "lr_sharpness.svg");
    }

    [Fact]
    public void RedrawsAnEdgeOfStabilityRunAndItsSubRunsIdentically()
    {
        string run = Run("net", "eos", "--dataset", "synthetic", "--train-size", "100", "--test-size", "0", "--width", "16", "--lrs", "0.2,0.4", "--steps", "12", "--sharpness-every", "4");

        string[] subRun = ["lr_sharpness.png", "lr_sharpness.svg", "sharpness.png"];
        AssertRedrawnIdentically(run, ["eos.png", "eos.svg", .. subRun.Select(f => "eta-0.2/" + f), .. subRun.Select(f => "eta-0.4/" + f)]);
        AssertRedrawnIdentically(Path.Combine(run, "eta-0.2"), subRun);
    }

    [Fact]
    public void RedrawsASpectrumRunIdentically()
    {
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "TorchScript");
        string run = Run("net", "spectrum", "--torchscript", Path.Combine(fixtures, "mlp.pt"), "--data", Path.Combine(fixtures, "mlp.safetensors"), "--top-k", "2", "--bottom-k", "1",
            "--density", "--density-steps", "12", "--density-points", "400");

        AssertRedrawnIdentically(run, "density.png", "density.svg");
    }

    [Fact]
    public void RedrawsAnEarlyPhaseDiagramIdentically()
    {
        string run = Run("net", "early-phase", "--dataset", "synthetic", "--train-size", "60", "--measure-size", "60", "--depths", "2", "--widths", "8", "--seeds", "1",
            "--variants", "sp,zero-readout", "--x-step", "0.5", "--c-max", "8", "--early-steps", "3");

        AssertRedrawnIdentically(run, "phase.png", "phase.svg");
    }

    [Fact]
    public void RedrawsAUvFitRunIdentically()
    {
        string run = Run("net", "fit-uv", "--dataset", "synthetic", "--train-size", "60", "--test-size", "0", "--width", "8", "--lr", "0.3", "--steps", "12", "--sharpness-every", "1", "--starts", "2");

        AssertRedrawnIdentically(run, "fit.png", "fit.svg", "effective.png", "effective.svg", "sharpness.png", "lr_sharpness.png", "lr_sharpness.svg");
    }

    [Fact]
    public void RedrawsAPredictionRunIdentically()
    {
        string run = Run("net", "predict", "--dataset", "synthetic", "--train-size", "60", "--test-size", "0", "--params", "sp,mup-abc", "--widths", "4", "--steps", "6", "--sharpness-every", "1", "--lr-factors", "1,50", "--late-steps", "14", "--late-window", "8", "--late-sharpness-every", "7");

        AssertRedrawnIdentically(run, "prediction_sharpness.png", "prediction_sharpness.svg", "oscillation.png", "oscillation_late.png");
    }

    [Fact]
    public void InPlaceRedrawingReplacesTheFiguresFromTheDataAndLeavesTheRestAlone()
    {
        string run = Run("uv", "simulate", "--steps", "50");
        string figure = Path.Combine(run, "trajectory.png");
        byte[] original = File.ReadAllBytes(figure);
        byte[] manifest = File.ReadAllBytes(Path.Combine(run, "manifest.json"));
        File.Delete(figure);

        Assert.Equal(0, CliRunner.Run("plot", run).ExitCode);
        Assert.Equal(original, File.ReadAllBytes(figure));
        Assert.Equal(["manifest.json", "trajectory.csv", "trajectory.png"], Files(run, _ => true));

        // The figure follows the data: double the sharpness column and redraw.
        var columns = CsvTableReader.ReadNumbers(Path.Combine(run, "trajectory.csv"), "step", "loss", "f", "residual", "ntk", "sharpness", "lr_ntk", "lr_sharpness", "q");
        using (var stream = File.Create(Path.Combine(run, "trajectory.csv")))
        {
            CsvTable.Write(stream, ["step", "loss", "f", "residual", "ntk", "sharpness", "lr_ntk", "lr_sharpness", "q"],
                Enumerable.Range(0, columns[0].Length).Select(i => (IReadOnlyList<double>)columns.Select((c, k) => k == 5 ? 2 * c[i] : c[i]).ToArray()));
        }

        Assert.Equal(0, CliRunner.Run("plot", run).ExitCode);
        Assert.NotEqual(original, File.ReadAllBytes(figure));
        Assert.Equal(manifest, File.ReadAllBytes(Path.Combine(run, "manifest.json")));
        Assert.Empty(Files(run, f => f.EndsWith(".partial", StringComparison.Ordinal)));
    }

    [Fact]
    public void RunsWithoutFiguresHaveNothingToDraw()
    {
        foreach (string run in new[] { Run("uv", "cascade", "--max-period", "8"), Run("uv", "lyapunov", "--r", "1.4", "--steps", "500") })
        {
            var (code, output, error) = CliRunner.Run("plot", run);

            Assert.True(code == 0, error);
            Assert.Contains("nothing to draw", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void UnusableRunsExitWithTwoNamingTheFile()
    {
        string empty = CliRunner.NewTemporaryFolder();
        Directory.CreateDirectory(empty);
        Assert.Contains(Path.Combine(empty, "manifest.json"), Fails(empty));
        Assert.Contains("not a folder", Fails(Path.Combine(empty, "absent")));

        string noCsv = Run("uv", "simulate", "--steps", "10");
        File.Delete(Path.Combine(noCsv, "trajectory.csv"));
        Assert.Contains(Path.Combine(noCsv, "trajectory.csv"), Fails(noCsv));

        string unknown = Run("uv", "simulate", "--steps", "10");
        EditManifest(unknown, m => m["command"] = "uv nonsense");
        string message = Fails(unknown);
        Assert.Contains("'uv nonsense'", message);
        Assert.Contains("uv simulate", message);

        string incomplete = Run("uv", "simulate", "--steps", "10");
        EditManifest(incomplete, m => m["complete"] = false);
        Assert.Contains("not complete", Fails(incomplete));

        string older = Run("uv", "orbit", "--points", "5", "--transient", "10", "--keep", "5");
        EditManifest(older, m => m["configuration"]!.AsObject().Remove("value_min"));
        Assert.Contains("configuration.value_min", Fails(older));

        string broken = Run("uv", "phase", "--c-points", "3", "--r-points", "3", "--steps", "20");
        // Same rows as the run wrote, one category replaced: the table was edited, not cut.
        string[] lines = File.ReadAllLines(Path.Combine(broken, "phase.csv"));
        int category = Array.IndexOf(lines[0].Split(','), "category");
        string[] cells = lines[1].Split(',');
        cells[category] = "no such regime";
        lines[1] = string.Join(',', cells);
        File.WriteAllText(Path.Combine(broken, "phase.csv"), string.Join('\n', lines) + "\n");
        Assert.Contains("'no such regime' is not a regime category", Fails(broken));

        string other = Run("uv", "simulate", "--steps", "10");
        var (code, _, error) = CliRunner.Run("plot", noCsv, "--out", other);
        Assert.Equal(2, code);
        Assert.Contains("--out", error, StringComparison.Ordinal);
    }

    private static string Fails(string run)
    {
        var (code, _, error) = CliRunner.Run("plot", run);
        Assert.True(code == 2, $"exit {code}: {error}");
        Assert.StartsWith("error: RUN_DIR: ", error, StringComparison.Ordinal);
        return error;
    }

    private static void EditManifest(string run, Action<JsonObject> edit)
    {
        string path = Path.Combine(run, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }
}
