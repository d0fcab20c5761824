using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Experiments.Plot;

/// <summary>Options of <see cref="RunPlotter"/> (<c>sharpness plot</c>).</summary>
public sealed record PlotOptions
{
    /// <summary>A complete run folder (one with manifest.json), or a reproduction's folder.</summary>
    public required string Run { get; init; }

    /// <summary>Where to write the figures (created when missing; it must not hold another run). Default: <see cref="Run"/>, whose figures are replaced.</summary>
    public string? Out { get; init; }

    /// <summary>The absolute folder the figures go to.</summary>
    public string Target => Path.GetFullPath(Out ?? Run);

    /// <summary>Checks the folders (the run itself is read by <see cref="RunPlotter.Redraw"/>).</summary>
    /// <exception cref="InvalidOptionException"><see cref="Out"/> is a file or holds another run (<c>--out</c>), or <see cref="Run"/> is a file when there is no <see cref="Out"/> (<c>RUN_DIR</c>).</exception>
    public void Validate()
    {
        string target = Target;
        if (File.Exists(target))
        {
            throw new InvalidOptionException(Out is null ? "RUN_DIR" : "--out", $"'{target}' is a file, not a folder.");
        }

        if (!SamePath(target, Path.GetFullPath(Run)) && File.Exists(Path.Combine(target, RunDirectory.ManifestFileName)))
        {
            throw new InvalidOptionException("--out", $"'{target}' holds another run ({RunDirectory.ManifestFileName} exists); give a folder without a run, or omit --out to redraw in RUN_DIR.");
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);
}

/// <summary>The figures (and reports) of a saved run, redrawn from its data.</summary>
/// <param name="Run">The run as its manifest describes it.</param>
/// <param name="Target">The absolute folder they go to.</param>
/// <param name="Files">The files, by path relative to <paramref name="Target"/>; empty when the run's command has no figures.</param>
public sealed record PlotResult(SavedRun Run, string Target, IReadOnlyList<RenderedFile> Files);

/// <summary>
/// <c>sharpness plot</c> as a library call: redraws a run's figures from its saved CSV and manifest
/// with the renderer registered for the command that made it, without recomputing anything; the
/// result is byte for byte what the command wrote.
/// </summary>
/// <param name="registry">The renderers by command (the command line's holds every command).</param>
public sealed class RunPlotter(FigureRegistry registry)
{
    /// <summary>The task path of the progress snapshots.</summary>
    public const string Task = "plot";

    private readonly FigureRegistry _registry = registry ?? throw new ArgumentNullException(nameof(registry));

    /// <summary>Reads the run and renders its figures in memory.</summary>
    /// <param name="options">The run and where its figures go.</param>
    /// <param name="progress">Receives a snapshot at the end; null for none.</param>
    /// <param name="cancellationToken">Checked before rendering.</param>
    /// <exception cref="InvalidOptionException">The run folder is not a complete run, its command has no renderer, or its data is missing or malformed (<c>RUN_DIR</c>); or <see cref="PlotOptions.Out"/> is unusable (<c>--out</c>).</exception>
    public PlotResult Redraw(PlotOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var run = SavedRun.Load(Path.GetFullPath(options.Run));
            var files = _registry.Render(run);
            new ProgressTracker(progress, Task, files.Count, "files").Complete();
            return new PlotResult(run, options.Target, files);
        }
        catch (RunDataException e)
        {
            throw new InvalidOptionException("RUN_DIR", e.Message);
        }
    }

    /// <summary>
    /// Writes the redrawn files into <see cref="PlotResult.Target"/>, each atomically and never
    /// through a symbolic link (sub-folders created as needed), holding the target's lock while it
    /// writes; nothing else there changes. A path that would leave the target is refused, and so is
    /// a target the toolkit has not written into (no lock file) that already holds one of the files.
    /// </summary>
    /// <param name="result">The redrawn files.</param>
    /// <exception cref="InvalidOptionException">A path leaves the target (<c>RUN_DIR</c>), or the target holds someone else's file or is in use (<c>--out</c>, or <c>RUN_DIR</c> when redrawing in place).</exception>
    public static void Write(PlotResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Files.FirstOrDefault(f => f.Path.Split('/').Any(part => !PathSegment.IsSafe(part))) is { } escaping)
        {
            throw new InvalidOptionException("RUN_DIR", $"the figure path '{PathSegment.Printable(escaping.Path)}' would leave the output folder; nothing is written.");
        }

        bool inPlace = string.Equals(Path.TrimEndingDirectorySeparator(result.Target), Path.TrimEndingDirectorySeparator(result.Run.Folder), StringComparison.Ordinal);
        if (!inPlace && Directory.Exists(result.Target) && !FolderLock.IsMarked(result.Target)
            && result.Files.FirstOrDefault(f => FileEntry.Exists(Path.Combine(result.Target, f.Path))) is { } foreign)
        {
            throw new InvalidOptionException("--out", $"'{Path.Combine(result.Target, foreign.Path)}' exists and was not written by the toolkit (no {FolderLock.FileName} in '{result.Target}'); give a new or empty folder.");
        }

        RunDirectory root;
        try
        {
            root = RunDirectory.Open(result.Target);
        }
        catch (Exception e) when (e is RunFolderException or FolderInUseException)
        {
            throw new InvalidOptionException(inPlace ? "RUN_DIR" : "--out", e.Message);
        }

        using (root)
        {
            var folders = new Dictionary<string, RunDirectory>(StringComparer.Ordinal) { [string.Empty] = root };
            foreach (var file in result.Files)
            {
                int slash = file.Path.LastIndexOf('/');
                string sub = slash < 0 ? string.Empty : file.Path[..slash];
                if (!folders.TryGetValue(sub, out var directory))
                {
                    directory = RunDirectory.Open(Path.Combine(result.Target, sub), locked: false);
                    folders[sub] = directory;
                }

                directory.WriteBytesAtomic(file.Path[(slash + 1)..], file.Content);
            }
        }
    }
}
