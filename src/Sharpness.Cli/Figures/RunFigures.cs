using Sharpness.Experiments.Nets;

namespace Sharpness.Cli.Figures;

/// <summary>
/// Every command's figure renderers, by the command recorded in a run's manifest: the library's UV
/// commands (<see cref="FigureRegistry.Uv"/>) plus the real-network commands and the reproduction,
/// whose renderers still live here. <c>sharpness plot</c> and the reproduction's report draw through it.
/// <see cref="FigureRegistry"/> says how to register a new command.
/// </summary>
internal static class RunFigures
{
    /// <summary>The registry.</summary>
    public static FigureRegistry Registry { get; } = FigureRegistry.Uv
        .With("net train", FigureRegistry.Figures(NetTrainFigures.Render))
        .With("net eos", RenderEosWithSubRuns)
        .With("net fit-uv", FigureRegistry.Figures(run => [
            // A fit-uv run that trained also holds the net train figures of its metrics.csv.
            .. File.Exists(Path.Combine(run.Folder, NetTrainWriter.MetricsFile)) ? NetTrainFigures.Render(run) : [],
            .. NetFitUvFigures.Render(run)]))
        .With("net predict", FigureRegistry.Figures(NetPredictFigures.Render))
        .With("net early-phase", FigureRegistry.Figures(NetEarlyPhaseFigures.Render))
        .With(Sharpness.Experiments.Spectrum.SpectrumWriter.Command, FigureRegistry.Figures(Sharpness.Experiments.Spectrum.SpectrumFigures.Render))
        .With("reproduce", ReproduceReport.Render);

    /// <summary>Renders a saved run with the renderer of its command (see <see cref="FigureRegistry.Render"/>).</summary>
    /// <param name="run">The run.</param>
    public static IReadOnlyList<RenderedFile> Render(SavedRun run) => Registry.Render(run);

    /// <summary>Every figure of a net eos run: each learning rate's sub-folder (as a net train run), then eos.png/.svg.</summary>
    /// <param name="run">The run.</param>
    private static IReadOnlyList<RenderedFile> RenderEosWithSubRuns(SavedRun run)
    {
        var files = new List<RenderedFile>();
        foreach (var node in run.Results.Array("runs"))
        {
            string folder = node?["folder"] is System.Text.Json.Nodes.JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : string.Empty;
            files.AddRange(Render(SavedRun.Load(run.SubFolder(folder, "results.runs[].folder"))).Select(f => f with { Path = folder + "/" + f.Path }));
        }

        files.AddRange(Figures(NetEosFigures.Render)(run));
        return files;
    }

    /// <summary>Adapts a function that draws named figures into a renderer of files (see <see cref="FigureRegistry.Figures"/>).</summary>
    /// <param name="draw">Draws the figures.</param>
    public static RunRenderer Figures(Func<SavedRun, IReadOnlyList<NamedFigure>> draw) => FigureRegistry.Figures(draw);
}
