using Sharpness.Nets.Models;

namespace Sharpness.Nets.Data;

/// <summary>
/// The file layout of MNIST and Fashion-MNIST: an IDX image file [N, 28, 28] and an IDX label file
/// [N] per split, plain or gzipped, with the standard names.
/// </summary>
public static class MnistFormat
{
    /// <summary>Where the Debian package dataset-fashion-mnist installs Fashion-MNIST.</summary>
    public const string DefaultFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Base name of the training images ("train-images-idx3-ubyte", with or without ".gz").</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>Base name of the training labels.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>Base name of the test images.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>Base name of the test labels.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>Classes in both data sets (labels 0–9).</summary>
    public const int ClassCount = 10;

    /// <summary>
    /// The path of <paramref name="baseName"/> in <paramref name="directory"/>: the gzipped file
    /// (".gz") when present, else the plain one, else the ".gz" name (so that the "not found" error
    /// names the file the package would install).
    /// </summary>
    /// <param name="directory">Folder of the data set.</param>
    /// <param name="baseName">One of <see cref="TrainImages"/>, <see cref="TrainLabels"/>, <see cref="TestImages"/>, <see cref="TestLabels"/>.</param>
    public static string Locate(string directory, string baseName)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(baseName);
        string gzipped = Path.Combine(directory, baseName + ".gz");
        string plain = Path.Combine(directory, baseName);
        return File.Exists(gzipped) || !File.Exists(plain) ? gzipped : plain;
    }

    /// <summary>Reads the training split of <paramref name="directory"/>.</summary>
    /// <param name="directory">Folder holding the four files.</param>
    /// <exception cref="DatasetException">A file is missing, damaged or inconsistent with the other.</exception>
    public static RawImageSet ReadTraining(string directory) =>
        Read(Locate(directory, TrainImages), Locate(directory, TrainLabels), ClassCount);

    /// <summary>Reads the test split of <paramref name="directory"/>.</summary>
    /// <param name="directory">Folder holding the four files.</param>
    /// <exception cref="DatasetException">A file is missing, damaged or inconsistent with the other.</exception>
    public static RawImageSet ReadTest(string directory) =>
        Read(Locate(directory, TestImages), Locate(directory, TestLabels), ClassCount);

    /// <summary>
    /// Reads an image file [N, H, W] and a label file [N] into a grey-scale set of 1×H×W images,
    /// checking that the counts agree and every label is below <paramref name="classCount"/>.
    /// </summary>
    /// <param name="imagesPath">IDX image file (magic 0x00000803), plain or gzipped.</param>
    /// <param name="labelsPath">IDX label file (magic 0x00000801), plain or gzipped.</param>
    /// <param name="classCount">Number of classes k ≥ 1 (10 for MNIST and Fashion-MNIST).</param>
    /// <exception cref="DatasetException">A file is missing, damaged or inconsistent with the other.</exception>
    public static RawImageSet Read(string imagesPath, string labelsPath, int classCount = ClassCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        IdxArray images = IdxReader.ReadImages(imagesPath);
        if (images.Dimensions[1] < 1 || images.Dimensions[2] < 1)
        {
            throw new DatasetException(imagesPath, $"expected images of at least 1×1 pixels, found [{string.Join(", ", images.Dimensions)}]");
        }

        IdxArray labels = IdxReader.ReadLabels(labelsPath);
        if (labels.Dimensions[0] != images.Dimensions[0])
        {
            throw new DatasetException(labelsPath, $"expected {images.Dimensions[0]} labels, one per image of {imagesPath}, found {labels.Dimensions[0]}");
        }

        int bad = Array.FindIndex(labels.Values, l => l >= classCount);
        if (bad >= 0)
        {
            throw new DatasetException(labelsPath, $"expected labels in [0, {classCount}), found {labels.Values[bad]} at example {bad}");
        }

        var shape = new ImageShape(1, images.Dimensions[1], images.Dimensions[2]);
        return new RawImageSet($"{imagesPath} + {labelsPath}", shape, images.Values, labels.Values, classCount);
    }
}
