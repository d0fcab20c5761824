using Sharpness.Nets.Data;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Data;

public sealed class ImageDatasetsTests
{
    // Three features per example: f0 takes 0 and 255 (mean 127.5, sd 127.5), f1 takes 10…40
    // (mean 25, sd √125), f2 is the constant 7 (sd 0).
    private static readonly RawImageSet Train = new(
        "train", new ImageShape(1, 1, 3), [0, 10, 7, 255, 20, 7, 0, 30, 7, 255, 40, 7], [0, 1, 2, 0], classCount: 3);

    private static readonly RawImageSet Test = new("test", new ImageShape(1, 1, 3), [100, 25, 9, 0, 0, 0], [1, 2], classCount: 3);

    private static readonly ImageDatasetOptions Float64 = new() { DType = ScalarType.Float64 };

    [Fact]
    public void TheTestSetIsStandardisedWithTheTrainingStatistics()
    {
        using var splits = ImageDatasets.Prepare(Train, Test, Float64);

        double[] test = splits.Test.Inputs.data<double>().ToArray();

        Assert.Equal((100 - 127.5) / 127.5, test[0], 1e-15);
        Assert.Equal(0.0, test[1], 1e-15);
        Assert.Equal((0 - 127.5) / 127.5, test[3], 1e-15);
        Assert.Equal((0 - 25) / Math.Sqrt(125), test[4], 1e-15);
        Assert.Equal(0.5, splits.Statistics!.Mean[0], 1e-15);
        Assert.Equal(25.0 / 255, splits.Statistics.Mean[1], 1e-15);
        Assert.Equal(7.0 / 255, splits.Statistics.Mean[2], 1e-15);
        Assert.Equal(0.5, splits.Statistics.StandardDeviation[0], 1e-15);
        Assert.Equal(Math.Sqrt(125) / 255, splits.Statistics.StandardDeviation[1], 1e-15);
        Assert.Equal(4, splits.Statistics.ExampleCount);
    }

    [Fact]
    public void PerExampleStandardisationUsesEachImagesOwnMeanAndDeviation()
    {
        using var splits = ImageDatasets.Prepare(Train, Test, Float64 with { Standardisation = StandardisationKind.PerExample });

        double[] train = splits.Train.Inputs.data<double>().ToArray();
        double[] test = splits.Test.Inputs.data<double>().ToArray();

        // Example 0 of the training split: pixels 0, 10, 7 (mean 17/3, population variance (x - mean)² averaged).
        double mean = 17.0 / 3, sd = Math.Sqrt((Math.Pow(0 - mean, 2) + Math.Pow(10 - mean, 2) + Math.Pow(7 - mean, 2)) / 3);
        Assert.Equal([(0 - mean) / sd, (10 - mean) / sd, (7 - mean) / sd], train[..3], new ToleranceComparer(1e-15));
        // Every image has mean 0 and population deviation 1 over its own pixels; a constant image is zeros.
        for (int i = 0; i < 4; i++)
        {
            double[] row = train[(3 * i)..(3 * i + 3)];
            Assert.Equal(0.0, row.Average(), 1e-15);
            Assert.Equal(1.0, Math.Sqrt(row.Select(x => x * x).Average()), 1e-14);
        }

        Assert.Equal([0.0, 0.0, 0.0], test[3..]);
        Assert.Null(splits.Statistics);
        // It does not depend on the scaling to [0, 1].
        using var unscaled = ImageDatasets.Prepare(Train, Test, Float64 with { Standardisation = StandardisationKind.PerExample, ScaleToUnitInterval = false });
        Assert.Equal(train, unscaled.Train.Inputs.data<double>().ToArray());
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }

    [Fact]
    public void StandardisedTrainingFeaturesHaveMeanZeroAndUnitPopulationDeviation()
    {
        using var splits = ImageDatasets.Prepare(Train, Test, Float64);
        using var scope = NewDisposeScope();

        double[] mean = splits.Train.Inputs.mean([0]).data<double>().ToArray();
        double[] deviation = splits.Train.Inputs.std(0, unbiased: false).data<double>().ToArray();

        Assert.All(mean, m => Assert.Equal(0.0, m, 1e-15));
        Assert.Equal(1.0, deviation[0], 1e-15);
        Assert.Equal(1.0, deviation[1], 1e-15);
    }

    [Theory]
    [InlineData(true, 2.0 / 255)]
    [InlineData(false, 2.0)]
    public void AConstantFeatureIsCentredButNotDivided(bool scale, double expected)
    {
        using var splits = ImageDatasets.Prepare(Train, Test, Float64 with { ScaleToUnitInterval = scale });

        double[] train = splits.Train.Inputs.data<double>().ToArray();
        double[] test = splits.Test.Inputs.data<double>().ToArray();

        Assert.Equal([0.0, 0.0, 0.0, 0.0], new[] { train[2], train[5], train[8], train[11] });
        Assert.Equal(expected, test[2], 1e-15);
        Assert.Equal(1, splits.Statistics!.ConstantFeatureCount);
        Assert.All(test, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void StatisticsCanComeFromTheSelectedExamplesOnly()
    {
        using var split = ImageDatasets.Prepare(Train, Test, Float64 with { TrainCount = 2 });
        using var selected = ImageDatasets.Prepare(Train, Test, Float64 with { TrainCount = 2, Statistics = StatisticsSource.SelectedExamples });

        // f1 over the first two examples: mean 15, sd 5; over all four: mean 25.
        Assert.Equal(0.0, split.Test.Inputs.data<double>()[1], 1e-15);
        Assert.Equal((25 - 15) / 5.0, selected.Test.Inputs.data<double>()[1], 1e-15);
        Assert.Equal(4, split.Statistics!.ExampleCount);
        Assert.Equal(2, selected.Statistics!.ExampleCount);
        Assert.Equal(2, selected.Train.Count);
    }

    [Fact]
    public void WithoutStandardisationPixelsAreScaledToTheUnitInterval()
    {
        using var splits = ImageDatasets.Prepare(Train, Test, new ImageDatasetOptions { Standardise = false });

        Assert.Equal(ScalarType.Float32, splits.Train.DType);
        Assert.Null(splits.Statistics);
        Assert.Equal(Train.Pixels.Select(p => (float)(p / 255.0)).ToArray(), splits.Train.Inputs.data<float>().ToArray());
    }

    [Fact]
    public void AClassSubsetIsRelabelledInTheGivenOrderKeepingTheFileOrder()
    {
        using var splits = ImageDatasets.Prepare(Train, Test, Float64 with { Classes = [2, 0], Standardise = false, ScaleToUnitInterval = false });

        Assert.Equal([1L, 0L, 1L], splits.Train.Labels!.data<long>().ToArray());
        Assert.Equal([0.0, 10, 7, 0, 30, 7, 255, 40, 7], splits.Train.Inputs.data<double>().ToArray());
        Assert.Equal([0.0, 1, 1, 0, 0, 1], splits.Train.Targets.data<double>().ToArray());
        Assert.Equal([0L], splits.Test.Labels!.data<long>().ToArray());
        Assert.Equal(2, splits.Train.OutputCount);
    }

    [Fact]
    public void StatisticsOfAClassSubsetUseOnlyItsTrainingExamples()
    {
        using var splits = ImageDatasets.Prepare(Train, Test, Float64 with { Classes = [0, 1] });

        // Examples 0, 1 and 3: f1 is 10, 20 and 40 (mean 70/3; over all four examples it is 25).
        Assert.Equal(3, splits.Statistics!.ExampleCount);
        Assert.Equal(70.0 / 3 / 255, splits.Statistics.Mean[1], 1e-15);
    }

    [Fact]
    public void FirstNExamplesAreTakenInOrder()
    {
        using var splits = ImageDatasets.Prepare(Train, Test, Float64 with { TrainCount = 3, TestCount = 1, Standardise = false, ScaleToUnitInterval = false });

        Assert.Equal([0.0, 10, 7, 255, 20, 7, 0, 30, 7], splits.Train.Inputs.data<double>().ToArray());
        Assert.Equal([1L], splits.Test.Labels!.data<long>().ToArray());
    }

    [Fact]
    public void TheImageLayoutHoldsTheSameValuesAsTheFlatOne()
    {
        using var flat = ImageDatasets.Prepare(Train, Test, Float64);
        using var images = ImageDatasets.Prepare(Train, Test, Float64 with { Layout = InputLayout.Images });

        Assert.Equal([4L, 1, 1, 3], images.Train.Inputs.shape);
        Assert.Equal(InputLayout.Images, images.Train.Layout);
        Assert.Equal(flat.Train.Inputs.data<double>().ToArray(), images.Train.Inputs.data<double>().ToArray());
        Assert.Equal(new ImageShape(1, 1, 3), flat.Train.ImageShape);
    }

    [Fact]
    public void ImpossibleRequestsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageDatasets.Prepare(Train, Test, Float64 with { TrainCount = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageDatasets.Prepare(Train, Test, Float64 with { TestCount = 0 }));
        Assert.Throws<ArgumentException>(() => ImageDatasets.Prepare(Train, Test, Float64 with { Classes = [0, 3] }));
        Assert.Throws<ArgumentException>(() => ImageDatasets.Prepare(Train, Test, Float64 with { Classes = [1, 1] }));
        Assert.Throws<ArgumentException>(() => ImageDatasets.Prepare(Train, Test, Float64 with { Classes = [0] }));
        Assert.Throws<InvalidOperationException>(() => ImageDatasets.Load(new ImageDatasetOptions { Kind = ImageDatasetKind.Mnist }));
    }

    [Fact]
    public void LoadReadsMnistFilesFromAFolder()
    {
        using var files = new DataFiles();
        files.WriteMnist(trainCount: 30, testCount: 12, rows: 4, columns: 5, gzip: true);
        var options = new ImageDatasetOptions { Kind = ImageDatasetKind.Mnist, Directory = files.Directory, TrainCount = 20, DType = ScalarType.Float64 };

        using var splits = ImageDatasets.Load(options);
        using var expected = ImageDatasets.Prepare(MnistFormat.ReadTraining(files.Directory), MnistFormat.ReadTest(files.Directory), options);

        Assert.Equal("mnist/train", splits.Train.Name);
        Assert.Equal([20L, 20], splits.Train.Inputs.shape);
        Assert.Equal(12, splits.Test.Count);
        Assert.Equal(expected.Train.Inputs.data<double>().ToArray(), splits.Train.Inputs.data<double>().ToArray());
        Assert.Equal(30, splits.Statistics!.ExampleCount);
    }

    [Fact]
    public void LoadReadsCifarFilesFromAFolder()
    {
        using var files = new DataFiles();
        for (int b = 1; b <= 5; b++)
        {
            files.Write($"data_batch_{b}.bin", DataFiles.CifarBatch([(byte)b, (byte)(b + 1)], (i, p) => (byte)(p + b + i)));
        }

        files.Write("test_batch.bin", DataFiles.CifarBatch([0], (_, p) => (byte)p));

        using var splits = ImageDatasets.Load(new ImageDatasetOptions { Kind = ImageDatasetKind.Cifar10, Directory = files.Directory, Layout = InputLayout.Images });

        Assert.Equal([10L, 3, 32, 32], splits.Train.Inputs.shape);
        Assert.Equal([1L, 2, 2, 3, 3, 4, 4, 5, 5, 6], splits.Train.Labels!.data<long>().ToArray());
        Assert.Equal("cifar10/test", splits.Test.Name);
    }

    [Fact]
    public void AMissingFolderOrFileIsNamed()
    {
        using var files = new DataFiles();
        string absent = Path.Combine(files.Directory, "absent");

        var folder = Assert.Throws<DatasetException>(() => ImageDatasets.Load(new ImageDatasetOptions { Kind = ImageDatasetKind.Mnist, Directory = absent }));
        var file = Assert.Throws<DatasetException>(() => ImageDatasets.Load(new ImageDatasetOptions { Directory = files.Directory }));

        Assert.Equal(absent, folder.FilePath);
        Assert.Equal(files.PathOf("train-images-idx3-ubyte.gz"), file.FilePath);
    }
}
