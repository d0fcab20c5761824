using Sharpness.Nets.Data;
using Sharpness.Nets.Models;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Data;

/// <summary>A fact that runs only where the Debian package dataset-fashion-mnist is installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!File.Exists(Path.Combine(MnistFormat.DefaultFashionMnistDirectory, MnistFormat.TrainImages + ".gz")))
        {
            Skip = $"Fashion-MNIST is not installed in {MnistFormat.DefaultFashionMnistDirectory} (apt-get install dataset-fashion-mnist).";
        }
    }
}

public sealed class FashionMnistTests
{
    [FashionMnistFact]
    public void TheInstalledFashionMnistLoadsWithTheDocumentedShapes()
    {
        using var splits = ImageDatasets.Load(new ImageDatasetOptions { TrainCount = 100, TestCount = 100 });
        using var scope = NewDisposeScope();

        Assert.Equal([100L, 784], splits.Train.Inputs.shape);
        Assert.Equal([100L, 10], splits.Train.Targets.shape);
        Assert.Equal(ImageShape.Mnist, splits.Train.ImageShape);
        Assert.InRange(splits.Train.Labels!.min().item<long>(), 0, 9);
        Assert.InRange(splits.Train.Labels.max().item<long>(), 0, 9);
        Assert.True(splits.Train.Labels.unique().Item1.numel() > 5);
        Assert.Equal(60000, splits.Statistics!.ExampleCount);
        Assert.True(splits.Train.Inputs.isfinite().all().item<bool>());
        Assert.Equal(10000, MnistFormat.ReadTest(MnistFormat.DefaultFashionMnistDirectory).Count);
    }
}
