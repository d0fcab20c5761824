using System.Text;
using Sharpness.Plots;

namespace Sharpness.Cli.Figures;

/// <summary>A figure of a run: its file name without extension (NAME.png, and NAME.svg when rendered) and the rendering.</summary>
/// <param name="Name">Base file name, for example "trajectory".</param>
/// <param name="Figure">The PNG and optional SVG.</param>
internal sealed record NamedFigure(string Name, RenderedFigure Figure);

/// <summary>A file a renderer produced, by its path relative to the run folder ('/' between folders).</summary>
/// <param name="Path">Relative path, for example "trajectory.png" or "orbit/orbit.png".</param>
/// <param name="Content">The bytes.</param>
internal sealed record RenderedFile(string Path, byte[] Content);

/// <summary>Draws every figure (or report) of a saved run from its manifest and data files, without recomputing the run.</summary>
/// <param name="run">The run.</param>
/// <returns>The files, by path relative to the run folder.</returns>
internal delegate IReadOnlyList<RenderedFile> RunRenderer(SavedRun run);

/// <summary>
/// The registry of figure renderers, by the command recorded in a run's manifest; <c>sharpness plot</c>
/// looks the run's command up here.
/// </summary>
/// <remarks>
/// To give a new command (say <c>net eos</c>) figures that <c>plot</c> can redraw:
/// <list type="number">
/// <item>write <c>static IReadOnlyList&lt;NamedFigure&gt; Render(SavedRun run)</c> in a class of this
/// folder (<c>NetEosFigures</c>) that reads only <c>run.Configuration</c>, <c>run.Results</c> and the
/// run's data files (<c>run.ReadNumbers</c>, <c>run.OpenCsv</c>); whatever it needs must be in the
/// manifest or a data file;</item>
/// <item>in the command, after writing the data files and building the manifest's configuration
/// and results, call it with <c>SavedRun.Writing(folder, "net eos", configuration, results)</c> and
/// write what it returns with <c>RunOutput.WriteFigures</c>, so the command and <c>plot</c> draw
/// the same figures from the same values;</item>
/// <item>add one line to <see cref="Renderers"/>: <c>["net eos"] = Figures(NetEosFigures.Render),</c>;</item>
/// <item>add the run kind to the byte-identity test in tests/Sharpness.Cli.Tests/Commands/PlotCommandTests.cs.</item>
/// </list>
/// A command whose runs have no figures registers <see cref="NoFigures"/>, so <c>plot</c> says so
/// instead of calling the command unknown.
/// </remarks>
internal static class RunFigures
{
    private static readonly Dictionary<string, RunRenderer> Renderers = new(StringComparer.Ordinal)
    {
        ["uv simulate"] = Figures(UvSimulateFigures.Render),
        ["uv orbit"] = Figures(UvOrbitFigures.Render),
        ["uv cascade"] = NoFigures,
        ["uv lyapunov"] = Figures(UvLyapunovFigures.Render),
        ["uv phase"] = Figures(UvPhaseFigures.Render),
        ["uv field"] = Figures(UvFieldFigures.Render),
        ["net train"] = Figures(NetTrainFigures.Render),
        ["net eos"] = NetEosFigures.RenderWithSubRuns,
        ["net fit-uv"] = Figures(run => [
            // A fit-uv run that trained also holds the net train figures of its metrics.csv.
            .. File.Exists(Path.Combine(run.Folder, Sharpness.Cli.Commands.NetRun.MetricsFile)) ? NetTrainFigures.Render(run) : [],
            .. NetFitUvFigures.Render(run)]),
        ["net predict"] = Figures(NetPredictFigures.Render),
        ["net early-phase"] = Figures(NetEarlyPhaseFigures.Render),
        ["reproduce"] = ReproduceReport.Render,
    };

    /// <summary>The commands with a renderer, sorted.</summary>
    public static IReadOnlyList<string> Commands => [.. Renderers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Finds the renderer of a command.</summary>
    /// <param name="command">The manifest's command.</param>
    /// <param name="renderer">The renderer, when registered.</param>
    public static bool TryGet(string command, out RunRenderer renderer) => Renderers.TryGetValue(command, out renderer!);

    /// <summary>Renders a saved run with the renderer of its command.</summary>
    /// <param name="run">The run.</param>
    /// <exception cref="RunDataException">No renderer is registered for the run's command, or its data cannot be read.</exception>
    public static IReadOnlyList<RenderedFile> Render(SavedRun run) => TryGet(run.Command, out var renderer)
        ? renderer(run)
        : throw new RunDataException($"'{SavedRun.ManifestPath(run.Folder)}' says the run was made by '{run.Command}', which has no figure renderer (known: {string.Join(", ", Commands)}).");

    /// <summary>The renderer of a command whose runs have no figures.</summary>
    public static IReadOnlyList<RenderedFile> NoFigures(SavedRun run) => [];

    /// <summary>Adapts a function that draws named figures into a renderer of files (NAME.png and, when rendered, NAME.svg).</summary>
    /// <param name="draw">Draws the figures.</param>
    public static RunRenderer Figures(Func<SavedRun, IReadOnlyList<NamedFigure>> draw) =>
        run => [.. draw(run).SelectMany(Files)];

    /// <summary>The files of a figure: NAME.png and, when rendered, NAME.svg (UTF-8 without a byte-order mark).</summary>
    /// <param name="figure">The figure.</param>
    public static IEnumerable<RenderedFile> Files(NamedFigure figure)
    {
        yield return new RenderedFile(figure.Name + ".png", figure.Figure.Png);
        if (figure.Figure.Svg is { } svg)
        {
            yield return new RenderedFile(figure.Name + ".svg", new UTF8Encoding(false).GetBytes(svg));
        }
    }
}
