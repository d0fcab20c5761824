using System.Globalization;
using System.Text;
using Sharpness.Runs.Safety;

namespace Sharpness.Runs;

/// <summary>
/// An append-only record of the finished parts of a run (the cells of a phase diagram, the points of a grid),
/// kept in the run folder while the run computes, so that a run killed part-way (SIGKILL, a lost machine)
/// redoes only its unfinished parts when it is started again on the same folder with the same options.
/// </summary>
/// <remarks>
/// <para>Format (UTF-8 text): a first line <c>sharpness.journal/1 FINGERPRINT</c>, where the fingerprint
/// identifies the run's options; then one line per finished part, <c>index,value,…,checksum</c>, the checksum
/// being the FNV-1a hash (32 bits, 8 hex digits) of the text before it. Each line is handed to the operating
/// system in one write as soon as its part finishes, so a killed process loses at most the parts that were
/// still running. The journal is opened without following a symbolic link at its name and only when it is a
/// regular file, at most <see cref="MaxBytes"/> of it are read back, and a file that is not a journal of the
/// same options is replaced by a new one (unlinked, then created exclusively), never rewritten in place. On opening, a journal with another fingerprint or header is started afresh; a line that is
/// cut short, malformed or fails its checksum (the last line written when the machine went down) is ignored,
/// as are the lines after it.</para>
/// <para>The writer of the run deletes the journal before it writes the manifest: a complete run folder holds
/// no journal.</para>
/// </remarks>
public sealed class RunJournal : IDisposable
{
    /// <summary>The first word of the first line.</summary>
    public const string Header = "sharpness.journal/1";

    private readonly FileStream _stream;
    private readonly int _fields;
    private readonly Lock _gate = new();

    private RunJournal(FileStream stream, int fields, IReadOnlyDictionary<int, string[]> entries, string path)
    {
        _stream = stream;
        _fields = fields;
        Entries = entries;
        Path = path;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>The parts finished by earlier attempts: values by index, as they were appended.</summary>
    public IReadOnlyDictionary<int, string[]> Entries { get; }

    /// <summary>
    /// Opens the journal at <paramref name="path"/>: reads the parts an earlier attempt with the same
    /// <paramref name="fingerprint"/> finished, or starts a new journal (the folder is created when missing).
    /// </summary>
    /// <param name="path">The journal file.</param>
    /// <param name="fingerprint">Identifies the run's options (no spaces or line breaks), for example a hash of its configuration.</param>
    /// <param name="fields">Values per part, ≥ 1.</param>
    /// <exception cref="ArgumentException">The fingerprint holds white space, or is empty.</exception>
    public static RunJournal Open(string path, string fingerprint, int fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(fingerprint);
        ArgumentOutOfRangeException.ThrowIfLessThan(fields, 1);
        if (fingerprint.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("The fingerprint must not contain white space.", nameof(fingerprint));
        }

        string full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        string header = $"{Header} {fingerprint}";
        var entries = new Dictionary<int, string[]>();
        var stream = OpenFile(full, exclusive: false);
        try
        {
            long keep = Read(stream, header, fields, entries);
            if (keep == 0)
            {
                entries.Clear();
                if (stream.Length > 0)
                {
                    // Not a journal of these options: its entry is replaced by a new file, never rewritten in
                    // place, so that whatever else it is linked to (a hard link) keeps its content.
                    stream.Dispose();
                    File.Delete(full);
                    stream = OpenFile(full, exclusive: true);
                }

                byte[] line = Encoding.UTF8.GetBytes(header + "\n");
                stream.Write(line);
                keep = line.Length;
            }

            // Anything after the last good line is cut off, so that new lines follow a good one.
            stream.SetLength(keep);
            stream.Seek(keep, SeekOrigin.Begin);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return new RunJournal(stream, fields, entries, full);
    }

    /// <summary>The most of a journal that is read back; a longer one is cut at the last good line before it.</summary>
    public const long MaxBytes = 256L << 20;

    /// <summary>Records that part <paramref name="index"/> finished with <paramref name="values"/> (thread-safe; one write).</summary>
    /// <param name="index">The part, ≥ 0.</param>
    /// <param name="values">Its values: as many as the journal's fields, none holding a comma or a line break.</param>
    public void Append(int index, IReadOnlyList<string> values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != _fields || values.Any(v => v is null || v.IndexOfAny([',', '\n', '\r']) >= 0))
        {
            throw new ArgumentException($"Expected {_fields} values without commas or line breaks.", nameof(values));
        }

        string body = index.ToString(CultureInfo.InvariantCulture) + "," + string.Join(',', values);
        byte[] line = Encoding.UTF8.GetBytes($"{body},{Checksum(body)}\n");
        lock (_gate)
        {
            _stream.Write(line);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _stream.Dispose();

    /// <summary>Deletes the journal file (or whatever entry is at its name, without following a link) when it exists.</summary>
    /// <param name="path">The journal file.</param>
    public static void Delete(string path)
    {
        if (FileEntry.KindOf(path) is not (FileKind.Missing or FileKind.Directory))
        {
            File.Delete(path);
        }
    }

    // Opens (or creates; with exclusive, only creates) the journal for reading and appending without following a
    // symbolic link at its name, and only when it is a regular file: a link planted there is refused, never
    // written through.
    private static FileStream OpenFile(string full, bool exclusive)
    {
        if (UnixFiles.Native)
        {
            int fd = UnixFiles.OpenForLock(full, create: true, exclusive: exclusive);
            if (fd < 0)
            {
                throw -fd == UnixFiles.ELoop
                    ? new RunFolderException($"'{full}' is a symbolic link; the toolkit does not follow links in its folders. Remove it.")
                    : EnvironmentFailure.Cause(-fd) is not null
                        ? EnvironmentFailure.FromErrno(-fd, full, "cannot open the journal")
                        : new RunFolderException(string.Create(CultureInfo.InvariantCulture, $"cannot open the journal '{full}' (error {-fd})."));
            }

            var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
            if (UnixFiles.Stat(fd).Kind is not (FileKind.Regular or FileKind.Unknown))
            {
                handle.Dispose();
                throw new RunFolderException($"'{full}' is not a regular file but the toolkit keeps its journal there; remove it.");
            }

            return new FileStream(handle, FileAccess.ReadWrite, bufferSize: 0);
        }

        if (FileEntry.KindOf(full) == FileKind.SymbolicLink)
        {
            throw new RunFolderException($"'{full}' is a symbolic link; the toolkit does not follow links in its folders. Remove it.");
        }

        return new FileStream(full, exclusive ? FileMode.CreateNew : FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
    }

    // Returns the length of the good prefix (header and complete, valid lines), 0 when the header does not match.
    // At most MaxBytes are read.
    private static long Read(FileStream stream, string header, int fields, Dictionary<int, string[]> entries)
    {
        var bytes = new byte[(int)Math.Min(stream.Length, MaxBytes)];
        stream.Seek(0, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        int end = Array.IndexOf(bytes, (byte)'\n');
        if (end < 0 || Encoding.UTF8.GetString(bytes, 0, end) != header)
        {
            return 0;
        }

        long good = end + 1;
        for (int start = end + 1; start < bytes.Length;)
        {
            int stop = Array.IndexOf(bytes, (byte)'\n', start);
            if (stop < 0 || !TryParse(Encoding.UTF8.GetString(bytes, start, stop - start), fields, out int index, out string[] values))
            {
                break;
            }

            entries[index] = values;
            start = stop + 1;
            good = start;
        }

        return good;
    }

    private static bool TryParse(string line, int fields, out int index, out string[] values)
    {
        index = -1;
        values = [];
        string[] parts = line.Split(',');
        if (parts.Length != fields + 2)
        {
            return false;
        }

        string body = line[..line.LastIndexOf(',')];
        if (parts[^1] != Checksum(body) || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            return false;
        }

        values = parts[1..^1];
        return true;
    }

    // FNV-1a, 32 bits: enough to tell a cut or garbled line from a written one.
    private static string Checksum(string text)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
