using Sharpness.Nets.Data;

namespace Sharpness.Nets.Tests.Data;

public sealed class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImagesAndLabelsAreReadBackExactly(bool gzip)
    {
        using var files = new DataFiles();
        var (pixels, labels) = DataFiles.Pattern(5, 3, 4, 10);
        byte[] images = DataFiles.Idx(0x803, [5, 3, 4], pixels);
        byte[] labelFile = DataFiles.Idx(0x801, [5], labels);
        string imagesPath = files.Write("images", gzip ? DataFiles.Gzip(images) : images);
        string labelsPath = files.Write("labels", gzip ? DataFiles.Gzip(labelFile) : labelFile);

        IdxArray readImages = IdxReader.ReadImages(imagesPath);
        IdxArray readLabels = IdxReader.ReadLabels(labelsPath);

        Assert.Equal([5, 3, 4], readImages.Dimensions);
        Assert.Equal(pixels, readImages.Values);
        Assert.Equal([5], readLabels.Dimensions);
        Assert.Equal(labels, readLabels.Values);
        Assert.Equal(imagesPath, readImages.Path);
    }

    [Fact]
    public void AnEmptySetIsReadAsZeroImages()
    {
        using var files = new DataFiles();
        string path = files.Write("empty", DataFiles.Idx(0x803, [0, 28, 28], []));

        IdxArray array = IdxReader.ReadImages(path);

        Assert.Equal([0, 28, 28], array.Dimensions);
        Assert.Empty(array.Values);
    }

    [Fact]
    public void ATruncatedGzippedFileNamesTheFileAndTheExpectedDecompressedSize()
    {
        using var files = new DataFiles();
        var pixels = new byte[100_000 - 16];
        new Random(1).NextBytes(pixels);
        byte[] full = DataFiles.Idx(0x803, [200, 28, 28], pixels);
        string path = files.Write("train-images-idx3-ubyte.gz", DataFiles.Gzip(full));

        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(path));

        Assert.Equal(path, e.FilePath);
        Assert.Equal($"{path}: expected 156816 bytes after decompression for dimensions [200, 28, 28], found 100000", e.Message);
    }

    [Fact]
    public void AGzippedHeaderDeclaringMoreThanItsStreamCanHoldIsRefusedBeforeAllocating()
    {
        using var files = new DataFiles();
        byte[] full = DataFiles.Idx(0x803, [60000, 28, 28], new byte[1000 - 16]);
        string path = files.Write("train-images-idx3-ubyte.gz", DataFiles.Gzip(full));

        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("declares dimensions [60000, 28, 28], more than a gzip stream of", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedPlainFileNamesTheExpectedSize()
    {
        using var files = new DataFiles();
        byte[] full = DataFiles.Idx(0x801, [10], new byte[10]);
        string path = files.Write("labels", full[..^3]);

        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadLabels(path));

        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected 18 bytes for dimensions [10], found 15", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExtraBytesAfterTheValuesAreAnError()
    {
        using var files = new DataFiles();
        byte[] content = [.. DataFiles.Idx(0x801, [4], [1, 2, 3, 4]), 9, 9];
        string path = files.Write("labels.gz", DataFiles.Gzip(content));

        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("expected 12 bytes after decompression for dimensions [4], found 14", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADamagedGzipStreamIsAClearError()
    {
        using var files = new DataFiles();
        var (pixels, _) = DataFiles.Pattern(50, 28, 28, 10);
        byte[] gzip = DataFiles.Gzip(DataFiles.Idx(0x803, [50, 28, 28], pixels));
        string cut = files.Write("cut.gz", gzip[..(gzip.Length / 2)]);
        byte[] scrambled = (byte[])gzip.Clone();
        for (int i = 20; i < scrambled.Length - 8; i += 7)
        {
            scrambled[i] ^= 0x5A;
        }

        string damaged = files.Write("damaged.gz", scrambled);

        var cutError = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(cut));
        var damagedError = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(damaged));

        Assert.Equal(cut, cutError.FilePath);
        Assert.Equal(damaged, damagedError.FilePath);
    }

    [Fact]
    public void AWrongMagicNumberSaysWhatWasExpectedAndFound()
    {
        using var files = new DataFiles();
        string labels = files.Write("labels", DataFiles.Idx(0x801, [3], [0, 1, 2]));
        string text = files.Write("readme.txt", "this is not an IDX file"u8.ToArray());

        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(labels));
        var textError = Assert.Throws<DatasetException>(() => IdxReader.ReadLabels(text));

        Assert.Equal($"{labels}: expected IDX magic number 0x00000803 (unsigned-byte images [N, rows, columns]), found 0x00000801", e.Message);
        Assert.Contains("expected IDX magic number 0x00000801", textError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        using var files = new DataFiles();
        string path = files.PathOf("train-images-idx3-ubyte.gz");

        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("file not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileShorterThanItsHeaderIsAClearError()
    {
        using var files = new DataFiles();
        string tiny = files.Write("tiny", [0, 0]);
        string header = files.Write("header", DataFiles.Idx(0x803, [5, 3, 4], [])[..10]);

        var tinyError = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(tiny));
        var headerError = Assert.Throws<DatasetException>(() => IdxReader.ReadImages(header));

        Assert.Contains("found 2 bytes", tinyError.Message, StringComparison.Ordinal);
        Assert.Contains("expected an IDX header of 16 bytes, found only 10", headerError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnImpossibleMagicNumberArgumentIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IdxReader.Read("x", 0x00000D03));
        Assert.Throws<ArgumentOutOfRangeException>(() => IdxReader.Read("x", 0x00000800));
    }
}
