using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Progress;
using Sharpness.Nets.Data;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// What a training run tells the components that keep its data while it runs (a writer streaming
/// metrics.csv, checkpoints, TensorBoard): the model once it is built, every step's record, and the
/// end. All calls come on the training thread, inside the step's dispose scope (the model then holds
/// θ_t); anything kept must be copied.
/// </summary>
public interface INetTrainObserver
{
    /// <summary>The model is built and about to train (θ_0).</summary>
    /// <param name="model">The network.</param>
    /// <param name="settings">The run's settings.</param>
    void OnStart(NetworkModule model, NetworkSettings settings);

    /// <summary>Step t's record, in order of t.</summary>
    /// <param name="record">The record.</param>
    void OnStep(TrainingStepRecord record);

    /// <summary>The run stopped for a reason of its own (not cancelled); the model holds its final weights.</summary>
    /// <param name="model">The network.</param>
    /// <param name="result">The finished run.</param>
    /// <param name="data">The data preprocessing, as a checkpoint's model.json describes it.</param>
    void OnFinished(NetworkModule model, TrainingResult result, JsonObject data);
}

/// <summary>A finished <see cref="NetTrainExperiment"/> run.</summary>
/// <param name="Settings">The settings it trained with.</param>
/// <param name="Training">The records, measurements and outcome.</param>
/// <param name="TrainCount">Training examples actually used.</param>
/// <param name="Configuration">The manifest's configuration (snake_case keys, one per option; the resolved η).</param>
/// <param name="Results">The manifest's results (steps, stop reason, divergence, η, sharpness, loss, accuracy).</param>
public sealed record NetTrainResult(NetworkSettings Settings, TrainingResult Training, int TrainCount, JsonObject Configuration, JsonObject Results)
{
    /// <summary>The last measurement, or null when the run measured none.</summary>
    public SharpnessMeasurement? LastMeasurement => Training.Measurements.Count > 0 ? Training.Measurements[^1] : null;
}

/// <summary>
/// <c>net train</c> as a library call: trains a real network by GD or SGD with its Hessian sharpness
/// tracked from exact Hessian-vector products, reporting every step and stopping at a step boundary
/// when cancelled. <see cref="NetTrainWriter"/> turns the run into a run folder while it trains.
/// </summary>
/// <example>
/// <code>
/// var settings = new NetworkOptions { Dataset = "synthetic", TrainSize = 200, Width = 16, Lr = 0.1, Steps = 50 }.Resolve();
/// NetTrainResult run = NetTrainExperiment.Run(settings, progress, cancellationToken);
/// Console.WriteLine(run.LastMeasurement?.Sharpness);
/// </code>
/// </example>
public static class NetTrainExperiment
{
    /// <summary>The command, as manifests name it.</summary>
    public const string Command = "net train";

    /// <summary>Trains one run.</summary>
    /// <param name="settings">The resolved settings (<see cref="NetworkOptions.Resolve"/>).</param>
    /// <param name="progress">
    /// Receives a snapshot after every step (<see cref="ExperimentProgress.Completed"/> = step t of
    /// <see cref="TrainerConfig.MaxSteps"/>) with the metrics loss, accuracy and, once measured, sharpness,
    /// threshold (2/η) and lr_sharpness (ηλ_H), each with the step it was measured at; null for none.
    /// </param>
    /// <param name="cancellationToken">Stops the run at the next step boundary with <see cref="OperationCanceledException"/>; observers then get no <see cref="INetTrainObserver.OnFinished"/>.</param>
    /// <param name="observer">Sees the model, every step and the end (a writer); null for none.</param>
    /// <param name="task">The task path of the snapshots (default <see cref="Command"/>).</param>
    /// <param name="keepCancelledRun">
    /// When true, a cancelled run ends as a result (stop reason <see cref="TrainingStopReason.Cancelled"/>, the
    /// observers finish it) instead of throwing: a browser's live run keeps the data measured so far.
    /// </param>
    /// <returns>The finished run.</returns>
    /// <exception cref="InvalidOptionException">The data or the model do not fit the settings (named by option).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static NetTrainResult Run(NetworkSettings settings, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default, INetTrainObserver? observer = null, string task = Command, bool keepCancelledRun = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        cancellationToken.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        using var splits = settings.LoadData();
        return Train(settings, splits, progress, cancellationToken, observer, task, keepCancelledRun);
    }

    /// <summary>Trains one run on data already loaded (by <see cref="NetworkSettings.LoadData"/> of the same settings but the learning rate); the data are not disposed.</summary>
    internal static NetTrainResult Train(NetworkSettings settings, DatasetSplits splits, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, INetTrainObserver? observer, string task, bool keepCancelledRun)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var scope = NewDisposeScope();
        var (train, test) = settings.ExampleSets(splits);
        using NetworkModule model = settings.BuildModel(splits.Train);
        observer?.OnStart(model, settings);
        var tracker = new ProgressTracker(progress, task, settings.Trainer.MaxSteps, "steps", interval: TimeSpan.Zero);
        var metrics = new StepMetrics();
        TrainingResult result = Trainer.Run(model, settings.Trainer, train, test, record =>
        {
            observer?.OnStep(record);
            if (progress is not null)
            {
                tracker.Report(record.Step, metrics.Add(record));
            }
        }, cancellationToken);
        if (result.StopReason == TrainingStopReason.Cancelled && !keepCancelledRun)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        var data = settings.DataDescription(splits);
        observer?.OnFinished(model, result, data);
        var configuration = settings.Configuration(splits, result.LearningRate);
        tracker.Complete(StopSentence(result), metrics.Latest);
        return new NetTrainResult(settings, result, splits.Train.Count, configuration, Results(result));
    }

    /// <summary>Resolves <paramref name="options"/> and trains (see <see cref="Run(NetworkSettings, IProgress{ExperimentProgress}?, CancellationToken, INetTrainObserver?, string, bool)"/>).</summary>
    /// <param name="options">The options as given.</param>
    /// <param name="progress">Progress, or null.</param>
    /// <param name="cancellationToken">Stops at a step boundary.</param>
    /// <returns>The finished run.</returns>
    public static NetTrainResult Run(NetworkOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Run(options.Resolve(), progress, cancellationToken);
    }

    /// <summary>The manifest's results of a training run.</summary>
    /// <param name="result">The finished run.</param>
    public static JsonObject Results(TrainingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var last = result.Records[^1];
        var lastMeasurement = result.Measurements.Count > 0 ? result.Measurements[^1] : null;
        return new JsonObject
        {
            ["steps_completed"] = result.StepsCompleted,
            ["stop_reason"] = result.StopReason.ToString(),
            ["diverged"] = result.Diverged,
            ["diverged_at_step"] = result.DivergedAtStep,
            ["learning_rate"] = result.LearningRate,
            ["threshold"] = lastMeasurement?.Threshold is double th ? JsonOutput.Number(th) : null,
            ["initial_sharpness"] = JsonOutput.Number(result.InitialSharpness),
            ["final_loss"] = JsonOutput.Number(last.Loss),
            ["final_accuracy"] = JsonOutput.Number(last.Accuracy),
            ["final_sharpness"] = JsonOutput.Number(lastMeasurement?.Sharpness),
            ["measurements"] = result.Measurements.Count,
            ["matvecs"] = result.Measurements.Sum(m => m.Matvecs),
        };
    }

    private static string StopSentence(TrainingResult result) =>
        result.Diverged ? string.Create(CultureInfo.InvariantCulture, $"diverged at step {result.DivergedAtStep}") : $"stopped after {result.StepsCompleted} steps ({result.StopReason})";

    /// <summary>The progress metrics of a step: its loss and accuracy, and the latest measurement's values with the step they were measured at.</summary>
    internal sealed class StepMetrics
    {
        private SharpnessMeasurement? _last;
        private int _measuredAt;

        /// <summary>The metrics of the latest step.</summary>
        public IReadOnlyList<ProgressMetric> Latest { get; private set; } = [];

        /// <summary>Takes step <paramref name="record"/>'s values; returns the metrics to report.</summary>
        public IReadOnlyList<ProgressMetric> Add(TrainingStepRecord record)
        {
            if (record.Measurement is { } m)
            {
                (_last, _measuredAt) = (m, record.Step);
            }

            var metrics = new List<ProgressMetric>(5) { new("loss", record.Loss, record.Step), new("accuracy", record.Accuracy, record.Step) };
            if (_last is { } measured)
            {
                metrics.Add(new ProgressMetric("sharpness", measured.Sharpness, _measuredAt));
                metrics.Add(new ProgressMetric("threshold", measured.Threshold, _measuredAt));
                metrics.Add(new ProgressMetric("lr_sharpness", record.PeakLearningRate * measured.Sharpness, _measuredAt));
            }

            Latest = metrics;
            return metrics;
        }
    }
}
