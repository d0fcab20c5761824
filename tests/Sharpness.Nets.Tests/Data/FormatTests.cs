using Sharpness.Nets.Data;
using Sharpness.Nets.Models;

namespace Sharpness.Nets.Tests.Data;

public sealed class FormatTests
{
    [Fact]
    public void MnistFilesAreReadAsOneChannelImages()
    {
        using var files = new DataFiles();
        files.WriteMnist(trainCount: 6, testCount: 4, rows: 3, columns: 2, gzip: true);

        RawImageSet train = MnistFormat.ReadTraining(files.Directory);
        RawImageSet test = MnistFormat.ReadTest(files.Directory);

        Assert.Equal(new ImageShape(1, 3, 2), train.Shape);
        Assert.Equal(6, train.Count);
        Assert.Equal(4, test.Count);
        Assert.Equal(DataFiles.Pattern(6, 3, 2, 10).Pixels, train.Pixels);
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, test.Labels);
    }

    [Fact]
    public void LocatePrefersTheGzippedFileAndFallsBackToThePlainOne()
    {
        using var files = new DataFiles();
        files.WriteMnist(2, 2, 2, 2, gzip: false);

        Assert.Equal(files.PathOf("train-images-idx3-ubyte"), MnistFormat.Locate(files.Directory, MnistFormat.TrainImages));
        files.Write("train-images-idx3-ubyte.gz", DataFiles.Gzip(File.ReadAllBytes(files.PathOf("train-images-idx3-ubyte"))));
        Assert.Equal(files.PathOf("train-images-idx3-ubyte.gz"), MnistFormat.Locate(files.Directory, MnistFormat.TrainImages));
        Assert.Equal(files.PathOf("nothing.gz"), MnistFormat.Locate(files.Directory, "nothing"));
    }

    [Fact]
    public void MismatchedLabelCountsAndOutOfRangeLabelsNameTheLabelFile()
    {
        using var files = new DataFiles();
        string images = files.Write("images", DataFiles.Idx(0x803, [3, 2, 2], new byte[12]));
        string fewer = files.Write("fewer", DataFiles.Idx(0x801, [2], [0, 1]));
        string outOfRange = files.Write("range", DataFiles.Idx(0x801, [3], [0, 10, 1]));

        var count = Assert.Throws<DatasetException>(() => MnistFormat.Read(images, fewer));
        var range = Assert.Throws<DatasetException>(() => MnistFormat.Read(images, outOfRange));

        Assert.Equal(fewer, count.FilePath);
        Assert.Contains("expected 3 labels", count.Message, StringComparison.Ordinal);
        Assert.Equal(outOfRange, range.FilePath);
        Assert.Contains("found 10 at example 1", range.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CifarBatchesAreReadBackExactlyInOrder()
    {
        using var files = new DataFiles();
        static byte Pixel(int i, int p) => (byte)((i * 31) + p);
        string first = files.Write("a.bin", DataFiles.CifarBatch([3, 9], Pixel));
        string second = files.Write("b.bin", DataFiles.CifarBatch([0], (i, p) => Pixel(i + 2, p)));

        RawImageSet set = Cifar10Format.Read([first, second]);

        Assert.Equal(ImageShape.Cifar10, set.Shape);
        Assert.Equal(new byte[] { 3, 9, 0 }, set.Labels);
        for (int i = 0; i < 3; i++)
        {
            for (int p = 0; p < 3072; p++)
            {
                Assert.Equal(Pixel(i, p), set.Pixels[(i * 3072) + p]);
            }
        }
    }

    [Fact]
    public void CifarFilesOfTheWrongSizeOrWithBadLabelsOrMissingAreNamed()
    {
        using var files = new DataFiles();
        string truncated = files.Write("truncated.bin", DataFiles.CifarBatch([1, 2], (_, _) => 7)[..5000]);
        string badLabel = files.Write("cifar100.bin", DataFiles.CifarBatch([1, 42], (_, _) => 7));
        string missing = files.PathOf("data_batch_1.bin");

        var size = Assert.Throws<DatasetException>(() => Cifar10Format.Read([truncated]));
        var label = Assert.Throws<DatasetException>(() => Cifar10Format.Read([badLabel]));
        var absent = Assert.Throws<DatasetException>(() => Cifar10Format.ReadTraining(files.Directory));

        Assert.Equal($"{truncated}: expected a positive multiple of 3073 bytes (1 label byte + 3072 pixel bytes per record; 30730000 for a standard batch of 10000), found 5000", size.Message);
        Assert.Equal(badLabel, label.FilePath);
        Assert.Contains("record 1", label.Message, StringComparison.Ordinal);
        Assert.Equal(missing, absent.FilePath);
    }

    [Fact]
    public void TheCifarFolderMayBeTheParentOfTheUnpackedArchive()
    {
        using var files = new DataFiles();
        string nested = Path.Combine(files.Directory, "cifar-10-batches-bin");
        Directory.CreateDirectory(nested);
        File.WriteAllBytes(Path.Combine(nested, Cifar10Format.TestFile), DataFiles.CifarBatch([4], (_, p) => (byte)p));

        RawImageSet test = Cifar10Format.ReadTest(files.Directory);

        Assert.Equal(nested, Cifar10Format.ResolveDirectory(files.Directory));
        Assert.Equal(new byte[] { 4 }, test.Labels);
    }
}
