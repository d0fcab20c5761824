using System.Globalization;
using System.Text;

namespace Sharpness.Runs.Safety;

/// <summary>Another process (or another writer in this one) holds the folder's lock.</summary>
public sealed class FolderInUseException : IOException
{
    /// <summary>Creates the error.</summary>
    /// <param name="folder">The locked folder.</param>
    /// <param name="processId">The holder's process id, when it recorded one.</param>
    /// <param name="host">The holder's host name, when it recorded one.</param>
    public FolderInUseException(string folder, int? processId, string? host)
        : base(Describe(folder, processId, host))
    {
        Folder = folder;
        ProcessId = processId;
        Host = host;
    }

    /// <summary>The locked folder.</summary>
    public string Folder { get; }

    /// <summary>The holder's process id, when known.</summary>
    public int? ProcessId { get; }

    /// <summary>The holder's host name, when known.</summary>
    public string? Host { get; }

    private static string Describe(string folder, int? processId, string? host)
    {
        string holder = processId is int pid
            ? string.Create(CultureInfo.InvariantCulture, $"process {pid}") + (host is not null && host != Environment.MachineName ? $" on {host}" : string.Empty)
            : "another process";
        return $"folder '{folder}' in use by {holder}; wait for it to finish or choose another folder.";
    }
}

/// <summary>
/// One writer per folder: an advisory lock (<c>flock</c>) on the file <see cref="FileName"/> inside
/// the folder, held until disposed or until the process ends. The operating system releases it
/// when the process dies, even by SIGKILL, so a lock is never stale; the file itself stays (it
/// also marks the folder as the toolkit's). An exclusive holder writes its process id and host
/// into the file, which is what a refused second writer reports.
/// </summary>
/// <remarks>
/// Locks conflict between processes and between two acquisitions in one process. Shared locks
/// (<see cref="Acquire"/> with <c>shared: true</c>) coexist with each other and exclude an
/// exclusive one: shards of one sweep share its results folder, a second unsharded sweep is refused.
/// On Linux the lock is taken with <c>flock</c> on a descriptor opened without following a
/// symbolic link; a file system without locks (some network mounts) leaves the folder unlocked
/// (<see cref="IsLocked"/> false) rather than unusable. Elsewhere .NET's own file sharing is used.
/// </remarks>
public sealed class FolderLock : IDisposable
{
    /// <summary>Name of the lock file in a locked folder.</summary>
    public const string FileName = ".sharpness.lock";

    private readonly bool _shared;
    private int _descriptor = -1;
    private FileStream? _managed;

    private FolderLock(string folder, bool createdFile, bool isLocked, bool shared)
    {
        Folder = folder;
        CreatedFile = createdFile;
        IsLocked = isLocked;
        _shared = shared;
    }

    /// <summary>The locked folder (absolute).</summary>
    public string Folder { get; }

    /// <summary>Whether this acquisition created the lock file (the folder was not the toolkit's before).</summary>
    public bool CreatedFile { get; }

    /// <summary>Whether the lock is held (false on a file system without advisory locks).</summary>
    public bool IsLocked { get; }

    /// <summary>Path of the lock file of <paramref name="folder"/>.</summary>
    /// <param name="folder">A folder.</param>
    public static string PathIn(string folder) => Path.Combine(folder, FileName);

    /// <summary>Whether <paramref name="folder"/> has a lock file, that is, the toolkit has written there.</summary>
    /// <param name="folder">A folder.</param>
    public static bool IsMarked(string folder)
    {
        var kind = UnixFiles.Stat(PathIn(folder), followLinks: false).Kind;
        return kind == FileKind.Regular || (kind == FileKind.Unknown && File.Exists(PathIn(folder)));
    }

    /// <summary>Creates the lock file of <paramref name="folder"/> when missing, without locking: marks the folder as the toolkit's.</summary>
    /// <param name="folder">An existing folder.</param>
    /// <exception cref="RunFolderException">The folder cannot hold the lock file (a folder at its name, a file system that holds no files).</exception>
    public static void Mark(string folder)
    {
        string path = PathIn(folder);
        if (UnixFiles.Stat(path, followLinks: false).Kind != FileKind.Missing)
        {
            return;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.ReadWrite });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created meanwhile by another writer.
        }
        catch (IOException e) when (EnvironmentFailure.Describe(e) is null)
        {
            // A file system that holds no files of ours (/proc), or a folder at the lock file's name.
            throw new RunFolderException($"'{folder}' cannot hold the toolkit's lock file ({e.Message.TrimEnd('.')}).");
        }
    }

    // Why the lock file cannot be opened: the environment's fault (exit 3), or a folder that
    // cannot be used as given (a link or a folder at the lock file's name, a file system without
    // files of ours).
    private static Exception LockFileProblem(int errno, string path) => errno switch
    {
        _ when EnvironmentFailure.Cause(errno) is not null => EnvironmentFailure.FromErrno(errno, path, "cannot create the lock file"),
        _ => new RunFolderException(errno switch
        {
            UnixFiles.ELoop => $"'{path}' is a symbolic link; the toolkit does not follow links in its folders. Remove it.",
            21 => $"'{path}' is a folder but the toolkit keeps its lock file there; remove it.",
            _ => string.Create(CultureInfo.InvariantCulture, $"cannot create the lock file '{path}' (error {errno}); this folder cannot be used for output."),
        }),
    };

    /// <summary>Locks an existing folder.</summary>
    /// <param name="folder">The folder (it must exist).</param>
    /// <param name="shared">Take a shared lock (several shared holders coexist; an exclusive one excludes them).</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="FolderInUseException">Another holder has the lock.</exception>
    /// <exception cref="EnvironmentException">The lock file cannot be created or opened (permissions, read-only or full file system).</exception>
    /// <exception cref="RunFolderException">The lock file's name holds a link, a folder or another non-regular file, keeps being replaced, or the file system holds no files (/proc).</exception>
    public static FolderLock Acquire(string folder, bool shared = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        string full = Path.GetFullPath(folder);
        return UnixFiles.Native ? AcquireNative(full, shared) : AcquireManaged(full, shared);
    }

    /// <summary>Releases the lock (the lock file stays).</summary>
    public void Dispose()
    {
        if (_descriptor >= 0)
        {
            if (IsLocked && !_shared)
            {
                // An exclusive holder leaves no process id behind after a clean release.
                UnixFiles.Overwrite(_descriptor, []);
            }

            if (IsLocked)
            {
                UnixFiles.Unlock(_descriptor);
            }

            UnixFiles.CloseDescriptor(_descriptor);
            _descriptor = -1;
        }

        _managed?.Dispose();
        _managed = null;
    }

    /// <summary>
    /// Releases the lock and deletes the lock file when this acquisition created it, for a folder
    /// that is about to be removed because nothing was written (the file is deleted while still
    /// locked, and every acquisition checks that its file is still the one in the folder).
    /// </summary>
    public void ReleaseAndDelete()
    {
        if (CreatedFile)
        {
            try
            {
                File.Delete(PathIn(Folder));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Leaving the lock file is harmless: it only marks the folder as the toolkit's.
            }
        }

        Dispose();
    }

    private static FolderLock AcquireNative(string folder, bool shared)
    {
        string path = PathIn(folder);
        for (int attempt = 0; ; attempt++)
        {
            bool created = true;
            int fd = UnixFiles.OpenForLock(path, create: true, exclusive: true);
            if (fd == -UnixFiles.EExist)
            {
                created = false;
                fd = UnixFiles.OpenForLock(path, create: false, exclusive: false);
            }

            if (fd < 0)
            {
                int errno = -fd;
                if (errno == 2 && attempt < 10)
                {
                    continue; // removed between the two opens
                }

                throw LockFileProblem(errno, path);
            }

            var (kind, _, device, inode) = UnixFiles.Stat(fd);
            if (kind is not (FileKind.Regular or FileKind.Unknown))
            {
                UnixFiles.CloseDescriptor(fd);
                throw new RunFolderException($"'{path}' is not a regular file but the toolkit keeps its lock file there; remove it.");
            }

            int result = UnixFiles.TryLock(fd, shared);
            if (result == UnixFiles.EWouldBlock)
            {
                byte[] content = UnixFiles.ReadStart(fd, 256);
                UnixFiles.CloseDescriptor(fd);
                var (pid, host) = ParseHolder(content);
                throw new FolderInUseException(folder, pid, host);
            }

            bool locked = result == 0;
            if (!locked && result is not (UnixFiles.ENoLock or UnixFiles.EOpNotSupp or UnixFiles.ENoSys or 22))
            {
                UnixFiles.CloseDescriptor(fd);
                throw EnvironmentFailure.FromErrno(result, path, "cannot lock");
            }

            // The file may have been deleted (and another one created) between open and flock by
            // a holder that removed its empty folder: then this lock protects nothing; start again.
            var now = UnixFiles.Stat(path, followLinks: false);
            if (kind != FileKind.Unknown && (now.Kind != FileKind.Regular || now.Device != device || now.Inode != inode))
            {
                UnixFiles.CloseDescriptor(fd);
                if (attempt < 10)
                {
                    continue;
                }

                throw new RunFolderException($"'{path}' keeps changing; another process is creating and removing it.");
            }

            var folderLock = new FolderLock(folder, created, locked, shared) { _descriptor = fd };
            if (locked && !shared)
            {
                UnixFiles.Overwrite(fd, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {Environment.MachineName}\n")));
            }

            return folderLock;
        }
    }

    private static FolderLock AcquireManaged(string folder, bool shared)
    {
        string path = PathIn(folder);
        bool created = !File.Exists(path);
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, shared ? FileShare.ReadWrite : FileShare.None);
            return new FolderLock(folder, created, true, shared) { _managed = stream };
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException) && EnvironmentFailure.Describe(e) is null)
        {
            throw new FolderInUseException(folder, null, null);
        }
    }

    private static (int? Pid, string? Host) ParseHolder(byte[] content)
    {
        string[] parts = Encoding.UTF8.GetString(content).Trim().Split(' ', 2);
        return parts.Length > 0 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            ? (pid, parts.Length > 1 ? parts[1].Trim() : null)
            : (null, null);
    }
}
