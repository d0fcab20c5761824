namespace Sharpness.Runs.Safety;

/// <summary>
/// Writes files so that a crash, a full disk or a hostile folder never leaves a half-written file
/// under its final name and never writes anywhere else: the content goes to <c>NAME.partial</c>,
/// created exclusively (O_CREAT|O_EXCL, so never through a symbolic link; a stale temporary entry
/// is removed first without being followed), is flushed to disk, then renamed over NAME (the rename
/// replaces a link at NAME rather than writing through it). On failure the temporary file is removed.
/// </summary>
public static class SafeFile
{
    /// <summary>Suffix of temporary files.</summary>
    public const string TemporarySuffix = ".partial";

    /// <summary>Writes <paramref name="fileName"/> in <paramref name="folder"/> atomically.</summary>
    /// <param name="folder">An existing folder.</param>
    /// <param name="fileName">One path segment (see <see cref="PathSegment"/>).</param>
    /// <param name="write">Writes the content.</param>
    /// <exception cref="ArgumentException">The name is not one safe segment.</exception>
    /// <exception cref="IOException">The temporary name is a folder, or the disk failed (see <see cref="EnvironmentFailure"/>).</exception>
    public static void WriteAtomic(string folder, string fileName, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteAtomicAsync(folder, fileName, stream =>
        {
            write(stream);
            return Task.CompletedTask;
        }, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Writes <paramref name="fileName"/> in <paramref name="folder"/> atomically (see <see cref="WriteAtomic"/>).</summary>
    /// <param name="folder">An existing folder.</param>
    /// <param name="fileName">One path segment.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="cancellationToken">Cancels before the rename (the final name is then untouched).</param>
    public static async Task WriteAtomicAsync(string folder, string fileName, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        await WriteTemporaryAsync(folder, fileName, write, cancellationToken).ConfigureAwait(false);
        Commit(folder, fileName);
    }

    /// <summary>
    /// The first half of <see cref="WriteAtomicAsync"/>: writes the content to <c>NAME.partial</c>
    /// (created exclusively, flushed to disk) and leaves NAME untouched, so several files can be
    /// written first and then all renamed (<see cref="Commit"/>) or all dropped (<see cref="TryDelete"/> of
    /// <see cref="TemporaryPath"/>). On failure the temporary file is removed.
    /// </summary>
    /// <param name="folder">An existing folder.</param>
    /// <param name="fileName">One path segment.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="cancellationToken">Cancels the write (the temporary file is then removed).</param>
    public static async Task WriteTemporaryAsync(string folder, string fileName, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(write);
        string temporary = TemporaryPath(folder, fileName);
        RemoveStaleTemporary(temporary);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 16 };
            var stream = new FileStream(temporary, options);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Opens <c>NAME.partial</c> for a file that grows while others read it (a run's metrics.csv followed
    /// live): a stale temporary entry left by an interrupted attempt is removed first (without following a
    /// link), the file is created exclusively and may be read, not written, by others. Dispose the stream
    /// after <see cref="FileStream.Flush(bool)"/>, then <see cref="Commit"/> it, or <see cref="TryDelete"/>
    /// <see cref="TemporaryPath"/> to drop it.
    /// </summary>
    /// <param name="folder">An existing folder.</param>
    /// <param name="fileName">One path segment (the final name).</param>
    /// <returns>The stream, positioned at the start of the empty file.</returns>
    /// <exception cref="ArgumentException">The name is not one safe segment.</exception>
    /// <exception cref="IOException">The temporary name is a folder, or the disk failed.</exception>
    public static FileStream CreateTemporary(string folder, string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string temporary = TemporaryPath(folder, fileName);
        RemoveStaleTemporary(temporary);
        return new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 });
    }

    /// <summary>Renames <c>NAME.partial</c> over NAME (the second half of <see cref="WriteAtomicAsync"/>); a link at NAME is replaced, not followed.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="fileName">One path segment.</param>
    /// <exception cref="IOException">NAME is a folder, or the rename failed.</exception>
    public static void Commit(string folder, string fileName)
    {
        string temporary = TemporaryPath(folder, fileName);
        string final = Path.Combine(folder, fileName);
        try
        {
            if (UnixFiles.Stat(final, followLinks: false).Kind == FileKind.Directory)
            {
                throw new IOException($"'{final}' is a folder; the toolkit will not replace it with a file.");
            }

            File.Move(temporary, final, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>The temporary path of <paramref name="fileName"/> in <paramref name="folder"/>, after checking the name is one safe segment.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="fileName">One path segment, not itself ending in <see cref="TemporarySuffix"/>.</param>
    /// <exception cref="ArgumentException">The name is not one safe segment.</exception>
    public static string TemporaryPath(string folder, string fileName)
    {
        if (!PathSegment.IsSafe(fileName) || fileName.EndsWith(TemporarySuffix, StringComparison.Ordinal)
            || !PathSegment.IsSafe(fileName + TemporarySuffix))
        {
            throw new ArgumentException($"'{PathSegment.Printable(fileName)}' is not a plain file name.", nameof(fileName));
        }

        return Path.Combine(folder, fileName + TemporarySuffix);
    }

    /// <summary>Deletes a file or link without following it, ignoring a missing one.</summary>
    /// <param name="path">The path.</param>
    public static void TryDelete(string path)
    {
        try
        {
            if (UnixFiles.Stat(path, followLinks: false).Kind is not (FileKind.Missing or FileKind.Directory))
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the caller is already failing for another reason.
        }
    }

    private static void RemoveStaleTemporary(string temporary)
    {
        switch (UnixFiles.Stat(temporary, followLinks: false).Kind)
        {
            case FileKind.Missing:
                return;
            case FileKind.Directory:
                throw new IOException($"'{temporary}' is a folder; remove it.");
            default:
                // A file or link left by an interrupted attempt (or planted): unlink the entry itself.
                File.Delete(temporary);
                return;
        }
    }
}
