#:project ../src/Sharpness.Nets/Sharpness.Nets.csproj
#:property ConcurrentGarbageCollection=false

// Tracks the Hessian sharpness of a small network on Fashion-MNIST while it trains, with the
// Nets library's Trainer and its sharpness tracker (Lanczos on exact Hessian-vector products,
// every 10 steps). A tanh network of depth 2 and width 64 with a zero readout (initial output 0),
// 500 images, the half squared error, full-batch gradient descent at eta = 1.8/lambda_H(0): as the
// UV model predicts for a small initial output, the sharpness rises (progressive sharpening),
// crosses 2/eta and stays above it while the loss still falls (edge of stability).
// Referencing Sharpness.Nets is enough for LibTorch to load (README.md, "TorchSharp on Debian 12");
// background garbage collection is off, as in every program here that runs TorchSharp.
//
//   dotnet run examples/track-sharpness.cs [FASHION_MNIST_FOLDER]
using Sharpness.Nets.Data;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Uv.Simulation;

string data = args.Length > 0 ? args[0] : MnistFormat.DefaultFashionMnistDirectory;
using var splits = ImageDatasets.Load(new ImageDatasetOptions { Directory = data, TrainCount = 500, TestCount = 1 });
using var model = new FullyConnectedNetwork(new FullyConnectedConfig
{
    InputDimension = splits.Train.FeatureCount,
    OutputDimension = splits.Train.OutputCount,
    Depth = 2,
    Width = 64,
    ZeroReadout = true,
    Seed = 0,
});
var config = new TrainerConfig
{
    LearningRate = LearningRateSpec.RelativeToInitialSharpness(1.8),
    MaxSteps = 60,
    Tracking = new SharpnessTrackerOptions { Interval = 10, MeasurementExamples = 500 },
};
var train = new ExampleSet(splits.Train.Inputs, splits.Train.TargetsFor(config.Loss));
var result = Trainer.Run(model, config, train, onStep: record =>
{
    if (record.Measurement is { } m)
    {
        Console.WriteLine(FormattableString.Invariant($"step {record.Step,2}: loss {record.Loss:F4}, sharpness {m.Sharpness:F3}, 2/eta {m.Threshold:F3}"));
    }
});
Console.WriteLine(FormattableString.Invariant($"eta = {result.LearningRate:F5}; {result.Measurements.Count} measurements; stopped: {result.StopReason}"));
