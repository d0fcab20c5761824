namespace Sharpness.Runs;

/// <summary>
/// The folder of one run. Every file is written to a temporary name in the folder and renamed
/// when complete, so a crash never leaves a half-written file under its final name; the
/// manifest is written last and marks the run complete.
/// </summary>
public sealed class RunDirectory
{
    /// <summary>File name of the manifest that marks a complete run.</summary>
    public const string ManifestFileName = "manifest.json";

    private const string TemporarySuffix = ".partial";

    private RunDirectory(string path) => Path = path;

    /// <summary>Absolute path of the folder.</summary>
    public string Path { get; }

    /// <summary>
    /// Checks that <paramref name="path"/> can receive a new run without touching anything: it
    /// must not be a file, must not hold a complete run (a manifest), and may hold only the files
    /// this run writes (left by an interrupted attempt) or their temporary versions.
    /// </summary>
    /// <param name="path">Folder path (created later by <see cref="Create"/>).</param>
    /// <param name="filesOfThisRun">File names the run will write, besides the manifest.</param>
    /// <returns>Null when usable, else a one-line reason.</returns>
    public static string? CheckUsable(string path, IReadOnlyCollection<string> filesOfThisRun)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(filesOfThisRun);
        string full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return $"'{path}' is a file, not a folder.";
        }

        if (!Directory.Exists(full))
        {
            return null;
        }

        if (File.Exists(System.IO.Path.Combine(full, ManifestFileName)))
        {
            return $"'{path}' already holds a run ({ManifestFileName} exists); choose another folder or delete it.";
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(full))
        {
            string name = System.IO.Path.GetFileName(entry);
            string baseName = name.EndsWith(TemporarySuffix, StringComparison.Ordinal) ? name[..^TemporarySuffix.Length] : name;
            if (!filesOfThisRun.Contains(baseName) && baseName != ManifestFileName)
            {
                return $"'{path}' is not empty (it holds '{name}', which this run does not write); choose an empty or new folder.";
            }
        }

        return null;
    }

    /// <summary>Creates the folder (and parents) after <see cref="CheckUsable"/> accepted it.</summary>
    /// <param name="path">Folder path.</param>
    /// <param name="filesOfThisRun">File names the run will write, besides the manifest.</param>
    /// <exception cref="InvalidOperationException">The folder is not usable (see <see cref="CheckUsable"/>).</exception>
    public static RunDirectory Create(string path, IReadOnlyCollection<string> filesOfThisRun)
    {
        string? problem = CheckUsable(path, filesOfThisRun);
        if (problem is not null)
        {
            throw new InvalidOperationException(problem);
        }

        string full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(full);
        return new RunDirectory(full);
    }

    /// <summary>
    /// Opens a folder (created when missing) to write files into it atomically, without the checks
    /// of <see cref="Create"/>: for files derived from a run that already exists, such as figures
    /// re-rendered from its data. Nothing in the folder is removed.
    /// </summary>
    /// <param name="path">Folder path.</param>
    /// <exception cref="InvalidOperationException"><paramref name="path"/> is a file.</exception>
    public static RunDirectory Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new InvalidOperationException($"'{path}' is a file, not a folder.");
        }

        Directory.CreateDirectory(full);
        return new RunDirectory(full);
    }

    /// <summary>Whether the folder holds a complete run (see <see cref="HoldsCompleteRun"/>).</summary>
    public bool IsComplete => HoldsCompleteRun(Path);

    /// <summary>
    /// Whether <paramref name="folder"/> holds a complete run: its manifest exists, is valid JSON and
    /// says <c>"complete": true</c> (the manifest is written last, so anything less is an interrupted run).
    /// </summary>
    /// <param name="folder">A run folder.</param>
    public static bool HoldsCompleteRun(string folder)
    {
        string manifest = System.IO.Path.Combine(folder, ManifestFileName);
        if (!File.Exists(manifest))
        {
            return false;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest));
            return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.TryGetProperty("complete", out var complete)
                && complete.ValueKind == System.Text.Json.JsonValueKind.True;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>Writes a file atomically: to a temporary name first, then renamed over the final name.</summary>
    /// <param name="fileName">A plain file name inside the folder (no separators).</param>
    /// <param name="write">Writes the content to the stream.</param>
    public void WriteAtomic(string fileName, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (string.IsNullOrWhiteSpace(fileName) || fileName != System.IO.Path.GetFileName(fileName) || fileName is "." or "..")
        {
            throw new ArgumentException($"'{fileName}' is not a plain file name.", nameof(fileName));
        }

        string final = System.IO.Path.Combine(Path, fileName);
        string temporary = final + TemporarySuffix;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, final, overwrite: true);
    }

    /// <summary>Writes a binary file atomically.</summary>
    /// <param name="fileName">A plain file name inside the folder.</param>
    /// <param name="content">The bytes.</param>
    public void WriteBytesAtomic(string fileName, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        WriteAtomic(fileName, stream => stream.Write(content));
    }

    /// <summary>Writes a UTF-8 text file atomically.</summary>
    /// <param name="fileName">A plain file name inside the folder.</param>
    /// <param name="content">The text.</param>
    public void WriteTextAtomic(string fileName, string content) =>
        WriteAtomic(fileName, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(content);
        });

    /// <summary>Writes the manifest (last, atomically), which marks the run complete.</summary>
    /// <param name="manifest">The manifest.</param>
    public void WriteManifest(RunManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        WriteTextAtomic(ManifestFileName, manifest.ToJson());
    }
}
