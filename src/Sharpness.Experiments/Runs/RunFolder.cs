using Sharpness.Experiments.Figures;
using Sharpness.Plots;
using Sharpness.Runs;

namespace Sharpness.Experiments.Runs;

/// <summary>
/// The folder a writer fills with one run: checked before the experiment starts (so bad input
/// writes nothing), created when the first file is written, every file written atomically, and
/// closed by the manifest, which marks the run complete.
/// </summary>
public sealed class RunFolder
{
    private readonly IReadOnlyCollection<string> _files;
    private RunDirectory? _directory;

    private readonly bool _existed;

    private RunFolder(string path, IReadOnlyCollection<string> files)
    {
        Path = path;
        _files = files;
        _existed = System.IO.Directory.Exists(path);
    }

    /// <summary>The absolute folder path.</summary>
    public string Path { get; }

    /// <summary>Checks that <paramref name="path"/> can take a run that writes <paramref name="files"/> (see <see cref="RunDirectory.CheckUsable"/>).</summary>
    /// <param name="path">The folder (new, empty, or left by an interrupted attempt at the same run).</param>
    /// <param name="files">The files the run writes besides the manifest.</param>
    /// <exception cref="InvalidOptionException">The folder is a file, holds a run, or holds other files (the option is <c>--out</c>).</exception>
    public static RunFolder Prepare(string path, IReadOnlyCollection<string> files)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(files);
        string full = System.IO.Path.GetFullPath(path);
        return RunDirectory.CheckUsable(full, files) is { } problem
            ? throw new InvalidOptionException("--out", problem)
            : new RunFolder(full, files);
    }

    private RunDirectory Directory => _directory ??= RunDirectory.Create(Path, _files);

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

    /// <summary>
    /// Undoes an attempt that stopped before its manifest (cancelled or failed): deletes the run's
    /// files and their temporary versions, and the folder itself when this attempt created it and
    /// left it empty. Nothing else in the folder is touched.
    /// </summary>
    public void Abandon()
    {
        if (_directory is null || !System.IO.Directory.Exists(Path))
        {
            return;
        }

        foreach (string file in _files)
        {
            foreach (string name in new[] { file, file + ".partial" })
            {
                File.Delete(System.IO.Path.Combine(Path, name));
            }
        }

        if (!_existed && !System.IO.Directory.EnumerateFileSystemEntries(Path).Any())
        {
            System.IO.Directory.Delete(Path);
        }
    }

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
        });
    }
}

/// <summary>What a run's manifest records besides its files and finishing time.</summary>
/// <param name="Command">The command that made the run ("uv simulate"); <c>sharpness plot</c> finds the figure renderer by it.</param>
/// <param name="Arguments">The command-line arguments as given (empty for a run started from code).</param>
/// <param name="Configuration">The complete effective configuration, defaults included.</param>
/// <param name="Seed">The seed of every random draw of the run.</param>
/// <param name="StartedUtc">When the run started.</param>
/// <param name="Results">The summary results.</param>
public sealed record RunRecord(string Command, IReadOnlyList<string> Arguments, System.Text.Json.Nodes.JsonObject Configuration, ulong Seed, DateTimeOffset StartedUtc, System.Text.Json.Nodes.JsonObject Results);
