using System.Text;
using Sharpness.Experiments.Runs;
using Sharpness.Experiments.Uv;
using Sharpness.Plots;

namespace Sharpness.Experiments.Figures;

/// <summary>A figure of a run: its file name without extension (NAME.png, and NAME.svg when rendered) and the rendering.</summary>
/// <param name="Name">Base file name, for example "trajectory".</param>
/// <param name="Figure">The PNG and optional SVG.</param>
public sealed record NamedFigure(string Name, RenderedFigure Figure);

/// <summary>A file a renderer produced, by its path relative to the run folder ('/' between folders).</summary>
/// <param name="Path">Relative path, for example "trajectory.png" or "orbit/orbit.png".</param>
/// <param name="Content">The bytes.</param>
public sealed record RenderedFile(string Path, byte[] Content);

/// <summary>Draws every figure (or report) of a saved run from its manifest and data files, without recomputing the run.</summary>
/// <param name="run">The run.</param>
/// <returns>The files, by path relative to the run folder.</returns>
public delegate IReadOnlyList<RenderedFile> RunRenderer(SavedRun run);

/// <summary>
/// The figure renderers by the command recorded in a run's manifest: <c>sharpness plot</c> (and
/// <see cref="Plot.RunPlotter"/>) look the run's command up here, and each command's writer draws
/// its figures with the same renderer from the files it has just written, so a redraw is byte for
/// byte what the command wrote.
/// </summary>
/// <remarks>
/// Immutable: <see cref="With"/> returns a new registry. <see cref="Uv"/> holds the UV-model
/// commands; the command line adds the real-network commands and the reproduction. To give a new
/// command figures that <c>plot</c> can redraw:
/// <list type="number">
/// <item>write <c>static IReadOnlyList&lt;NamedFigure&gt; Render(SavedRun run)</c> that reads only
/// <c>run.Configuration</c>, <c>run.Results</c> and the run's data files (<c>run.ReadNumbers</c>,
/// <c>run.OpenCsv</c>); whatever it needs must be in the manifest or a data file;</item>
/// <item>in the command's writer, after writing the data files, call it with
/// <c>SavedRun.Writing(folder, command, configuration, results)</c> and write what it returns with
/// <see cref="RunFolder.WriteFigures"/>;</item>
/// <item>register it: <c>registry.With("net eos", FigureRegistry.Figures(NetEosFigures.Render))</c>;</item>
/// <item>add the run kind to the byte-identity test in tests/Sharpness.Cli.Tests/Commands/PlotCommandTests.cs.</item>
/// </list>
/// A command whose runs have no figures registers <see cref="NoFigures"/>, so <c>plot</c> says so
/// instead of calling the command unknown.
/// </remarks>
public sealed class FigureRegistry
{
    private readonly Dictionary<string, RunRenderer> _renderers;

    private FigureRegistry(Dictionary<string, RunRenderer> renderers) => _renderers = renderers;

    /// <summary>A registry with no renderers.</summary>
    public static FigureRegistry Empty { get; } = new(new Dictionary<string, RunRenderer>(StringComparer.Ordinal));

    /// <summary>The renderers of the UV-model commands (uv simulate, orbit, cascade, lyapunov, phase, field).</summary>
    public static FigureRegistry Uv { get; } = Empty
        .With(UvSimulateExperiment.Command, Figures(UvSimulateFigures.Render))
        .With(UvOrbitExperiment.Command, Figures(UvOrbitFigures.Render))
        .With(UvCascadeExperiment.Command, NoFigures)
        .With(UvLyapunovExperiment.Command, Figures(UvLyapunovFigures.Render))
        .With(UvPhaseExperiment.Command, Figures(UvPhaseFigures.Render))
        .With(UvFieldExperiment.Command, Figures(UvFieldFigures.Render));

    /// <summary>The commands with a renderer, sorted.</summary>
    public IReadOnlyList<string> Commands => [.. _renderers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>A registry with <paramref name="renderer"/> for <paramref name="command"/> added (or replaced).</summary>
    /// <param name="command">The manifest's command, for example "net train".</param>
    /// <param name="renderer">Its renderer.</param>
    public FigureRegistry With(string command, RunRenderer renderer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(renderer);
        return new FigureRegistry(new Dictionary<string, RunRenderer>(_renderers, StringComparer.Ordinal) { [command] = renderer });
    }

    /// <summary>Finds the renderer of a command.</summary>
    /// <param name="command">The manifest's command.</param>
    /// <param name="renderer">The renderer, when registered.</param>
    public bool TryGet(string command, out RunRenderer renderer) => _renderers.TryGetValue(command, out renderer!);

    /// <summary>Renders a saved run with the renderer of its command.</summary>
    /// <param name="run">The run.</param>
    /// <exception cref="RunDataException">No renderer is registered for the run's command, or its data cannot be read.</exception>
    public IReadOnlyList<RenderedFile> Render(SavedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return TryGet(run.Command, out var renderer)
            ? renderer(run)
            : throw new RunDataException($"'{SavedRun.ManifestPath(run.Folder)}' says the run was made by '{run.Command}', which has no figure renderer (known: {string.Join(", ", Commands)}).");
    }

    /// <summary>The renderer of a command whose runs have no figures.</summary>
    /// <param name="run">The run.</param>
    public static IReadOnlyList<RenderedFile> NoFigures(SavedRun run) => [];

    /// <summary>Adapts a function that draws named figures into a renderer of files (NAME.png and, when rendered, NAME.svg).</summary>
    /// <param name="draw">Draws the figures.</param>
    public static RunRenderer Figures(Func<SavedRun, IReadOnlyList<NamedFigure>> draw) =>
        run => [.. draw(run).SelectMany(Files)];

    /// <summary>The files of a figure: NAME.png and, when rendered, NAME.svg (UTF-8 without a byte-order mark).</summary>
    /// <param name="figure">The figure.</param>
    public static IEnumerable<RenderedFile> Files(NamedFigure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        yield return new RenderedFile(figure.Name + ".png", figure.Figure.Png);
        if (figure.Figure.Svg is { } svg)
        {
            yield return new RenderedFile(figure.Name + ".svg", new UTF8Encoding(false).GetBytes(svg));
        }
    }
}
