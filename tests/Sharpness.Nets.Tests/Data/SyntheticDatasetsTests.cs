using Sharpness.Nets.Data;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Data;

public sealed class SyntheticDatasetsTests
{
    [Theory]
    [InlineData(SyntheticTarget.TeacherNetwork)]
    [InlineData(SyntheticTarget.Linear)]
    public void TheSameSeedGivesBitIdenticalDataAndAnotherSeedDifferentData(SyntheticTarget target)
    {
        var options = new SyntheticDataOptions { TrainCount = 40, TestCount = 10, InputDimension = 6, OutputDimension = 3, Target = target, NoiseStandardDeviation = 0.1, Seed = 4 };

        using var a = SyntheticDatasets.Create(options);
        using var b = SyntheticDatasets.Create(options);
        using var c = SyntheticDatasets.Create(options with { Seed = 5 });

        Assert.Equal(a.Train.Inputs.data<double>().ToArray(), b.Train.Inputs.data<double>().ToArray());
        Assert.Equal(a.Train.Targets.data<double>().ToArray(), b.Train.Targets.data<double>().ToArray());
        Assert.Equal(a.Test.Targets.data<double>().ToArray(), b.Test.Targets.data<double>().ToArray());
        Assert.NotEqual(a.Train.Inputs.data<double>().ToArray(), c.Train.Inputs.data<double>().ToArray());
        Assert.NotEqual(a.Train.Targets.data<double>().ToArray(), c.Train.Targets.data<double>().ToArray());
        Assert.NotEqual(a.Train.Inputs.data<double>().ToArray()[..60], a.Test.Inputs.data<double>().ToArray());
    }

    [Fact]
    public void TheLinearTargetIsLinearWithVarianceNearOne()
    {
        var options = new SyntheticDataOptions { TrainCount = 2000, TestCount = 1, InputDimension = 300, Target = SyntheticTarget.Linear, Seed = 2 };
        using var data = SyntheticDatasets.Create(options);
        using var scope = NewDisposeScope();

        // Least squares recovers an exact linear map: the residual vanishes.
        Tensor x = data.Train.Inputs;
        Tensor y = data.Train.Targets;
        Tensor w = linalg.lstsq(x, y).Solution;
        double residual = x.matmul(w).sub(y).abs().max().item<double>();
        double variance = y.var().item<double>();

        Assert.True(residual < 1e-12, $"residual {residual:e3}");
        // The variance is |w|²/d for the drawn row w: 1 on average over teachers, within ±0.25 for d = 300.
        Assert.InRange(variance, 0.75, 1.25);
    }

    [Fact]
    public void NoiseHasTheRequestedStandardDeviation()
    {
        var clean = new SyntheticDataOptions { TrainCount = 5000, TestCount = 1, InputDimension = 4, Seed = 8 };
        using var a = SyntheticDatasets.Create(clean);
        using var b = SyntheticDatasets.Create(clean with { NoiseStandardDeviation = 0.3 });
        using var scope = NewDisposeScope();

        double deviation = b.Train.Targets.sub(a.Train.Targets).std().item<double>();

        Assert.Equal(a.Train.Inputs.data<double>().ToArray(), b.Train.Inputs.data<double>().ToArray());
        Assert.InRange(deviation, 0.28, 0.32);
    }

    [Fact]
    public void ClassificationLabelsAreTheTeachersLargestOutput()
    {
        var regression = new SyntheticDataOptions { TrainCount = 200, TestCount = 5, InputDimension = 5, OutputDimension = 4, Seed = 3 };
        using var values = SyntheticDatasets.Create(regression);
        using var classes = SyntheticDatasets.Create(regression with { Classification = true });
        using var scope = NewDisposeScope();

        long[] expected = values.Train.Targets.argmax(1).data<long>().ToArray();

        Assert.Equal(expected, classes.Train.Labels!.data<long>().ToArray());
        Assert.Equal(expected, classes.Train.Targets.argmax(1).data<long>().ToArray());
        Assert.Equal(200.0, classes.Train.Targets.sum().item<double>());
        Assert.True(expected.Distinct().Count() > 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDatasets.Create(regression with { Classification = true, OutputDimension = 1 }));
    }

    [Fact]
    public void ImageShapedDataHasTheImageLayout()
    {
        var options = new SyntheticDataOptions { TrainCount = 3, TestCount = 2, ImageShape = new ImageShape(2, 3, 3), Layout = InputLayout.Images, DType = ScalarType.Float32 };

        using var data = SyntheticDatasets.Create(options);

        Assert.Equal([3L, 2, 3, 3], data.Train.Inputs.shape);
        Assert.Equal(ScalarType.Float32, data.Train.Targets.dtype);
        Assert.Equal(18, data.Train.FeatureCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDatasets.Create(new SyntheticDataOptions { Layout = InputLayout.Images }));
    }
}
