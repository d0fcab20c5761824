using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Data;

public sealed class DatasetTests
{
    private static Dataset Numbered(int n, int classes = 3)
    {
        using var scope = NewDisposeScope();
        Tensor inputs = arange(0, 2 * n, ScalarType.Float64).reshape(n, 2);
        Tensor labels = arange(0, n, ScalarType.Int64).remainder(classes);
        Tensor targets = nn.functional.one_hot(labels, classes).to(ScalarType.Float64);
        return new Dataset("numbered", inputs, targets, labels);
    }

    [Theory]
    [InlineData(6000, 5000)]
    [InlineData(300, 300)]
    public void TheMeasurementSetIsTheFirstFiveThousandExamplesOrAll(int n, int expected)
    {
        using var data = Numbered(n);

        using var measurement = data.MeasurementSet();

        Assert.Equal(expected, measurement.Count);
        Assert.Equal(data.Inputs.narrow(0, 0, expected).data<double>().ToArray(), measurement.Inputs.data<double>().ToArray());
        Assert.Equal(data.Labels!.narrow(0, 0, expected).data<long>().ToArray(), measurement.Labels!.data<long>().ToArray());
    }

    [Fact]
    public void TakeCopiesTheFirstExamples()
    {
        using var data = Numbered(10);

        using var first = data.Take(3);
        data.Inputs.zero_();

        Assert.Equal([0.0, 1, 2, 3, 4, 5], first.Inputs.data<double>().ToArray());
        Assert.Equal([3L, 3], first.Targets.shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Take(11));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Take(0));
    }

    [Fact]
    public void TargetsForPicksLabelsForCrossEntropyAndOneHotRowsForSquaredError()
    {
        using var data = Numbered(4);
        using var splits = SyntheticDatasets.Create(new SyntheticDataOptions { TrainCount = 4, TestCount = 1 });

        Assert.Same(data.Labels, data.TargetsFor(LossFunction.CrossEntropy));
        Assert.Same(data.Targets, data.TargetsFor(LossFunction.HalfSquaredError));
        Assert.Same(data.Targets, data.TargetsFor(LossFunction.HalfMeanSquaredError));
        Assert.Throws<InvalidOperationException>(() => splits.Train.TargetsFor(LossFunction.CrossEntropy));
    }

    [Fact]
    public void InconsistentTensorsAreRejected()
    {
        using var scope = NewDisposeScope();
        Tensor inputs = zeros([4, 6], ScalarType.Float64);
        Tensor targets = zeros([4, 2], ScalarType.Float64);

        Assert.Throws<ArgumentException>(() => new Dataset("x", zeros([4], ScalarType.Float64), targets));
        Assert.Throws<ArgumentException>(() => new Dataset("x", inputs, zeros([3, 2], ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => new Dataset("x", inputs, zeros([4, 2], ScalarType.Float32)));
        Assert.Throws<ArgumentException>(() => new Dataset("x", inputs, targets, tensor(new long[] { 0, 1, 2, 0 })));
        Assert.Throws<ArgumentException>(() => new Dataset("x", inputs, targets, zeros([4], ScalarType.Int32)));
        Assert.Throws<ArgumentException>(() => new Dataset("x", inputs, targets, imageShape: new ImageShape(1, 2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dataset("x", zeros([4, 6], ScalarType.Int32), targets));
    }

    [Fact]
    public void LayoutAndTypeCanBeChanged()
    {
        using var scope = NewDisposeScope();
        Tensor inputs = arange(0, 24, ScalarType.Float64).reshape(2, 12);
        using var data = new Dataset("images", inputs, ones([2, 1], ScalarType.Float64), imageShape: new ImageShape(3, 2, 2));

        using var images = data.WithLayout(InputLayout.Images);
        using var single = images.To(ScalarType.Float32);
        using var plain = new Dataset("plain", inputs, ones([2, 1], ScalarType.Float64));

        Assert.Equal([2L, 3, 2, 2], images.Inputs.shape);
        Assert.Equal(new ImageShape(3, 2, 2), images.ImageShape);
        Assert.Equal(ScalarType.Float32, single.Targets.dtype);
        Assert.Equal(12, single.FeatureCount);
        Assert.Throws<InvalidOperationException>(() => plain.WithLayout(InputLayout.Images));
    }

    [Fact]
    public void ADatasetBuiltInsideADisposeScopeOutlivesIt()
    {
        Dataset data;
        using (NewDisposeScope())
        {
            data = Numbered(5);
        }

        using (data)
        {
            Assert.Equal(5, data.Count);
            Assert.Equal(9.0, data.Inputs.data<double>()[9]);
        }
    }
}
