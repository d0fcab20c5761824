using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Plots;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Commands;

/// <summary>
/// The run folder of a command, claimed once its input is checked and before any work starts:
/// created with its lock (one writer per folder), so an unusable, unwritable or busy folder is
/// reported before computing, and a dry run (<c>sweep run</c>'s check of every point) stops here.
/// The claim is released when the command returns (<see cref="ClaimScope"/>); a folder it created
/// and wrote nothing into is removed again.
/// </summary>
internal sealed class RunOutput
{
    private readonly RunDirectory _directory;

    private RunOutput(RunDirectory directory) => _directory = directory;

    /// <summary>The absolute folder path.</summary>
    public string Path => _directory.Path;

    /// <summary>Claims <paramref name="directory"/> for a run that writes <paramref name="files"/>.</summary>
    /// <param name="directory">The folder given with <paramref name="option"/>.</param>
    /// <param name="files">File (or sub-folder) names the run writes, besides the manifest.</param>
    /// <param name="option">The option that named the folder, for messages.</param>
    /// <exception cref="UsageException">The folder is a file, holds a run or other files, its path is too long, or another process holds it.</exception>
    public static RunOutput Prepare(DirectoryInfo directory, IReadOnlyCollection<string> files, string option = "--out")
    {
        ArgumentNullException.ThrowIfNull(directory);
        try
        {
            return new RunOutput(RunDirectory.Create(directory.FullName, files));
        }
        catch (Exception e) when (e is RunFolderException or FolderInUseException)
        {
            throw new UsageException(option, e.Message);
        }
    }

    private RunDirectory Directory => _directory;

    /// <summary>Streams a CSV table into the folder, atomically.</summary>
    public void WriteCsv(string fileName, IReadOnlyList<string> columns, Action<CsvTableWriter> rows) =>
        Directory.WriteAtomic(fileName, stream =>
        {
            using var writer = new CsvTableWriter(stream, columns);
            rows(writer);
        });

    /// <summary>Writes a binary file into the folder, atomically.</summary>
    public void WriteBytes(string fileName, byte[] content) => Directory.WriteBytesAtomic(fileName, content);

    /// <summary>Writes a text file into the folder, atomically.</summary>
    public void WriteText(string fileName, string content) => Directory.WriteTextAtomic(fileName, content);

    /// <summary>Writes a figure as NAME.png and, when rendered, NAME.svg; returns the file names.</summary>
    public IReadOnlyList<string> WriteFigure(string baseName, RenderedFigure figure)
    {
        Directory.WriteBytesAtomic(baseName + ".png", figure.Png);
        if (figure.Svg is null)
        {
            return [baseName + ".png"];
        }

        Directory.WriteTextAtomic(baseName + ".svg", figure.Svg);
        return [baseName + ".png", baseName + ".svg"];
    }

    /// <summary>Writes figures (NAME.png and, when rendered, NAME.svg each); returns the file names.</summary>
    public IReadOnlyList<string> WriteFigures(IEnumerable<NamedFigure> figures) =>
        [.. figures.SelectMany(f => WriteFigure(f.Name, f.Figure))];

    /// <summary>Writes the manifest, which marks the run complete.</summary>
    public void Complete(string command, CliContext context, JsonObject configuration, ulong seed, DateTimeOffset started, JsonObject results, IReadOnlyList<string> files) =>
        Directory.WriteManifest(new RunManifest
        {
            Command = command,
            Arguments = context.Arguments,
            Configuration = configuration,
            Seed = seed,
            StartedUtc = started,
            FinishedUtc = DateTimeOffset.UtcNow,
            Results = results,
            Files = files,
        });
}
