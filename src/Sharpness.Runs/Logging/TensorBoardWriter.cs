using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Sharpness.Runs.Logging;

/// <summary>
/// Writes TensorBoard event files (scalars only): TFRecord framing (length, masked CRC-32C of the
/// length, data, masked CRC-32C of the data) around serialised <c>Event</c> protocol buffers, the
/// first holding the file version "brain.Event:2". Open the folder with <c>tensorboard --logdir</c>.
/// </summary>
public sealed class TensorBoardWriter : IDisposable
{
    private readonly FileStream _stream;

    /// <summary>
    /// Creates <c>events.out.tfevents.TIMESTAMP.HOST.PID.N</c> in <paramref name="directory"/>
    /// (created if needed), TensorBoard's own naming, with N the first number not taken. The file
    /// is created exclusively: an existing file (or a link) is never overwritten or followed, so
    /// runs can share one log folder.
    /// </summary>
    /// <param name="directory">The log folder.</param>
    /// <param name="wallTime">Seconds since the Unix epoch of the first event (default: now).</param>
    /// <exception cref="IOException"><paramref name="directory"/> is a file, or the file cannot be created.</exception>
    public TensorBoardWriter(string directory, double? wallTime = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (File.Exists(directory))
        {
            throw new IOException($"'{directory}' is a file, not a folder for TensorBoard event files.");
        }

        Directory.CreateDirectory(directory);
        double start = wallTime ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        string stem = string.Create(CultureInfo.InvariantCulture, $"events.out.tfevents.{(long)start}.{Sanitise(Environment.MachineName)}.{Environment.ProcessId}");
        for (int n = 0; ; n++)
        {
            string candidate = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{stem}.{n}"));
            try
            {
                _stream = new FileStream(candidate, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read });
                FilePath = candidate;
                break;
            }
            catch (IOException) when (n < 1000 && Safety.FileEntry.Exists(candidate))
            {
                // Taken (by an earlier writer of this process in the same second): try the next number.
            }
        }

        WriteRecord(Event(start, 0, fileVersion: "brain.Event:2", tag: null, value: 0));
    }

    /// <summary>The event file being written.</summary>
    public string FilePath { get; }

    /// <summary>Appends a scalar.</summary>
    /// <param name="tag">Series name, for example "sharpness".</param>
    /// <param name="step">Training step.</param>
    /// <param name="value">The value (stored as float32, as TensorBoard does).</param>
    /// <param name="wallTime">Seconds since the Unix epoch (default: now).</param>
    public void AddScalar(string tag, long step, double value, double? wallTime = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        WriteRecord(Event(wallTime ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0, step, fileVersion: null, tag, (float)value));
    }

    /// <summary>Flushes buffered events to disk.</summary>
    public void Flush() => _stream.Flush(flushToDisk: true);

    /// <summary>Flushes and closes the file.</summary>
    public void Dispose()
    {
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
    }

    /// <summary>CRC-32C (Castagnoli) of <paramref name="data"/>.</summary>
    /// <param name="data">Bytes.</param>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>The masked CRC TFRecord stores: rotate right by 15 bits and add 0xa282ead8.</summary>
    /// <param name="data">Bytes.</param>
    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8);
    }

    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }

    private void WriteRecord(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
    }

    // Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
    // Summary { repeated Value value = 1; }  Value { string tag = 1; float simple_value = 2; }
    private static byte[] Event(double wallTime, long step, string? fileVersion, string? tag, float value)
    {
        var buffer = new List<byte> { 0x09 };
        Span<byte> eight = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(eight, wallTime);
        buffer.AddRange(eight.ToArray());
        buffer.Add(0x10);
        Varint(buffer, (ulong)step);
        if (fileVersion is not null)
        {
            buffer.Add(0x1A);
            LengthDelimited(buffer, Encoding.UTF8.GetBytes(fileVersion));
        }

        if (tag is not null)
        {
            var valueMessage = new List<byte> { 0x0A };
            LengthDelimited(valueMessage, Encoding.UTF8.GetBytes(tag));
            valueMessage.Add(0x15);
            Span<byte> four = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(four, value);
            valueMessage.AddRange(four.ToArray());
            var summary = new List<byte> { 0x0A };
            LengthDelimited(summary, [.. valueMessage]);
            buffer.Add(0x2A);
            LengthDelimited(buffer, [.. summary]);
        }

        return [.. buffer];
    }

    private static void LengthDelimited(List<byte> buffer, byte[] payload)
    {
        Varint(buffer, (ulong)payload.Length);
        buffer.AddRange(payload);
    }

    private static void Varint(List<byte> buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.Add((byte)value);
    }

    private static string Sanitise(string host) =>
        new(host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_').ToArray());
}
