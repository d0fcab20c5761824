using System.Text.Json.Nodes;
using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Plot;
using Sharpness.Experiments.Uv;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Tests.Plot;

/// <summary>A run written by the library's writers is redrawn from its files byte for byte, by the renderer its manifest names.</summary>
public class RunPlotterTests
{
    [Fact]
    public void RedrawsEveryUvRunWithFiguresByteForByte()
    {
        string simulate = Folder(), phase = Folder(), field = Folder(), lyapunov = Folder();
        UvSimulateWriter.Write(UvSimulateWriter.Prepare(simulate), UvSimulateExperiment.Run(new UvSimulateOptions { Steps = 30, LrConstant = 3 }));
        UvPhaseWriter.Write(UvPhaseWriter.Prepare(phase), UvPhaseExperiment.Run(new UvPhaseOptions { CPoints = 4, RPoints = 3, Steps = 40 }));
        UvFieldWriter.Write(UvFieldWriter.Prepare(field), UvFieldExperiment.Run(new UvFieldOptions { Grid = 5, Trajectories = [new UvScaledState(0.1, 1.2)] }));
        var lyapunovOptions = new UvLyapunovOptions { RMin = 1, RMax = 1.4, Points = 5, Steps = 200, Transient = 50 };
        UvLyapunovWriter.Write(UvLyapunovWriter.Prepare(lyapunov, lyapunovOptions), UvLyapunovExperiment.Run(lyapunovOptions));

        foreach (string run in new[] { simulate, phase, field, lyapunov })
        {
            var redrawn = new RunPlotter(FigureRegistry.Uv).Redraw(new PlotOptions { Run = run });

            Assert.NotEmpty(redrawn.Files);
            Assert.All(redrawn.Files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(run, f.Path)), f.Content));
        }
    }

    [Fact]
    public void ARunWhoseCommandHasNoRendererOrNoManifestIsRefusedNamingTheFolder()
    {
        string run = Folder();
        UvCascadeWriter.Write(UvCascadeWriter.Prepare(run), UvCascadeExperiment.Run(new UvCascadeOptions { MaxPeriod = 4 }));
        Assert.Empty(new RunPlotter(FigureRegistry.Uv).Redraw(new PlotOptions { Run = run }).Files);

        string manifest = Path.Combine(run, "manifest.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!;
        json["command"] = "net train";
        File.WriteAllText(manifest, json.ToJsonString());
        var error = Assert.Throws<InvalidOptionException>(() => new RunPlotter(FigureRegistry.Uv).Redraw(new PlotOptions { Run = run }));
        Assert.Equal("RUN_DIR", error.Option);
        Assert.Contains("'net train'", error.Message, StringComparison.Ordinal);

        Assert.Equal("RUN_DIR", Assert.Throws<InvalidOptionException>(() => new RunPlotter(FigureRegistry.Uv).Redraw(new PlotOptions { Run = Folder() })).Option);
    }

    [Fact]
    public void TheRegistryIsImmutable()
    {
        var extended = FigureRegistry.Uv.With("net train", FigureRegistry.NoFigures);

        Assert.Contains("net train", extended.Commands);
        Assert.DoesNotContain("net train", FigureRegistry.Uv.Commands);
    }

    private static string Folder() => Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));
}
