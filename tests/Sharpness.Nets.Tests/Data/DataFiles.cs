using System.Buffers.Binary;
using System.IO.Compression;

namespace Sharpness.Nets.Tests.Data;

/// <summary>Writes small data files byte by byte, independently of the readers under test.</summary>
internal sealed class DataFiles : IDisposable
{
    public DataFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "sharpness-data-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>The bytes of an IDX file: big-endian magic, big-endian sizes, values.</summary>
    public static byte[] Idx(int magic, int[] dimensions, byte[] values)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + values.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dimensions[i]);
        }

        values.CopyTo(bytes, 4 + (4 * dimensions.Length));
        return bytes;
    }

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return buffer.ToArray();
    }

    public string Write(string name, byte[] content)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Images [n, rows, columns] with pixel (i, r, c) = (7i + 3r + c) mod 256, and labels i mod classes.</summary>
    public static (byte[] Pixels, byte[] Labels) Pattern(int n, int rows, int columns, int classes)
    {
        var pixels = new byte[n * rows * columns];
        for (int i = 0; i < n; i++)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    pixels[(((i * rows) + r) * columns) + c] = (byte)(((7 * i) + (3 * r) + c) % 256);
                }
            }
        }

        return (pixels, Enumerable.Range(0, n).Select(i => (byte)(i % classes)).ToArray());
    }

    /// <summary>Writes the four MNIST-layout files of two small splits (gzipped or plain).</summary>
    public void WriteMnist(int trainCount, int testCount, int rows, int columns, bool gzip)
    {
        foreach (var (prefix, n) in new[] { ("train", trainCount), ("t10k", testCount) })
        {
            var (pixels, labels) = Pattern(n, rows, columns, 10);
            byte[] images = Idx(0x803, [n, rows, columns], pixels);
            byte[] labelFile = Idx(0x801, [n], labels);
            string suffix = gzip ? ".gz" : string.Empty;
            Write($"{prefix}-images-idx3-ubyte{suffix}", gzip ? Gzip(images) : images);
            Write($"{prefix}-labels-idx1-ubyte{suffix}", gzip ? Gzip(labelFile) : labelFile);
        }
    }

    /// <summary>A CIFAR-10 binary batch: per record the label, then 3072 pixel bytes.</summary>
    public static byte[] CifarBatch(byte[] labels, Func<int, int, byte> pixel)
    {
        var bytes = new byte[labels.Length * 3073];
        for (int i = 0; i < labels.Length; i++)
        {
            bytes[i * 3073] = labels[i];
            for (int p = 0; p < 3072; p++)
            {
                bytes[(i * 3073) + 1 + p] = pixel(i, p);
            }
        }

        return bytes;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }
}
