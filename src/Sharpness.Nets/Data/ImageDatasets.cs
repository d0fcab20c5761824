using static TorchSharp.torch;

namespace Sharpness.Nets.Data;

/// <summary>
/// Loads Fashion-MNIST, MNIST and CIFAR-10 from their files and prepares them as
/// <see cref="Dataset"/>s: class selection, deterministic subsets, scaling and standardisation with
/// training statistics (<see cref="ImageDatasetOptions"/>).
/// </summary>
/// <remarks>
/// <para>The steps, in order:</para>
/// <list type="number">
/// <item>Class selection: keep the examples whose label is in <see cref="ImageDatasetOptions.Classes"/>, in file order, and relabel them by their position in that list.</item>
/// <item>Statistics: per feature, the mean μ and population standard deviation σ of the raw pixel values over the training examples chosen by <see cref="ImageDatasetOptions.Statistics"/>, computed exactly from integer sums, so a feature that is constant over those examples has σ = 0 exactly.</item>
/// <item>Subsets: the first <see cref="ImageDatasetOptions.TrainCount"/> and <see cref="ImageDatasetOptions.TestCount"/> examples of each split.</item>
/// <item>
/// Values, for both splits with the training statistics: with s = 1/255 when scaling to [0, 1] and
/// s = 1 otherwise, x = s·p without standardisation; x = (p − μ)/σ with standardisation (the same
/// as (s·p − s·μ)/(s·σ)); and x = s·(p − μ) for a feature with σ = 0, which is centred but not
/// divided. With <see cref="StandardisationKind.PerExample"/> instead x = (p − μᵢ)/σᵢ with the mean
/// and population deviation of example i's own pixels (no training statistics; zeros for a constant
/// image). Computed in double precision, then rounded to the requested type.
/// </item>
/// </list>
/// <para>Targets are the one-hot rows of the (relabelled) labels; flattened images keep the (channel, row, column) order of the files.</para>
/// </remarks>
public static class ImageDatasets
{
    /// <summary>Reads the files of <see cref="ImageDatasetOptions.Kind"/> and prepares both splits.</summary>
    /// <param name="options">What to load and how; validated here. Default: Fashion-MNIST from its Debian package's folder.</param>
    /// <exception cref="DatasetException">A file is missing, damaged or not in the expected format.</exception>
    /// <exception cref="ArgumentException">The options are invalid or ask for more examples or classes than the files hold.</exception>
    /// <exception cref="InvalidOperationException">No folder given for MNIST or CIFAR-10.</exception>
    public static DatasetSplits Load(ImageDatasetOptions? options = null)
    {
        options ??= new ImageDatasetOptions();
        options.Validate();
        string directory = options.ResolvedDirectory;
        if (!System.IO.Directory.Exists(directory))
        {
            string hint = options.Kind == ImageDatasetKind.FashionMnist && options.Directory is null
                ? " (install the Debian package dataset-fashion-mnist, or set the folder)"
                : string.Empty;
            throw new DatasetException(directory, $"folder not found; expected the {options.Name} files here{hint}");
        }

        (RawImageSet train, RawImageSet test) = options.Kind == ImageDatasetKind.Cifar10
            ? (Cifar10Format.ReadTraining(directory), Cifar10Format.ReadTest(directory))
            : (MnistFormat.ReadTraining(directory), MnistFormat.ReadTest(directory));
        return Prepare(train, test, options);
    }

    /// <summary>
    /// Checks the files of <see cref="ImageDatasetOptions.Kind"/> without loading them: the folder
    /// exists; for MNIST and Fashion-MNIST each file's IDX header has the right magic number and its
    /// size matches, and images and labels agree in count; for CIFAR-10 each batch is a whole number
    /// of records. Cheap (headers only), so a command can check its data before it starts.
    /// </summary>
    /// <param name="options">Which data set and where.</param>
    /// <exception cref="DatasetException">A folder or file is missing or damaged.</exception>
    /// <exception cref="InvalidOperationException">No folder given for MNIST or CIFAR-10.</exception>
    public static void CheckFiles(ImageDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string directory = options.ResolvedDirectory;
        if (!System.IO.Directory.Exists(directory))
        {
            string hint = options.Kind == ImageDatasetKind.FashionMnist && options.Directory is null
                ? " (install the Debian package dataset-fashion-mnist, or set the folder)"
                : string.Empty;
            throw new DatasetException(directory, $"folder not found; expected the {options.Name} files here{hint}");
        }

        if (options.Kind == ImageDatasetKind.Cifar10)
        {
            string folder = Cifar10Format.ResolveDirectory(directory);
            foreach (string path in Cifar10Format.TrainingFiles.Append(Cifar10Format.TestFile).Select(f => Path.Combine(folder, f)))
            {
                long length = File.Exists(path) ? new FileInfo(path).Length : -1;
                if (length <= 0 || length % Cifar10Format.RecordLength != 0)
                {
                    throw new DatasetException(path, length < 0 ? "file not found" : $"expected a positive multiple of {Cifar10Format.RecordLength} bytes, found {length}");
                }
            }

            return;
        }

        foreach (var (images, labels) in new[] { (MnistFormat.TrainImages, MnistFormat.TrainLabels), (MnistFormat.TestImages, MnistFormat.TestLabels) })
        {
            string imagePath = MnistFormat.Locate(directory, images), labelPath = MnistFormat.Locate(directory, labels);
            int[] imageDimensions = IdxReader.ReadHeader(imagePath, IdxReader.ImagesMagic);
            int[] labelDimensions = IdxReader.ReadHeader(labelPath, IdxReader.LabelsMagic);
            if (imageDimensions[0] != labelDimensions[0])
            {
                throw new DatasetException(labelPath, $"holds {labelDimensions[0]} labels but '{imagePath}' holds {imageDimensions[0]} images");
            }
        }
    }

    /// <summary>Prepares raw training and test images as <see cref="Load"/> does (no file access).</summary>
    /// <param name="train">Training split.</param>
    /// <param name="test">Test split, with the training split's image shape and class count.</param>
    /// <param name="options">Preprocessing; <see cref="ImageDatasetOptions.Kind"/> only names the result. Validated here.</param>
    /// <exception cref="ArgumentException">The splits do not match, or the options ask for more examples or classes than they hold.</exception>
    public static DatasetSplits Prepare(RawImageSet train, RawImageSet test, ImageDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (train.Shape != test.Shape || train.ClassCount != test.ClassCount)
        {
            throw new ArgumentException($"The test split ({test.Shape}, {test.ClassCount} classes) does not match the training split ({train.Shape}, {train.ClassCount} classes).", nameof(test));
        }

        int[] classes = options.Classes?.ToArray() ?? Enumerable.Range(0, train.ClassCount).ToArray();
        if (classes.Any(c => c >= train.ClassCount))
        {
            throw new ArgumentException($"Classes [{string.Join(", ", classes)}] include labels outside [0, {train.ClassCount}).", nameof(options));
        }

        var relabel = new int[train.ClassCount];
        Array.Fill(relabel, -1);
        for (int i = 0; i < classes.Length; i++)
        {
            relabel[classes[i]] = i;
        }

        int[] trainIndices = Selected(train, relabel);
        int[] testIndices = Selected(test, relabel);
        int trainCount = Count(trainIndices.Length, options.TrainCount, nameof(ImageDatasetOptions.TrainCount), "training", train.Source);
        int testCount = Count(testIndices.Length, options.TestCount, nameof(ImageDatasetOptions.TestCount), "test", test.Source);

        FeatureStatistics? statistics = null;
        RawStatistics? raw = null;
        double scale = options.ScaleToUnitInterval ? 1.0 / 255 : 1.0;
        if (options.Standardise && options.Standardisation == StandardisationKind.PerFeature)
        {
            int statisticsCount = options.Statistics == StatisticsSource.TrainingSplit ? trainIndices.Length : trainCount;
            raw = RawStatistics.Compute(train, trainIndices.AsSpan(0, statisticsCount));
            statistics = new FeatureStatistics(
                raw.Mean.Select(m => m * scale).ToArray(),
                raw.StandardDeviation.Select(s => s * scale).ToArray(),
                statisticsCount);
        }

        Dataset? trainSet = null;
        try
        {
            trainSet = Build($"{options.Name}/train", train, trainIndices.AsSpan(0, trainCount), relabel, classes.Length, raw, scale, options);
            Dataset testSet = Build($"{options.Name}/test", test, testIndices.AsSpan(0, testCount), relabel, classes.Length, raw, scale, options);
            return new DatasetSplits(trainSet, testSet, statistics);
        }
        catch
        {
            trainSet?.Dispose();
            throw;
        }
    }

    private static int[] Selected(RawImageSet set, int[] relabel)
    {
        var indices = new List<int>(set.Count);
        for (int i = 0; i < set.Count; i++)
        {
            if (relabel[set.Labels[i]] >= 0)
            {
                indices.Add(i);
            }
        }

        return indices.ToArray();
    }

    private static int Count(int available, int? requested, string name, string split, string source)
    {
        if (available == 0)
        {
            throw new ArgumentException($"No {split} example of {source} belongs to the selected classes.", name);
        }

        if (requested > available)
        {
            throw new ArgumentOutOfRangeException(name, requested, $"Only {available} {split} examples of {source} are available (after class selection).");
        }

        return requested ?? available;
    }

    private static Dataset Build(
        string name, RawImageSet set, ReadOnlySpan<int> indices, int[] relabel, int classCount, RawStatistics? statistics, double scale, ImageDatasetOptions options)
    {
        int d = set.Shape.FeatureCount;
        int n = indices.Length;
        var values = new double[d];
        var labels = new long[n];
        var oneHot = new double[checked(n * classCount)];
        float[]? single = options.DType == ScalarType.Float32 ? new float[checked(n * d)] : null;
        double[]? @double = single is null ? new double[checked(n * d)] : null;
        for (int row = 0; row < n; row++)
        {
            int example = indices[row];
            ReadOnlySpan<byte> pixels = set.Pixels.AsSpan(example * d, d);
            if (options.Standardise && options.Standardisation == StandardisationKind.PerExample)
            {
                StandardiseExample(pixels, values);
            }
            else
            {
                for (int f = 0; f < d; f++)
                {
                    values[f] = statistics is null ? scale * pixels[f] : statistics.Standardise(f, pixels[f], scale);
                }
            }

            if (single is not null)
            {
                for (int f = 0; f < d; f++)
                {
                    single[(row * d) + f] = (float)values[f];
                }
            }
            else
            {
                values.CopyTo(@double!, row * d);
            }

            labels[row] = relabel[set.Labels[example]];
            oneHot[(row * classCount) + labels[row]] = 1.0;
        }

        long[] shape = options.Layout == InputLayout.Images
            ? [n, set.Shape.Channels, set.Shape.Height, set.Shape.Width]
            : [n, d];
        using var scope = NewDisposeScope();
        Tensor inputs = single is not null ? tensor(single, shape) : tensor(@double!, shape);
        Tensor targets = tensor(oneHot, [n, classCount], options.DType);
        return Dataset.Own(name, inputs, targets, tensor(labels, ScalarType.Int64), set.Shape);
    }

    /// <summary>
    /// (p − μ)/σ with μ and the population σ of the example's own pixels, from exact integer sums;
    /// a constant example becomes zeros.
    /// </summary>
    private static void StandardiseExample(ReadOnlySpan<byte> pixels, double[] values)
    {
        long sum = 0, sumOfSquares = 0;
        foreach (byte p in pixels)
        {
            sum += p;
            sumOfSquares += p * p;
        }

        long n = pixels.Length;
        double mean = (double)sum / n;
        double deviation = Math.Sqrt((double)((n * sumOfSquares) - (sum * sum))) / n;
        for (int f = 0; f < pixels.Length; f++)
        {
            double centred = pixels[f] - mean;
            values[f] = deviation > 0 ? centred / deviation : 0.0;
        }
    }

    /// <summary>Mean and population standard deviation of raw pixel values, from exact integer sums.</summary>
    private sealed class RawStatistics
    {
        private RawStatistics(double[] mean, double[] standardDeviation)
        {
            Mean = mean;
            StandardDeviation = standardDeviation;
        }

        public double[] Mean { get; }

        public double[] StandardDeviation { get; }

        public static RawStatistics Compute(RawImageSet set, ReadOnlySpan<int> indices)
        {
            int d = set.Shape.FeatureCount;
            var sum = new long[d];
            var sumOfSquares = new long[d];
            foreach (int example in indices)
            {
                ReadOnlySpan<byte> pixels = set.Pixels.AsSpan(example * d, d);
                for (int f = 0; f < d; f++)
                {
                    int p = pixels[f];
                    sum[f] += p;
                    sumOfSquares[f] += p * p;
                }
            }

            long n = indices.Length;
            var mean = new double[d];
            var deviation = new double[d];
            for (int f = 0; f < d; f++)
            {
                mean[f] = (double)sum[f] / n;
                // n²·variance = n·Σp² − (Σp)², exact in 128-bit integers: zero exactly when the feature is constant.
                Int128 scaledVariance = ((Int128)n * sumOfSquares[f]) - ((Int128)sum[f] * sum[f]);
                deviation[f] = Math.Sqrt((double)scaledVariance) / n;
            }

            return new RawStatistics(mean, deviation);
        }

        public double Standardise(int feature, byte pixel, double scale)
        {
            double centred = pixel - Mean[feature];
            double deviation = StandardDeviation[feature];
            return deviation > 0 ? centred / deviation : scale * centred;
        }
    }
}
