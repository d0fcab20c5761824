using Sharpness.Experiments.Reproduction;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Figures;

/// <summary>The redrawing of a <c>reproduce</c> folder for <c>sharpness plot</c>: every run's figures (each in its sub-folder), then the reports (<see cref="ReproductionWriter.Reports"/>).</summary>
internal static class ReproduceReport
{
    /// <summary>Redraws every run's figures (each in its sub-folder), then the reports from them.</summary>
    /// <param name="run">The reproduce folder.</param>
    public static IReadOnlyList<RenderedFile> Render(SavedRun run)
    {
        var files = new List<RenderedFile>();
        foreach (string name in ReproductionWriter.RunNames(run))
        {
            files.AddRange(RunFigures.Render(SavedRun.Load(Path.Combine(run.Folder, name))).Select(f => f with { Path = name + "/" + f.Path }));
        }

        var drawn = files.ToDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);
        files.AddRange(ReproductionWriter.Reports(run, path => drawn.TryGetValue(path, out byte[]? content) ? content : run.ReadBytes(path, FileKindLimit.Figure)));
        return files;
    }
}
