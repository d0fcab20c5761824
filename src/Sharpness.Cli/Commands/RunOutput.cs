using System.Text.Json.Nodes;
using Sharpness.Plots;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary>
/// The run folder of a command that is not yet a library call (the real-network commands and the
/// reproduction): <see cref="RunFolder"/> with the manifest's arguments taken from the command line.
/// </summary>
internal sealed class RunOutput
{
    private readonly RunFolder _folder;

    private RunOutput(RunFolder folder) => _folder = folder;

    /// <summary>The folder, for the library's writers.</summary>
    public RunFolder Folder => _folder;

    /// <summary>The absolute folder path.</summary>
    public string Path => _folder.Path;

    /// <summary>Checks that <paramref name="directory"/> can take a run that writes <paramref name="files"/>.</summary>
    /// <exception cref="Sharpness.Experiments.InvalidOptionException">The folder is a file, holds a run, or holds other files.</exception>
    public static RunOutput Prepare(DirectoryInfo directory, IReadOnlyCollection<string> files) => new(RunFolder.Prepare(directory.FullName, files));

    /// <summary>Streams a CSV table into the folder, atomically.</summary>
    public void WriteCsv(string fileName, IReadOnlyList<string> columns, Action<CsvTableWriter> rows) => _folder.WriteCsv(fileName, columns, rows);

    /// <summary>Writes a binary file into the folder, atomically.</summary>
    public void WriteBytes(string fileName, byte[] content) => _folder.WriteBytes(fileName, content);

    /// <summary>Writes a text file into the folder, atomically.</summary>
    public void WriteText(string fileName, string content) => _folder.WriteText(fileName, content);

    /// <summary>Writes a figure as NAME.png and, when rendered, NAME.svg; returns the file names.</summary>
    public IReadOnlyList<string> WriteFigure(string baseName, RenderedFigure figure) => _folder.WriteFigure(baseName, figure);

    /// <summary>Writes figures (NAME.png and, when rendered, NAME.svg each); returns the file names.</summary>
    public IReadOnlyList<string> WriteFigures(IEnumerable<NamedFigure> figures) => _folder.WriteFigures(figures);

    /// <summary>Writes the manifest, which marks the run complete.</summary>
    public void Complete(string command, CliContext context, JsonObject configuration, ulong seed, DateTimeOffset started, JsonObject results, IReadOnlyList<string> files) =>
        _folder.Complete(new RunRecord(command, context.Arguments, configuration, seed, started, results), files);
}
