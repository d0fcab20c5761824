using Sharpness.Experiments.Figures;
using Sharpness.Plots;
using Sharpness.Runs;

namespace Sharpness.Experiments.Runs;

/// <summary>
/// The folder a writer fills with one run: claimed before the experiment starts (checked, created
/// and locked by <see cref="RunDirectory.Create"/>, so an unusable, unwritable or busy folder is
/// reported before any work and a second writer is refused), every file written atomically, and
/// closed by the manifest, which marks the run complete and releases the lock. Dispose a folder
/// whose run did not complete: the lock is released and a folder the claim created is removed when
/// nothing was written into it.
/// </summary>
public sealed class RunFolder : IDisposable
{
    private readonly RunDirectory _directory;

    private RunFolder(RunDirectory directory) => _directory = directory;

    /// <summary>The absolute folder path.</summary>
    public string Path => _directory.Path;

    /// <summary>Claims <paramref name="path"/> for a run that writes <paramref name="files"/> (see <see cref="RunDirectory.Create"/>).</summary>
    /// <param name="path">The folder (new, empty, or left by an interrupted attempt at the same run).</param>
    /// <param name="files">The files the run writes besides the manifest.</param>
    /// <exception cref="InvalidOptionException">The folder is a file, holds a run or other files, its path is too long, or another process writes it (the option is <c>--out</c>).</exception>
    /// <exception cref="IOException">The folder cannot be created (a read-only or full file system, no permission).</exception>
    public static RunFolder Prepare(string path, IReadOnlyCollection<string> files)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(files);
        return Claim(() => RunDirectory.Create(System.IO.Path.GetFullPath(path), files));
    }

    /// <summary>
    /// Claims <paramref name="path"/> for one part of a run that several writers fill side by side, each its own
    /// sub-folders (see <see cref="RunDirectory.CreateShared"/>): the checks of <see cref="Prepare"/>, under a shared lock.
    /// </summary>
    /// <param name="path">The folder (new, empty, or holding parts of the same run).</param>
    /// <param name="files">The files and sub-folders the whole run writes besides the manifest.</param>
    /// <exception cref="InvalidOptionException">The folder is a file, holds a run or other files, its path is too long, or a writer of the whole run holds it (the option is <c>--out</c>).</exception>
    /// <exception cref="IOException">The folder cannot be created (a read-only or full file system, no permission).</exception>
    public static RunFolder PrepareShared(string path, IReadOnlyCollection<string> files)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(files);
        return Claim(() => RunDirectory.CreateShared(System.IO.Path.GetFullPath(path), files));
    }

    // A claim whose refusal (an unusable or busy folder) is the one-line error of --out.
    private static RunFolder Claim(Func<RunDirectory> claim)
    {
        try
        {
            return new RunFolder(claim());
        }
        catch (Exception e) when (e is RunFolderException or Sharpness.Runs.Safety.FolderInUseException)
        {
            throw new InvalidOptionException("--out", e.Message);
        }
    }

    /// <summary>
    /// Gives up an attempt that stopped before its manifest (cancelled or failed): its temporary
    /// files are already gone (every file is written under a temporary name and removed on
    /// failure), the lock is released, and the folder is removed when this attempt created it and
    /// wrote nothing into it. Files an earlier attempt left stay (resumable state; see
    /// <see cref="RunDirectory.Abandon"/>). Disposing a folder whose run did not complete does the same.
    /// </summary>
    public void Abandon() => _directory.Abandon();

    /// <summary>Releases the folder of a run that did not complete (see <see cref="Abandon"/>).</summary>
    public void Dispose() => _directory.Abandon();

    private RunDirectory Directory => _directory;

    /// <summary>Streams a CSV table into the folder, atomically.</summary>
    /// <param name="fileName">The file name.</param>
    /// <param name="columns">The header.</param>
    /// <param name="rows">Writes the rows.</param>
    public void WriteCsv(string fileName, IReadOnlyList<string> columns, Action<CsvTableWriter> rows) =>
        Directory.WriteAtomic(fileName, stream =>
        {
            using var writer = new CsvTableWriter(stream, columns);
            rows(writer);
        });

    /// <summary>Writes a binary file into the folder, atomically.</summary>
    /// <param name="fileName">The file name.</param>
    /// <param name="content">The bytes.</param>
    public void WriteBytes(string fileName, byte[] content) => Directory.WriteBytesAtomic(fileName, content);

    /// <summary>Writes a text file (UTF-8) into the folder, atomically.</summary>
    /// <param name="fileName">The file name.</param>
    /// <param name="content">The text.</param>
    public void WriteText(string fileName, string content) => Directory.WriteTextAtomic(fileName, content);

    /// <summary>Writes a figure as NAME.png and, when rendered, NAME.svg; returns the file names.</summary>
    /// <param name="baseName">NAME.</param>
    /// <param name="figure">The rendering.</param>
    public IReadOnlyList<string> WriteFigure(string baseName, RenderedFigure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        Directory.WriteBytesAtomic(baseName + ".png", figure.Png);
        if (figure.Svg is null)
        {
            return [baseName + ".png"];
        }

        Directory.WriteTextAtomic(baseName + ".svg", figure.Svg);
        return [baseName + ".png", baseName + ".svg"];
    }

    /// <summary>Writes figures (NAME.png and, when rendered, NAME.svg each); returns the file names.</summary>
    /// <param name="figures">The figures.</param>
    public IReadOnlyList<string> WriteFigures(IEnumerable<NamedFigure> figures) =>
        [.. figures.SelectMany(f => WriteFigure(f.Name, f.Figure))];

    /// <summary>Writes the manifest, which marks the run complete.</summary>
    /// <param name="record">What the manifest records about the run.</param>
    /// <param name="files">The files written besides the manifest.</param>
    public void Complete(RunRecord record, IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(record);
        Directory.WriteManifest(new RunManifest
        {
            Command = record.Command,
            Arguments = record.Arguments,
            Configuration = record.Configuration,
            Seed = record.Seed,
            StartedUtc = record.StartedUtc,
            FinishedUtc = DateTimeOffset.UtcNow,
            Results = record.Results,
            Files = files,
            Execution = record.Execution,
        });
        Directory.Dispose();
    }
}

/// <summary>What a run's manifest records besides its files and finishing time.</summary>
/// <param name="Command">The command that made the run ("uv simulate"); <c>sharpness plot</c> finds the figure renderer by it.</param>
/// <param name="Arguments">The command-line arguments as given (empty for a run started from code).</param>
/// <param name="Configuration">The complete effective configuration, defaults included.</param>
/// <param name="Seed">The seed of every random draw of the run.</param>
/// <param name="StartedUtc">When the run started.</param>
/// <param name="Results">The summary results.</param>
/// <param name="Execution">How the run was executed (jobs, resumed parts), or null; see <see cref="RunManifest.Execution"/>.</param>
public sealed record RunRecord(string Command, IReadOnlyList<string> Arguments, System.Text.Json.Nodes.JsonObject Configuration, ulong Seed, DateTimeOffset StartedUtc, System.Text.Json.Nodes.JsonObject Results, System.Text.Json.Nodes.JsonObject? Execution = null);
