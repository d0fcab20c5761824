namespace Sharpness.Cli.Tests.Commands;

/// <summary><c>sharpness plot</c> on a whole reproduction (the shared quick one): every figure and both reports, byte for byte.</summary>
[Collection(QuickReproductionCollection.Name)]
[Trait("Category", "EndToEnd")]
public class PlotReproductionTests(QuickReproduction reproduction)
{
    private static (int Width, int Height) PngSize(byte[] png) => PlotCommandTests.PngSize(png);

    private static string[] Files(string folder, Func<string, bool> which) => PlotCommandTests.Files(folder, which);

    private static bool IsFigure(string path) => PlotCommandTests.IsFigure(path);

    [Fact]
    public void RedrawsEveryFigureAndBothReportsOfAReproductionByteForByte()
    {
        string copy = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("plot", reproduction.Folder, "--out", copy);
        Assert.True(code == 0, error);

        string[] figures = Files(reproduction.Folder, IsFigure);
        Assert.Equal(figures.Append("index.html").Append("report.md").Order(StringComparer.Ordinal), Files(copy, _ => true));
        foreach (string file in Files(copy, _ => true))
        {
            Assert.True(File.ReadAllBytes(Path.Combine(reproduction.Folder, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(copy, file))), $"{file} differs from what reproduce wrote");
        }

        // Every kind of run with figures is among them, at the sizes FigureStyle gives (800 x 500 logical, scale 2).
        Assert.Equal((1600, 2000), PngSize(File.ReadAllBytes(Path.Combine(copy, "uv-default", "trajectory.png"))));
        Assert.Equal((1600, 2000), PngSize(File.ReadAllBytes(Path.Combine(copy, "orbit-zoom", "orbit.png"))));
        Assert.Equal((1600, 1000), PngSize(File.ReadAllBytes(Path.Combine(copy, "lyapunov", "lyapunov.png"))));
        Assert.Equal((2100, 1000), PngSize(File.ReadAllBytes(Path.Combine(copy, "phase-scaled", "phase.png"))));
        Assert.Equal((2100, 1000), PngSize(File.ReadAllBytes(Path.Combine(copy, "phase-width", "phase.png"))));
        Assert.Equal((2200, 1200), PngSize(File.ReadAllBytes(Path.Combine(copy, "field", "field.png"))));
        Assert.Contains("field/field.svg", figures);
        Assert.DoesNotContain(figures, f => f.StartsWith("cascade/", StringComparison.Ordinal) || f.StartsWith("lyapunov-r1.4/", StringComparison.Ordinal));
    }
}
