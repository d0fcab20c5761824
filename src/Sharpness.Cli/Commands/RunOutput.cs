using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Plots;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary>
/// The run folder of a command: checked before any work starts (so bad input writes nothing),
/// created when the first file is written, closed by the manifest.
/// </summary>
internal sealed class RunOutput
{
    private readonly string _path;
    private readonly IReadOnlyCollection<string> _files;
    private RunDirectory? _directory;

    private RunOutput(string path, IReadOnlyCollection<string> files)
    {
        _path = path;
        _files = files;
    }

    /// <summary>The absolute folder path.</summary>
    public string Path => System.IO.Path.GetFullPath(_path);

    /// <summary>Checks that <paramref name="directory"/> can take a run that writes <paramref name="files"/>.</summary>
    /// <exception cref="UsageException">The folder is a file, holds a run, or holds other files.</exception>
    public static RunOutput Prepare(DirectoryInfo directory, IReadOnlyCollection<string> files)
    {
        if (RunDirectory.CheckUsable(directory.FullName, files) is { } problem)
        {
            throw new UsageException("--out", problem);
        }

        return new RunOutput(directory.FullName, files);
    }

    private RunDirectory Directory => _directory ??= RunDirectory.Create(_path, _files);

    /// <summary>Hands the folder (created now) to a writer of the experiments library; returns the files it wrote.</summary>
    public IReadOnlyList<string> Write(Func<RunDirectory, IReadOnlyList<string>> writer) => writer(Directory);

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
