using System.Globalization;
using System.Text;

namespace Sharpness.Runs.Safety;

/// <summary>An input file cannot be used: missing, not a regular file, larger than its kind allows, unreadable or not UTF-8. The message names the file.</summary>
public sealed class InputFileException(string message) : Exception(message);

/// <summary>What a file is read as, with the size limit of its kind.</summary>
/// <param name="Name">What the file is, in messages ("settings file", "manifest").</param>
/// <param name="MaxBytes">Largest size read.</param>
public sealed record FileKindLimit(string Name, long MaxBytes)
{
    /// <summary>Settings files (<c>--config</c>) and sweep specifications: 1 MiB.</summary>
    public static FileKindLimit Settings { get; } = new("settings file", 1L << 20);

    /// <summary>UV-model initial weights (<c>--init-file</c>): 256 MiB (about 10 million weights as JSON).</summary>
    public static FileKindLimit InitialWeights { get; } = new("initial-weights file", 256L << 20);

    /// <summary>Run manifests and claims tables: 64 MiB.</summary>
    public static FileKindLimit Manifest { get; } = new("manifest", 64L << 20);

    /// <summary>Data tables (CSV) of a run: 4 GiB.</summary>
    public static FileKindLimit Table { get; } = new("data table", 4L << 30);

    /// <summary>Dataset files (IDX, gzip-compressed IDX, CIFAR-10 batches): 2 GiB.</summary>
    public static FileKindLimit Dataset { get; } = new("dataset file", 2L << 30);

    /// <summary>Figures embedded into a report: 256 MiB.</summary>
    public static FileKindLimit Figure { get; } = new("figure", 256L << 20);

    /// <summary>Model checkpoints (safetensors): 16 GiB.</summary>
    public static FileKindLimit Checkpoint { get; } = new("checkpoint", 16L << 30);

    /// <summary>TorchScript modules (read whole into one array): 2 GiB.</summary>
    public static FileKindLimit Module { get; } = new("TorchScript module", int.MaxValue);
}

/// <summary>
/// Reads input files with a size limit suited to their kind (<see cref="FileKindLimit"/>), only
/// when they are regular files: a folder, a FIFO (which would block), a device such as /dev/zero
/// (endless) or a socket is refused before it is opened, and reading stops at the limit.
/// </summary>
public static class BoundedFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Checks that <paramref name="path"/> is a readable regular file within the limit; returns its size.</summary>
    /// <param name="path">The file.</param>
    /// <param name="kind">What it is read as.</param>
    /// <exception cref="InputFileException">Missing, not a regular file, or too large.</exception>
    public static long Check(string path, FileKindLimit kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(kind);
        var (fileKind, size, _, _) = UnixFiles.Stat(path, followLinks: true);
        switch (fileKind)
        {
            case FileKind.Missing:
                throw new InputFileException($"'{path}' does not exist.");
            case FileKind.Directory:
                throw new InputFileException($"'{path}' is a folder, not {A(kind)}.");
            case FileKind.Fifo:
                throw new InputFileException($"'{path}' is a named pipe, not {A(kind)}; give a regular file.");
            case FileKind.Device:
                throw new InputFileException($"'{path}' is a device, not {A(kind)}; give a regular file.");
            case FileKind.Socket:
                throw new InputFileException($"'{path}' is a socket, not {A(kind)}; give a regular file.");
            case FileKind.Unknown when Directory.Exists(path):
                throw new InputFileException($"'{path}' is a folder, not {A(kind)}.");
            case FileKind.Unknown when !File.Exists(path):
                throw new InputFileException($"'{path}' does not exist.");
            case FileKind.Unknown:
                size = new FileInfo(path).Length;
                break;
        }

        return size <= kind.MaxBytes
            ? size
            : throw new InputFileException($"'{path}' holds {Bytes(size)}, more than the {Bytes(kind.MaxBytes)} {A(kind)} may hold.");
    }

    /// <summary>Opens a regular file for reading after <see cref="Check"/>; the stream stops with an error past the limit.</summary>
    /// <param name="path">The file.</param>
    /// <param name="kind">What it is read as.</param>
    /// <exception cref="InputFileException">See <see cref="Check"/>; or the file cannot be opened.</exception>
    public static Stream OpenRead(string path, FileKindLimit kind)
    {
        Check(path, kind);
        try
        {
            var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, BufferSize = 1 << 16 });
            return new LimitedStream(file, path, kind);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException($"'{path}' cannot be read: {Reason(e)}.");
        }
    }

    /// <summary>Reads a whole regular file within its limit.</summary>
    /// <param name="path">The file.</param>
    /// <param name="kind">What it is read as.</param>
    /// <exception cref="InputFileException">See <see cref="OpenRead"/>.</exception>
    public static byte[] ReadAllBytes(string path, FileKindLimit kind)
    {
        using var stream = OpenRead(path, kind);
        using var copy = new MemoryStream();
        try
        {
            stream.CopyTo(copy);
        }
        catch (IOException e)
        {
            throw new InputFileException($"'{path}' cannot be read: {Reason(e)}.");
        }

        return copy.ToArray();
    }

    /// <summary>Reads a whole regular file as UTF-8 text (a byte-order mark is skipped) within its limit.</summary>
    /// <param name="path">The file.</param>
    /// <param name="kind">What it is read as.</param>
    /// <exception cref="InputFileException">See <see cref="OpenRead"/>; or the bytes are not UTF-8.</exception>
    public static string ReadAllText(string path, FileKindLimit kind)
    {
        byte[] bytes = ReadAllBytes(path, kind);
        return Decode(bytes, path);
    }

    /// <summary>Decodes UTF-8 strictly (a byte-order mark is skipped).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="path">The file, for the message.</param>
    /// <exception cref="InputFileException">The bytes are not UTF-8.</exception>
    public static string Decode(ReadOnlySpan<byte> bytes, string path)
    {
        ReadOnlySpan<byte> text = bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;
        try
        {
            return StrictUtf8.GetString(text);
        }
        catch (DecoderFallbackException e)
        {
            string where = e.Index >= 0 ? string.Create(CultureInfo.InvariantCulture, $" (invalid byte at offset {e.Index + (bytes.Length - text.Length)})") : string.Empty;
            throw new InputFileException($"'{path}' is not UTF-8 text{where}; save it as UTF-8.");
        }
    }

    /// <summary>A size in plain words (bytes, KiB, MiB, GiB).</summary>
    /// <param name="bytes">A size in bytes.</param>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        < 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.#} GiB"),
    };

    private static string A(FileKindLimit kind) => ("aeiou".Contains(kind.Name[0], StringComparison.Ordinal) ? "an " : "a ") + kind.Name;

    private static string Reason(Exception e) => e is UnauthorizedAccessException ? "permission denied" : EnvironmentFailure.Describe(e) ?? e.Message;

    private sealed class LimitedStream(FileStream inner, string path, FileKindLimit kind) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            _read += n;
            return _read <= kind.MaxBytes ? n : throw new InputFileException($"'{path}' grew past the {Bytes(kind.MaxBytes)} a {kind.Name} may hold while it was read.");
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
