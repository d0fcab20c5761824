#:project ../src/Sharpness.Experiments/Sharpness.Experiments.csproj
#:property ConcurrentGarbageCollection=false

// Tracks the Hessian sharpness of a small network on Fashion-MNIST while it trains, with the
// library entry point of `sharpness net train` (NetTrainExperiment): its options record, and a
// progress reporter that sees every step (the sharpness is measured by Lanczos on exact
// Hessian-vector products every 10 steps). A tanh network of depth 2 and width 64 with a zero
// readout (initial output 0), 500 images, the half squared error, full-batch gradient descent at
// eta = 1.8/lambda_H(0): as the UV model predicts for a small initial output, the sharpness rises
// (progressive sharpening), crosses 2/eta and stays above it while the loss still falls (edge of
// stability). Referencing the library is enough for LibTorch to load (README.md, "TorchSharp on
// Debian 12"); background garbage collection is off, as in every program here that runs TorchSharp.
//
//   dotnet run examples/track-sharpness.cs [FASHION_MNIST_FOLDER]
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;

var options = new NetworkOptions
{
    DataDir = args.Length > 0 ? args[0] : null,
    TrainSize = 500,
    TestSize = 0,
    Depth = 2,
    Width = 64,
    ZeroReadout = true,
    LrConstant = 1.8,
    Steps = 60,
    SharpnessEvery = 10,
    MeasureSize = 500,
};
var run = NetTrainExperiment.Run(options.Resolve(), new Progress());
Console.WriteLine(FormattableString.Invariant($"eta = {run.Training.LearningRate:F5}; {run.Training.Measurements.Count} measurements; stopped: {run.Training.StopReason}"));

// Called on the training thread after every step: prints the steps whose sharpness was just measured.
sealed class Progress : IProgress<ExperimentProgress>
{
    public void Report(ExperimentProgress value)
    {
        double Metric(string name) => value.Metrics.First(m => m.Name == name).Value;
        if (value.Message is null && value.Metrics.FirstOrDefault(m => m.Name == "sharpness") is { } sharpness && sharpness.At == value.Completed)
        {
            Console.WriteLine(FormattableString.Invariant($"step {value.Completed,2}: loss {Metric("loss"):F4}, sharpness {sharpness.Value:F3}, 2/eta {Metric("threshold"):F3}"));
        }
    }
}
