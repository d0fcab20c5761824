using static TorchSharp.torch;

namespace Sharpness.Nets.Data;

/// <summary>The image data sets the toolkit reads.</summary>
public enum ImageDatasetKind
{
    /// <summary>Fashion-MNIST, 60,000 + 10,000 grey-scale 28×28 images, 10 classes (IDX files). The default.</summary>
    FashionMnist,

    /// <summary>MNIST, 60,000 + 10,000 grey-scale 28×28 digits, 10 classes (IDX files, user-supplied).</summary>
    Mnist,

    /// <summary>CIFAR-10, 50,000 + 10,000 RGB 32×32 images, 10 classes (binary version, user-supplied).</summary>
    Cifar10,
}

/// <summary>What is centred and divided by its standard deviation when <see cref="ImageDatasetOptions.Standardise"/> is on.</summary>
public enum StandardisationKind
{
    /// <summary>
    /// Each feature (pixel and channel), with its mean and population standard deviation over training
    /// examples (<see cref="ImageDatasetOptions.Statistics"/>), the same for both splits: Cohen et al.'s
    /// preprocessing. The default.
    /// </summary>
    PerFeature,

    /// <summary>
    /// Each example, with the mean and population standard deviation of its own values over all its
    /// features: Kalra &amp; Barkeshli's preprocessing (their <c>_standardize</c>). No training statistics;
    /// the result does not depend on <see cref="ImageDatasetOptions.ScaleToUnitInterval"/>. A constant
    /// image becomes zeros.
    /// </summary>
    PerExample,
}

/// <summary>Which training examples the standardisation statistics come from.</summary>
public enum StatisticsSource
{
    /// <summary>
    /// The whole training split (restricted to the selected classes), before taking the first
    /// <see cref="ImageDatasetOptions.TrainCount"/>, as Cohen et al. do. The default.
    /// </summary>
    TrainingSplit,

    /// <summary>Only the training examples kept (the first <see cref="ImageDatasetOptions.TrainCount"/> of the selected classes).</summary>
    SelectedExamples,
}

/// <summary>
/// What to load and how to preprocess it (<see cref="ImageDatasets"/>). The defaults give the
/// Cohen et al. preprocessing of Fashion-MNIST: all examples, pixels scaled to [0, 1], then centred
/// and standardised per feature with training statistics, flat float32 inputs.
/// </summary>
public sealed record ImageDatasetOptions
{
    /// <summary>Which data set. Default Fashion-MNIST.</summary>
    public ImageDatasetKind Kind { get; init; } = ImageDatasetKind.FashionMnist;

    /// <summary>
    /// Folder with the files. Default null: <see cref="MnistFormat.DefaultFashionMnistDirectory"/>
    /// for Fashion-MNIST; required for MNIST and CIFAR-10.
    /// </summary>
    public string? Directory { get; init; }

    /// <summary>Keep only the first N training examples (after class selection), N ≥ 1. Default null: all.</summary>
    public int? TrainCount { get; init; }

    /// <summary>Keep only the first N test examples (after class selection), N ≥ 1. Default null: all.</summary>
    public int? TestCount { get; init; }

    /// <summary>
    /// Keep only these classes (distinct original labels), relabelled 0 … k − 1 in the given order:
    /// [3, 5] keeps classes 3 and 5 as labels 0 and 1. Default null: all classes, labels unchanged.
    /// </summary>
    public IReadOnlyList<int>? Classes { get; init; }

    /// <summary>Divide pixel values by 255, to [0, 1]. Default true.</summary>
    public bool ScaleToUnitInterval { get; init; } = true;

    /// <summary>
    /// Subtract the training mean of each feature and divide by its training standard deviation,
    /// in both splits. A feature with zero variance over the training examples is only centred (it is
    /// then zero in the training set). Default true.
    /// </summary>
    public bool Standardise { get; init; } = true;

    /// <summary>Per feature (default) or per example (<see cref="StandardisationKind"/>); used when <see cref="Standardise"/> is on.</summary>
    public StandardisationKind Standardisation { get; init; } = StandardisationKind.PerFeature;

    /// <summary>Which training examples the per-feature statistics come from. Default <see cref="StatisticsSource.TrainingSplit"/>.</summary>
    public StatisticsSource Statistics { get; init; } = StatisticsSource.TrainingSplit;

    /// <summary>Flat [N, d] (default) or images [N, C, H, W].</summary>
    public InputLayout Layout { get; init; } = InputLayout.Flat;

    /// <summary>Type of inputs and one-hot targets: Float32 (default) or Float64.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>Short name for reports and file names ("fashion-mnist", "mnist", "cifar10").</summary>
    public string Name => Kind switch
    {
        ImageDatasetKind.FashionMnist => "fashion-mnist",
        ImageDatasetKind.Mnist => "mnist",
        _ => "cifar10",
    };

    /// <summary>The folder to read: <see cref="Directory"/>, or the default for Fashion-MNIST.</summary>
    /// <exception cref="InvalidOperationException">No folder given for MNIST or CIFAR-10.</exception>
    public string ResolvedDirectory => Directory
        ?? (Kind == ImageDatasetKind.FashionMnist
            ? MnistFormat.DefaultFashionMnistDirectory
            : throw new InvalidOperationException($"{Name} has no default location: set {nameof(Directory)} to the folder with its files."));

    /// <summary>Checks the options and throws on the first problem, naming the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentException">The class list is empty or repeats a class.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown data set.");
        }

        if (TrainCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TrainCount), TrainCount, "Keep at least one training example.");
        }

        if (TestCount is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TestCount), TestCount, "Keep at least one test example.");
        }

        if (Classes is not null && (Classes.Count == 0 || Classes.Distinct().Count() != Classes.Count || Classes.Any(c => c < 0)))
        {
            throw new ArgumentException($"Classes must be a non-empty list of distinct non-negative labels, got [{string.Join(", ", Classes)}].", nameof(Classes));
        }

        if (!Enum.IsDefined(Standardisation))
        {
            throw new ArgumentOutOfRangeException(nameof(Standardisation), Standardisation, "Unknown standardisation.");
        }

        if (!Enum.IsDefined(Statistics))
        {
            throw new ArgumentOutOfRangeException(nameof(Statistics), Statistics, "Unknown statistics source.");
        }

        if (!Enum.IsDefined(Layout))
        {
            throw new ArgumentOutOfRangeException(nameof(Layout), Layout, "Unknown layout.");
        }

        if (DType is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(DType), DType, "Inputs are Float32 or Float64.");
        }
    }
}
