using Sharpness.Nets.Models;

namespace Sharpness.Nets.Data;

/// <summary>
/// The binary version of CIFAR-10: files data_batch_1.bin … data_batch_5.bin (training, 10,000
/// images each) and test_batch.bin, each a sequence of 3073-byte records: one label byte (0–9),
/// then 3072 pixel bytes (the 1024 red, 1024 green and 1024 blue values of a 32×32 image, rows in
/// order), which is the (channel, row, column) layout of <see cref="RawImageSet"/>.
/// </summary>
public static class Cifar10Format
{
    /// <summary>Bytes per record: 1 label + 3·32·32 pixels.</summary>
    public const int RecordLength = 1 + (3 * 32 * 32);

    /// <summary>Classes (labels 0–9).</summary>
    public const int ClassCount = 10;

    /// <summary>The training files in order.</summary>
    public static IReadOnlyList<string> TrainingFiles { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The test file.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>
    /// The folder holding the batch files: <paramref name="directory"/> itself, or its subfolder
    /// "cifar-10-batches-bin" (the folder the official archive unpacks to) when only that holds them.
    /// </summary>
    /// <param name="directory">Folder given by the user.</param>
    public static string ResolveDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string nested = Path.Combine(directory, "cifar-10-batches-bin");
        return !File.Exists(Path.Combine(directory, TestFile)) && File.Exists(Path.Combine(nested, TestFile)) ? nested : directory;
    }

    /// <summary>Reads the five training batches of <paramref name="directory"/> (50,000 images in the standard files).</summary>
    /// <param name="directory">Folder (see <see cref="ResolveDirectory"/>).</param>
    /// <exception cref="DatasetException">A file is missing or damaged.</exception>
    public static RawImageSet ReadTraining(string directory)
    {
        string folder = ResolveDirectory(directory);
        return Read(TrainingFiles.Select(f => Path.Combine(folder, f)).ToArray());
    }

    /// <summary>Reads the test batch of <paramref name="directory"/>.</summary>
    /// <param name="directory">Folder (see <see cref="ResolveDirectory"/>).</param>
    /// <exception cref="DatasetException">The file is missing or damaged.</exception>
    public static RawImageSet ReadTest(string directory) => Read([Path.Combine(ResolveDirectory(directory), TestFile)]);

    /// <summary>Reads and concatenates batch files in the given order.</summary>
    /// <param name="paths">One or more batch files.</param>
    /// <exception cref="ArgumentException">No path given.</exception>
    /// <exception cref="DatasetException">A file is missing, is not a whole number of records, or has a label above 9.</exception>
    public static RawImageSet Read(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("At least one batch file is needed.", nameof(paths));
        }

        var contents = paths.Select(ReadFile).ToArray();
        int count = checked(contents.Sum(c => c.Length / RecordLength));
        var pixels = new byte[checked(count * (RecordLength - 1))];
        var labels = new byte[count];
        int example = 0;
        for (int f = 0; f < paths.Count; f++)
        {
            byte[] bytes = contents[f];
            for (int offset = 0; offset < bytes.Length; offset += RecordLength, example++)
            {
                byte label = bytes[offset];
                if (label >= ClassCount)
                {
                    throw new DatasetException(paths[f], $"expected a label in [0, {ClassCount}) at the start of record {offset / RecordLength} (byte {offset}), found {label}; is this the CIFAR-10 binary version?");
                }

                labels[example] = label;
                Buffer.BlockCopy(bytes, offset + 1, pixels, example * (RecordLength - 1), RecordLength - 1);
            }
        }

        return new RawImageSet(string.Join(" + ", paths), ImageShape.Cifar10, pixels, labels, ClassCount);
    }

    private static byte[] ReadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new DatasetException(path, $"file not found (expected a CIFAR-10 binary batch of {RecordLength}-byte records)");
        }

        // Checked before reading: a pipe or a device (no size) is never opened, a wrong size never read.
        long length = new FileInfo(path).Length;
        if (length == 0 || length % RecordLength != 0)
        {
            throw new DatasetException(path, $"expected a positive multiple of {RecordLength} bytes (1 label byte + 3072 pixel bytes per record; {10000L * RecordLength} for a standard batch of 10000), found {length}");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DatasetException(path, $"cannot be read ({e.Message})", e);
        }

        if (bytes.Length == 0 || bytes.Length % RecordLength != 0)
        {
            throw new DatasetException(path, $"expected a positive multiple of {RecordLength} bytes (1 label byte + 3072 pixel bytes per record; {10000L * RecordLength} for a standard batch of 10000), found {bytes.Length}");
        }

        return bytes;
    }
}
