using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Runs.Safety;

namespace Sharpness.Runs;

/// <summary>A folder cannot take a run: it is a file, holds another run or files this run does not write, or its path is too long. The message is one line.</summary>
public sealed class RunFolderException(string message) : InvalidOperationException(message);

/// <summary>
/// The folder of one run, claimed by one writer. <see cref="Create"/> checks the folder, creates
/// it, takes its lock (<see cref="FolderLock"/>: one writer per folder, released when the process
/// ends) and checks it again under the lock. Every file is written through <see cref="SafeFile"/>:
/// to a temporary name created exclusively, renamed when complete, never through a symbolic link;
/// the manifest is written last and marks the run complete.
/// </summary>
/// <remarks>
/// The lock file (<see cref="FolderLock.FileName"/>) stays in the folder and marks it as the
/// toolkit's: a folder that holds files named like this run's but no lock file holds someone
/// else's files, which are never overwritten.
/// </remarks>
public sealed class RunDirectory : IDisposable
{
    /// <summary>File name of the manifest that marks a complete run.</summary>
    public const string ManifestFileName = "manifest.json";

    /// <summary>What a folder set aside by <see cref="SetAside"/> has after its name, before the time stamp.</summary>
    public const string SetAsideInfix = ".incomplete-";

    /// <summary>Longest absolute path the toolkit writes, in UTF-8 bytes (Linux's PATH_MAX less the terminator).</summary>
    public const int MaxPathBytes = 4095;

    private readonly FolderLock? _lock;
    private readonly bool _createdFolder;
    private bool _released;

    private RunDirectory(string path, FolderLock? folderLock, bool createdFolder)
    {
        Path = path;
        _lock = folderLock;
        _createdFolder = createdFolder;
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Path { get; }

    /// <summary>
    /// Checks that <paramref name="path"/> can receive a new run without touching anything: its
    /// path and file names fit the file system; it is not a file and no file sits where a parent
    /// folder should; it holds no manifest; and it holds nothing but the lock file and the files
    /// this run writes (or their temporary versions), the latter only when the lock file shows the
    /// toolkit wrote them (an interrupted attempt).
    /// </summary>
    /// <param name="path">Folder path (created later by <see cref="Create"/>).</param>
    /// <param name="filesOfThisRun">File (or sub-folder) names the run will write, besides the manifest.</param>
    /// <returns>Null when usable, else a one-line reason.</returns>
    public static string? CheckUsable(string path, IReadOnlyCollection<string> filesOfThisRun)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(filesOfThisRun);
        if (path.Any(char.IsControl))
        {
            return $"'{PathSegment.Printable(path)}' holds a control character; give a plain folder path.";
        }

        string full = System.IO.Path.GetFullPath(path);
        if (PathProblem(path, full, filesOfThisRun) is { } tooLong)
        {
            return tooLong;
        }

        var kind = UnixFiles.Stat(full, followLinks: true).Kind;
        if (kind == FileKind.Missing || (kind == FileKind.Unknown && !Directory.Exists(full) && !File.Exists(full)))
        {
            return AncestorProblem(path, full);
        }

        if (kind != FileKind.Directory && !(kind == FileKind.Unknown && Directory.Exists(full)))
        {
            return $"'{path}' is a file, not a folder.";
        }

        if (UnixFiles.Stat(System.IO.Path.Combine(full, ManifestFileName), followLinks: false).Kind != FileKind.Missing)
        {
            return HoldsCompleteRun(full)
                ? $"'{path}' already holds a run ({ManifestFileName} exists); choose another folder or delete it."
                : $"'{path}' holds an unfinished or unreadable {ManifestFileName}; move the folder away or choose another one.";
        }

        bool marked = FolderLock.IsMarked(full);
        foreach (string entry in Directory.EnumerateFileSystemEntries(full))
        {
            string name = System.IO.Path.GetFileName(entry);
            if (name == FolderLock.FileName)
            {
                continue;
            }

            string baseName = name.EndsWith(SafeFile.TemporarySuffix, StringComparison.Ordinal) ? name[..^SafeFile.TemporarySuffix.Length] : name;
            int setAside = baseName.IndexOf(SetAsideInfix, StringComparison.Ordinal);
            string owner = setAside > 0 ? baseName[..setAside] : baseName;
            // The manifest itself is caught above; its temporary (a run killed while writing it) is this run's own.
            if (!filesOfThisRun.Contains(owner) && !(owner == ManifestFileName && name != ManifestFileName))
            {
                return $"'{path}' is not empty (it holds '{PathSegment.Printable(name)}', which this run does not write); choose an empty or new folder.";
            }

            if (!marked)
            {
                return $"'{path}' holds '{PathSegment.Printable(name)}' but no {FolderLock.FileName}, so the toolkit did not write it; it is not overwritten: choose an empty or new folder.";
            }

            if (UnixFiles.Stat(entry, followLinks: false).Kind == FileKind.SymbolicLink)
            {
                return $"'{path}' holds '{PathSegment.Printable(name)}', a symbolic link; the toolkit does not write through links: remove it.";
            }
        }

        return null;
    }

    /// <summary>
    /// Claims a folder for a new run: checks it (<see cref="CheckUsable"/>), creates it with its
    /// parents, takes its lock and checks it again under the lock. Dispose the result to release
    /// the lock; <see cref="Abandon"/> also removes the folder when the claim created it and
    /// nothing was written.
    /// </summary>
    /// <param name="path">Folder path.</param>
    /// <param name="filesOfThisRun">File names the run will write, besides the manifest.</param>
    /// <exception cref="RunFolderException">The folder is not usable (see <see cref="CheckUsable"/>).</exception>
    /// <exception cref="FolderInUseException">Another writer holds the folder.</exception>
    /// <exception cref="IOException">The folder or its lock file cannot be created (see <see cref="EnvironmentFailure"/>).</exception>
    public static RunDirectory Create(string path, IReadOnlyCollection<string> filesOfThisRun) => Claim(path, filesOfThisRun, shared: false);

    /// <summary>
    /// Claims a folder for one part of a run that several writers fill side by side (the shards of
    /// <c>net eos --shard</c>, each training its own sub-folders): the checks of <see cref="Create"/>,
    /// under a shared lock that other parts may hold at once and that excludes a writer of the whole
    /// folder (<see cref="Create"/>) until every part has released it. Nothing is written into the
    /// folder itself; it is never removed when released (another part may be using it).
    /// </summary>
    /// <param name="path">Folder path.</param>
    /// <param name="filesOfThisRun">File (or sub-folder) names the whole run writes, besides the manifest.</param>
    /// <exception cref="RunFolderException">The folder is not usable (see <see cref="CheckUsable"/>).</exception>
    /// <exception cref="FolderInUseException">A writer of the whole folder holds it.</exception>
    /// <exception cref="IOException">The folder or its lock file cannot be created (see <see cref="EnvironmentFailure"/>).</exception>
    public static RunDirectory CreateShared(string path, IReadOnlyCollection<string> filesOfThisRun) => Claim(path, filesOfThisRun, shared: true);

    // Checks the folder, creates and locks it, and checks it again under the lock. A shared claim never removes the folder
    // (another part may be taking it at the same moment); an exclusive one removes it on a failed check when it created it.
    private static RunDirectory Claim(string path, IReadOnlyCollection<string> filesOfThisRun, bool shared)
    {
        ClaimScope.BeforeClaim();
        if (CheckUsable(path, filesOfThisRun) is { } problem)
        {
            throw new RunFolderException(problem);
        }

        string full = System.IO.Path.GetFullPath(path);
        var (folderLock, created) = CreateAndLock(full, shared);
        bool removable = created && !shared;
        if (CheckUsable(full, filesOfThisRun) is { } changed)
        {
            if (removable)
            {
                Release(folderLock, created, full);
            }
            else
            {
                folderLock.Dispose();
            }

            throw new RunFolderException(changed);
        }

        return Claimed(new RunDirectory(full, folderLock, removable));
    }

    /// <summary>
    /// Opens a folder (created when missing) to write files into it atomically, without the checks
    /// of <see cref="Create"/>: for files derived from a run that already exists, such as figures
    /// re-rendered from its data. Nothing in the folder is removed. The folder is locked like a
    /// run folder (pass <paramref name="locked"/> false for a sub-folder of a folder already held).
    /// </summary>
    /// <param name="path">Folder path.</param>
    /// <param name="locked">Take the folder's lock.</param>
    /// <exception cref="RunFolderException"><paramref name="path"/> is a file.</exception>
    /// <exception cref="FolderInUseException">Another writer holds the folder.</exception>
    public static RunDirectory Open(string path, bool locked = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ClaimScope.BeforeClaim();
        string full = System.IO.Path.GetFullPath(path);
        if (PathProblem(path, full, []) is { } tooLong)
        {
            throw new RunFolderException(tooLong);
        }

        if (File.Exists(full))
        {
            throw new RunFolderException($"'{path}' is a file, not a folder.");
        }

        if (!locked)
        {
            Directory.CreateDirectory(full);
            return new RunDirectory(full, null, false);
        }

        var (folderLock, created) = CreateAndLock(full, shared: false);
        return Claimed(new RunDirectory(full, folderLock, created));
    }

    /// <summary>
    /// Creates <paramref name="folder"/> (and parents) when missing and takes its lock.
    /// </summary>
    /// <param name="folder">Absolute folder path.</param>
    /// <param name="shared">Take a shared lock (see <see cref="FolderLock"/>).</param>
    /// <returns>The lock and whether the folder was created by this call.</returns>
    public static (FolderLock Lock, bool Created) CreateAndLock(string folder, bool shared)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        bool created = !Directory.Exists(folder);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (IOException e) when (EnvironmentFailure.Describe(e) is null)
        {
            // A file system that holds no folders of ours (/proc, /sys) answers mkdir with errors
            // that are neither the environment's nor a bug: the path given cannot be used.
            throw new RunFolderException($"'{folder}' cannot be created as a folder: {e.Message.TrimEnd('.')}.");
        }

        try
        {
            return (FolderLock.Acquire(folder, shared), created);
        }
        catch
        {
            if (created)
            {
                TryRemoveEmpty(folder);
            }

            throw;
        }
    }

    /// <summary>Whether the folder holds a complete run (see <see cref="HoldsCompleteRun"/>).</summary>
    public bool IsComplete => HoldsCompleteRun(Path);

    /// <summary>
    /// Whether <paramref name="folder"/> holds a complete run: its manifest is a regular file of at
    /// most <see cref="FileKindLimit.Manifest"/>'s size, valid JSON, and says <c>"complete": true</c>
    /// (the manifest is written last, so anything less is an interrupted run).
    /// </summary>
    /// <param name="folder">A run folder.</param>
    public static bool HoldsCompleteRun(string folder)
    {
        string manifest = System.IO.Path.Combine(folder, ManifestFileName);
        if (UnixFiles.Stat(manifest, followLinks: false).Kind is FileKind.Missing or FileKind.SymbolicLink)
        {
            return false;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(BoundedFile.ReadAllBytes(manifest, FileKindLimit.Manifest));
            return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.TryGetProperty("complete", out var complete)
                && complete.ValueKind == System.Text.Json.JsonValueKind.True;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InputFileException)
        {
            return false;
        }
    }

    /// <summary>
    /// Moves an incomplete run folder out of the way, never deleting it: renamed to
    /// <c>NAME.incomplete-YYYYMMDDTHHMMSSZ</c> (with a counter if taken) in the same parent.
    /// </summary>
    /// <param name="folder">The folder to move.</param>
    /// <returns>The new path.</returns>
    /// <exception cref="FolderInUseException">A writer holds the folder.</exception>
    public static string SetAside(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(folder));

        // Refuse to move a folder someone is writing: take and drop its lock first.
        if (FolderLock.IsMarked(full))
        {
            FolderLock.Acquire(full).Dispose();
        }

        string stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        for (int k = 0; ; k++)
        {
            string target = full + SetAsideInfix + stamp + (k == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"-{k}"));
            if (UnixFiles.Stat(target, followLinks: false).Kind != FileKind.Missing)
            {
                continue;
            }

            Directory.Move(full, target);
            return target;
        }
    }

    /// <summary>
    /// Checks that a folder for other output (a TensorBoard log folder) is not the run folder, inside
    /// it or a file: null when it is usable, else a one-line reason.
    /// </summary>
    /// <param name="folder">The other folder.</param>
    /// <param name="runFolder">The run folder.</param>
    /// <param name="runOption">The option that names the run folder, for the message.</param>
    public static string? CheckOutside(string folder, string runFolder, string runOption)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        if (folder.Any(char.IsControl))
        {
            return $"'{PathSegment.Printable(folder)}' holds a control character; give a plain folder path.";
        }

        string full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(folder));
        string run = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(runFolder));
        if (PathProblem(folder, full, []) is { } tooLong)
        {
            return tooLong;
        }

        if (FileEntry.KindOf(full, followLinks: true) is not (FileKind.Missing or FileKind.Directory or FileKind.Unknown) || File.Exists(full))
        {
            return $"'{folder}' is a file, not a folder.";
        }

        if (string.Equals(full, run, StringComparison.Ordinal) || full.StartsWith(run + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return $"'{folder}' is {runOption} or inside it; the run folder holds only the run's own files: give a folder outside it.";
        }

        return AncestorProblem(folder, full);
    }

    /// <summary>
    /// Before a run is redone in an existing, incomplete folder: a folder the toolkit left mid-run
    /// (its lock file, no manifest) is redone in place; one the command would refuse (an unfinished
    /// or unreadable manifest, or files without the lock file) is moved aside with
    /// <see cref="SetAside"/>, never deleted.
    /// </summary>
    /// <param name="folder">The run folder (need not exist).</param>
    /// <returns>The path the folder was moved to, or null when it was left in place.</returns>
    /// <exception cref="FolderInUseException">A writer holds the folder.</exception>
    public static string? PrepareRedo(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (FileEntry.KindOf(folder) != FileKind.Directory && !(FileEntry.KindOf(folder) == FileKind.Unknown && Directory.Exists(folder)))
        {
            return null;
        }

        bool manifest = FileEntry.Exists(System.IO.Path.Combine(folder, ManifestFileName));
        bool foreign = !FolderLock.IsMarked(folder) && Directory.EnumerateFileSystemEntries(folder).Any();
        return manifest || foreign ? SetAside(folder) : null;
    }

    /// <summary>Whether a folder name is one that <see cref="SetAside"/> gave.</summary>
    /// <param name="name">A folder name.</param>
    public static bool IsSetAside(string name) =>
        !string.IsNullOrEmpty(name) && name.IndexOf(SetAsideInfix, StringComparison.Ordinal) > 0;

    /// <summary>Writes a file atomically (see <see cref="SafeFile.WriteAtomic"/>).</summary>
    /// <param name="fileName">A plain file name inside the folder (no separators).</param>
    /// <param name="write">Writes the content to the stream.</param>
    public void WriteAtomic(string fileName, Action<Stream> write) => SafeFile.WriteAtomic(Path, fileName, write);

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
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write(content);
        });

    /// <summary>
    /// Writes the manifest (last, atomically), which marks the run complete. Each CSV file it lists
    /// gets its size and SHA-256 recorded under <c>file_digests</c>, so a table cut or changed later
    /// is detected before figures are redrawn from it.
    /// </summary>
    /// <param name="manifest">The manifest.</param>
    public void WriteManifest(RunManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var digests = new JsonObject();
        foreach (string file in manifest.Files.Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && PathSegment.IsSafe(f)))
        {
            string full = System.IO.Path.Combine(Path, file);
            if (UnixFiles.Stat(full, followLinks: false).Kind is FileKind.Regular or FileKind.Unknown && File.Exists(full))
            {
                digests[file] = FileDigest.Of(full);
            }
        }

        WriteTextAtomic(ManifestFileName, manifest.ToJson(digests));
    }

    /// <summary>Releases the folder's lock.</summary>
    public void Dispose()
    {
        _released = true;
        _lock?.Dispose();
    }

    /// <summary>
    /// Gives the folder up after a failure: when this claim created it and it holds nothing but
    /// the lock file, the folder is removed; otherwise (an earlier attempt's files, or files
    /// already written: resumable state) it stays. The lock is released either way.
    /// </summary>
    public void Abandon()
    {
        if (_lock is null || _released)
        {
            return;
        }

        _released = true;
        Release(_lock, _createdFolder, Path);
    }

    private static RunDirectory Claimed(RunDirectory directory)
    {
        ClaimScope.Register(directory);
        return directory;
    }

    private static void Release(FolderLock folderLock, bool createdFolder, string folder)
    {
        bool onlyLock = createdFolder && Directory.EnumerateFileSystemEntries(folder).All(e => System.IO.Path.GetFileName(e) == FolderLock.FileName);
        if (onlyLock)
        {
            folderLock.ReleaseAndDelete();
            TryRemoveEmpty(folder);
        }
        else
        {
            folderLock.Dispose();
        }
    }

    private static void TryRemoveEmpty(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not empty after all (another writer arrived): leave it.
        }
    }

    private static string? PathProblem(string given, string full, IReadOnlyCollection<string> files)
    {
        foreach (string segment in full.Split(System.IO.Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            int bytes = Encoding.UTF8.GetByteCount(segment);
            if (bytes > PathSegment.MaxBytes)
            {
                return string.Create(CultureInfo.InvariantCulture, $"'{given}': the name '{Shorten(segment)}' has {bytes} bytes, more than the {PathSegment.MaxBytes} a file system allows.");
            }
        }

        string longest = files.Append(ManifestFileName).MaxBy(f => f.Length) ?? ManifestFileName;
        int total = Encoding.UTF8.GetByteCount(full) + 1 + Encoding.UTF8.GetByteCount(longest + SafeFile.TemporarySuffix);
        if (total > MaxPathBytes)
        {
            return string.Create(CultureInfo.InvariantCulture, $"'{Shorten(given)}' is too long: its files' paths would have {total} bytes, more than the {MaxPathBytes} a path may have.");
        }

        foreach (string file in files)
        {
            int bytes = Encoding.UTF8.GetByteCount(file + SafeFile.TemporarySuffix);
            if (bytes > PathSegment.MaxBytes)
            {
                return string.Create(CultureInfo.InvariantCulture, $"'{given}': the file name '{Shorten(file)}' would have {bytes} bytes with its temporary suffix, more than the {PathSegment.MaxBytes} a file system allows.");
            }
        }

        return null;
    }

    private static string? AncestorProblem(string given, string full)
    {
        for (string? parent = System.IO.Path.GetDirectoryName(full); parent is not null; parent = System.IO.Path.GetDirectoryName(parent))
        {
            var kind = UnixFiles.Stat(parent, followLinks: true).Kind;
            if (kind == FileKind.Missing)
            {
                continue;
            }

            return kind is FileKind.Directory || (kind == FileKind.Unknown && Directory.Exists(parent))
                ? null
                : $"'{given}' cannot be created: '{parent}' is a file, not a folder.";
        }

        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..20] + "…" + text[^12..];
}

/// <summary>
/// Size, rows and SHA-256 of a data table, as recorded in a manifest's <c>file_digests</c>: enough
/// to tell a table that was cut (to its header, at a row boundary or mid-row) from the one the run
/// wrote, while a table whose values were edited on purpose still draws.
/// </summary>
public static class FileDigest
{
    /// <summary>The digest of a file: <c>{"bytes": N, "rows": R, "sha256": "hex"}</c>, R the lines after the header.</summary>
    /// <param name="path">The file.</param>
    public static JsonObject Of(string path)
    {
        using var stream = File.OpenRead(path);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long lines = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }

        return new JsonObject { ["bytes"] = stream.Length, ["rows"] = Math.Max(0, lines - 1), ["sha256"] = Convert.ToHexStringLower(sha.GetHashAndReset()) };
    }

    /// <summary>
    /// Checks a table against the digest its manifest recorded: null when it has the recorded
    /// number of rows and ends with a complete line (or nothing was recorded), else a one-line reason.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="recorded">The manifest's digest of it, or null.</param>
    public static string? Mismatch(string path, JsonNode? recorded)
    {
        if (recorded is not JsonObject digest || digest["rows"] is not JsonValue rowsValue || !rowsValue.TryGetValue(out long rows))
        {
            return null;
        }

        long lines = 0;
        byte last = (byte)'\n';
        long length = 0;
        using (var stream = File.OpenRead(path))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                last = buffer[read - 1];
                length += read;
            }
        }

        if (length > 0 && last != (byte)'\n')
        {
            return $"'{path}' ends in the middle of a line: the table was cut after the run; nothing is drawn from it.";
        }

        long actual = Math.Max(0, lines - 1);
        return actual == rows
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"'{path}' holds {actual} rows but the run wrote {rows}: the table was cut or changed after the run; nothing is drawn from it.");
    }
}
