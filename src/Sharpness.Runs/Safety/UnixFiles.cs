using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Sharpness.Runs.Safety;

/// <summary>The kind of a directory entry, as the file system reports it (links not followed unless asked).</summary>
public enum FileKind
{
    /// <summary>Nothing exists at the path.</summary>
    Missing,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,

    /// <summary>A named pipe (FIFO): reading it can block for ever.</summary>
    Fifo,

    /// <summary>A character or block device such as /dev/zero: endless or not a file at all.</summary>
    Device,

    /// <summary>A Unix socket.</summary>
    Socket,

    /// <summary>The kind could not be determined (another operating system, or an old C library).</summary>
    Unknown,
}

/// <summary>What is at a path, links not followed unless asked: for checks before reading or replacing anything.</summary>
public static class FileEntry
{
    /// <summary>The kind of entry at <paramref name="path"/>.</summary>
    /// <param name="path">The path.</param>
    /// <param name="followLinks">Describe the target of a symbolic link instead of the link.</param>
    public static FileKind KindOf(string path, bool followLinks = false) => UnixFiles.Stat(path, followLinks).Kind;

    /// <summary>Whether anything (a file, folder or link, even a dangling one) is at <paramref name="path"/>.</summary>
    /// <param name="path">The path.</param>
    public static bool Exists(string path) => UnixFiles.Exists(path);
}

/// <summary>
/// The few POSIX calls that .NET does not expose and the safety layer needs on Linux: <c>statx</c>
/// (file kind, inode and size without following links, also of an open descriptor), <c>open</c>
/// without .NET's implicit <c>flock</c>, <c>flock</c> itself, and plain reads and writes of a
/// descriptor. Elsewhere <see cref="Native"/> is false and callers fall back to managed APIs.
/// </summary>
internal static class UnixFiles
{
    public const int EWouldBlock = 11;
    public const int ENoLock = 37;
    public const int EOpNotSupp = 95;
    public const int ENoSys = 38;
    public const int EExist = 17;
    public const int ELoop = 40;
    public const int EIntr = 4;

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    private const int OReadOnly = 0;
    private const int OReadWrite = 2;
    private const int OCreate = 0x40;
    private const int OExclusive = 0x80;
    private const int OCloseOnExec = 0x80000;

    private const int LockShared = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int LockRelease = 8;

    private static bool _statxMissing;

    /// <summary>Whether the native calls are available (Linux on x64 or Arm64).</summary>
    public static bool Native { get; } = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    // O_NOFOLLOW is one of the few flags whose value differs between Linux architectures.
    private static int ONoFollow => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 0x8000 : 0x20000;

    /// <summary>What is at <paramref name="path"/>: kind, size, device and inode.</summary>
    /// <param name="path">The path.</param>
    /// <param name="followLinks">Describe the target of a symbolic link instead of the link.</param>
    public static (FileKind Kind, long Size, ulong Device, ulong Inode) Stat(string path, bool followLinks)
    {
        if (Native && !_statxMissing)
        {
            var buffer = new byte[256];
            try
            {
                if (StatxPath(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer) == 0)
                {
                    return Decode(buffer);
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno is 2 or 20)
                {
                    // ENOENT, ENOTDIR: nothing there.
                    return (FileKind.Missing, 0, 0, 0);
                }

                if (errno != ENoSys)
                {
                    return (FileKind.Unknown, 0, 0, 0);
                }
            }
            catch (EntryPointNotFoundException)
            {
            }

            _statxMissing = true;
        }

        return ManagedStat(path, followLinks);
    }

    /// <summary>Whether anything (a file, folder or link, even a dangling one) is at <paramref name="path"/>.</summary>
    public static bool Exists(string path) => Stat(path, followLinks: false).Kind != FileKind.Missing;

    /// <summary>Kind, size, device and inode of an open descriptor (Unknown when not available).</summary>
    public static (FileKind Kind, long Size, ulong Device, ulong Inode) Stat(int descriptor)
    {
        if (!Native || _statxMissing)
        {
            return (FileKind.Unknown, 0, 0, 0);
        }

        var buffer = new byte[256];
        try
        {
            return StatxPath(descriptor, string.Empty, AtEmptyPath, StatxBasicStats, buffer) == 0 ? Decode(buffer) : (FileKind.Unknown, 0, 0, 0);
        }
        catch (EntryPointNotFoundException)
        {
            _statxMissing = true;
            return (FileKind.Unknown, 0, 0, 0);
        }
    }

    /// <summary>Opens (creating when asked) a file for a lock without following a final symbolic link; returns the descriptor or -errno.</summary>
    public static int OpenForLock(string path, bool create, bool exclusive)
    {
        int flags = OReadWrite | OCloseOnExec | ONoFollow | (create ? OCreate : 0) | (exclusive ? OExclusive : 0);
        int fd = Open(path, flags, Convert.ToInt32("644", 8));
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Opens a file for reading without following a final symbolic link; returns the descriptor or -errno.</summary>
    public static int OpenForReading(string path)
    {
        int fd = Open(path, OReadOnly | OCloseOnExec | ONoFollow, 0);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>Takes an advisory lock without waiting; returns 0 or the errno.</summary>
    public static int TryLock(int descriptor, bool shared)
    {
        while (true)
        {
            if (Flock(descriptor, (shared ? LockShared : LockExclusive) | LockNonBlocking) == 0)
            {
                return 0;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != EIntr)
            {
                return errno;
            }
        }
    }

    /// <summary>Releases an advisory lock.</summary>
    public static void Unlock(int descriptor) => Flock(descriptor, LockRelease);

    /// <summary>Replaces the whole content of an open file.</summary>
    public static void Overwrite(int descriptor, byte[] content)
    {
        Truncate(descriptor, 0);
        PositionalWrite(descriptor, content, content.Length, 0);
    }

    /// <summary>Reads at most <paramref name="count"/> bytes from the start of an open file.</summary>
    public static byte[] ReadStart(int descriptor, int count)
    {
        var buffer = new byte[count];
        nint read = PositionalRead(descriptor, buffer, count, 0);
        return read <= 0 ? [] : buffer[..(int)read];
    }

    /// <summary>Closes a descriptor.</summary>
    public static void CloseDescriptor(int descriptor) => Close(descriptor);

    private static (FileKind, long, ulong, ulong) Decode(byte[] buffer)
    {
        ushort mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        ulong inode = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32));
        long size = (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(40));
        ulong device = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(136)) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(140));
        FileKind kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0x2000 or 0x6000 => FileKind.Device,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
        return (kind, size, device, inode);
    }

    private static (FileKind, long, ulong, ulong) ManagedStat(string path, bool followLinks)
    {
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists)
        {
            info = new DirectoryInfo(path);
            if (!info.Exists && info.LinkTarget is null)
            {
                return (FileKind.Missing, 0, 0, 0);
            }
        }

        if (!followLinks && info.LinkTarget is not null)
        {
            return (FileKind.SymbolicLink, 0, 0, 0);
        }

        return info is DirectoryInfo ? (FileKind.Directory, 0L, 0UL, 0UL) : (FileKind.Unknown, ((FileInfo)info).Length, 0UL, 0UL);
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int StatxPath(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int Flock(int descriptor, int operation);

    [DllImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static extern int Truncate(int descriptor, long length);

    [DllImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static extern nint PositionalWrite(int descriptor, byte[] buffer, nint count, long offset);

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static extern nint PositionalRead(int descriptor, byte[] buffer, nint count, long offset);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);
}
