using Sharpness.Experiments.Progress;
using Sharpness.Web.Training;

namespace Sharpness.Web.Tests.TestSupport;

/// <summary>A training runner that waits until released (to hold the queue busy), reporting one row.</summary>
public sealed class BlockingRunner : ITrainingRunner
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _release = new();

    public Task Started => _started.Task;

    public void Release() => _release.Set();

    public string Run(TrainingRequest request, double? learningRate, string folder, string task, Action<IReadOnlyList<string>> columns, Action<double[]> row, IProgress<ExperimentProgress> progress, CancellationToken cancellationToken)
    {
        columns(["step", "loss"]);
        row([0, 1]);
        _started.TrySetResult();
        WaitHandle.WaitAny([_release.WaitHandle, cancellationToken.WaitHandle], TimeSpan.FromSeconds(60));
        return cancellationToken.IsCancellationRequested ? "Cancelled" : "StepBudget";
    }
}
