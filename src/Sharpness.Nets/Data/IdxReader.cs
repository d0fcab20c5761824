using System.Buffers.Binary;
using System.IO.Compression;

namespace Sharpness.Nets.Data;

/// <summary>
/// Reads IDX files of unsigned bytes, the format of MNIST and Fashion-MNIST, plain or gzipped
/// (recognised by the gzip signature 1F 8B, whatever the file name). Every problem (a missing
/// file, a damaged gzip stream, a wrong magic number, too few or too many bytes for the
/// dimensions in the header) is a <see cref="DatasetException"/> naming the file and what was
/// expected.
/// </summary>
/// <remarks>
/// The format: a 4-byte big-endian magic number 0x0000TTNN (TT = 0x08 for unsigned bytes, NN the
/// number of dimensions), NN big-endian 32-bit sizes, then the values row-major, nothing after.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of image files: unsigned bytes, 3 dimensions [N, rows, columns].</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of label files: unsigned bytes, 1 dimension [N].</summary>
    public const int LabelsMagic = 0x00000801;

    private const int UnsignedByteType = 0x08;

    /// <summary>Reads an image file ([N, rows, columns], magic 0x00000803).</summary>
    /// <param name="path">Plain or gzipped IDX file.</param>
    /// <exception cref="DatasetException">The file is missing, damaged or not an image file.</exception>
    public static IdxArray ReadImages(string path) => Read(path, ImagesMagic);

    /// <summary>Reads a label file ([N], magic 0x00000801).</summary>
    /// <param name="path">Plain or gzipped IDX file.</param>
    /// <exception cref="DatasetException">The file is missing, damaged or not a label file.</exception>
    public static IdxArray ReadLabels(string path) => Read(path, LabelsMagic);

    /// <summary>Reads an IDX file of unsigned bytes whose magic number must be <paramref name="expectedMagic"/>.</summary>
    /// <param name="path">Plain or gzipped IDX file.</param>
    /// <param name="expectedMagic">0x000008NN with NN the number of dimensions, 1 to 255.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedMagic"/> is not an unsigned-byte IDX magic number.</exception>
    /// <exception cref="DatasetException">The file is missing or does not hold exactly what its header promises.</exception>
    public static IdxArray Read(string path, int expectedMagic) => ReadCore(path, expectedMagic, headerOnly: false).Array!;

    /// <summary>
    /// Reads only the header of an IDX file (magic number and dimensions), checking them as
    /// <see cref="Read"/> does and, for a plain file, that its size matches them: a cheap check of a
    /// data set before anything is trained on it.
    /// </summary>
    /// <param name="path">Plain or gzipped IDX file.</param>
    /// <param name="expectedMagic">0x000008NN with NN the number of dimensions.</param>
    /// <returns>The dimensions.</returns>
    /// <exception cref="DatasetException">The file is missing, not a regular file, or its header is wrong.</exception>
    public static int[] ReadHeader(string path, int expectedMagic) => ReadCore(path, expectedMagic, headerOnly: true).Header;

    private static (int[] Header, IdxArray? Array) ReadCore(string path, int expectedMagic, bool headerOnly)
    {
        ArgumentNullException.ThrowIfNull(path);
        int rank = expectedMagic & 0xFF;
        if ((expectedMagic >> 8) != UnsignedByteType || rank == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedMagic), $"0x{expectedMagic:X8} is not the magic number of an unsigned-byte IDX file (0x000008NN, NN ≥ 1).");
        }

        if (!File.Exists(path))
        {
            throw new DatasetException(path, $"file not found (expected an IDX file with magic number {Describe(expectedMagic)}, plain or gzipped)");
        }

        // A pipe or a character device (/dev/zero) reports no size: refused before it is opened,
        // since opening a pipe blocks and a device never ends.
        long length = new FileInfo(path).Length;
        if (length < 8)
        {
            throw new DatasetException(path, $"expected an IDX file with magic number {Describe(expectedMagic)}, found {length} bytes (or not a regular file)");
        }

        try
        {
            using var file = File.OpenRead(path);
            bool gzipped = IsGzip(file);
            using Stream stream = gzipped ? new GZipStream(file, CompressionMode.Decompress) : file;
            return ReadContent(path, stream, expectedMagic, rank, gzipped, file.Length, headerOnly);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetException(path, $"damaged gzip stream ({e.Message})", e);
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw new DatasetException(path, $"cannot be read ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DatasetException(path, $"cannot be read ({e.Message})", e);
        }
    }

    private static (int[] Header, IdxArray? Array) ReadContent(string path, Stream stream, int expectedMagic, int rank, bool gzipped, long fileLength, bool headerOnly)
    {
        string after = gzipped ? " after decompression" : string.Empty;
        var magicBytes = new byte[4];
        int got = ReadUpTo(stream, magicBytes);
        if (got < 4)
        {
            throw new DatasetException(path, $"expected an IDX header{after}, found only {got} bytes");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(magicBytes);
        if (magic != expectedMagic)
        {
            throw new DatasetException(path, $"expected IDX magic number {Describe(expectedMagic)}, found 0x{magic:X8}");
        }

        int headerLength = 4 + (4 * rank);
        var sizeBytes = new byte[4 * rank];
        got = ReadUpTo(stream, sizeBytes);
        if (got < sizeBytes.Length)
        {
            throw new DatasetException(path, $"expected an IDX header of {headerLength} bytes{after}, found only {4 + got}");
        }

        var dimensions = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(sizeBytes.AsSpan(4 * i));
            if (dimensions[i] < 0)
            {
                throw new DatasetException(path, $"dimension {i} of the IDX header is negative ({dimensions[i]})");
            }
        }

        // Each partial product stays below 2^31 · 2^31, so the long never overflows before the check.
        long count = 1;
        foreach (int dimension in dimensions)
        {
            count = dimension == 0 ? 0 : count * dimension;
            if (count > Array.MaxLength)
            {
                break;
            }
        }

        if (dimensions.Contains(0))
        {
            count = 0;
        }

        if (count > Array.MaxLength)
        {
            throw new DatasetException(path, $"the IDX header declares dimensions [{string.Join(", ", dimensions)}], more values than this reader holds in memory");
        }

        // Nothing is allocated for values the file cannot hold: a plain file must have exactly the
        // declared size, and gzip expands data by at most about 1032:1.
        long expected = headerLength + count;
        if (gzipped ? count > MaxGzipRatio * fileLength : expected != fileLength)
        {
            throw new DatasetException(path, gzipped
                ? $"the IDX header declares dimensions [{string.Join(", ", dimensions)}], more than a gzip stream of {fileLength} bytes can hold"
                : $"expected {expected} bytes for dimensions [{string.Join(", ", dimensions)}], found {fileLength}");
        }

        if (headerOnly)
        {
            return (dimensions, null);
        }

        var values = new byte[count];
        got = ReadUpTo(stream, values);
        long expectedTotal = headerLength + count;
        if (got < values.Length)
        {
            throw new DatasetException(path, $"expected {expectedTotal} bytes{after} for dimensions [{string.Join(", ", dimensions)}], found {headerLength + got}");
        }

        long extra = CountRemaining(stream);
        if (extra > 0)
        {
            throw new DatasetException(path, $"expected {expectedTotal} bytes{after} for dimensions [{string.Join(", ", dimensions)}], found {expectedTotal + extra}");
        }

        return (dimensions, new IdxArray(path, dimensions, values));
    }

    // The deflate format's largest expansion is a little over 1032:1.
    private const long MaxGzipRatio = 1100;

    private static string Describe(int magic) => magic switch
    {
        ImagesMagic => "0x00000803 (unsigned-byte images [N, rows, columns])",
        LabelsMagic => "0x00000801 (unsigned-byte labels [N])",
        _ => $"0x{magic:X8} (unsigned bytes, {magic & 0xFF} dimensions)",
    };

    private static bool IsGzip(FileStream file)
    {
        Span<byte> signature = stackalloc byte[2];
        int n = file.Read(signature);
        file.Position = 0;
        return n == 2 && signature[0] == 0x1F && signature[1] == 0x8B;
    }

    private static int ReadUpTo(Stream stream, byte[] buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer, total, buffer.Length - total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    private static long CountRemaining(Stream stream)
    {
        var scratch = new byte[81920];
        long total = 0;
        int n;
        while ((n = stream.Read(scratch, 0, scratch.Length)) > 0)
        {
            total += n;
        }

        return total;
    }
}
