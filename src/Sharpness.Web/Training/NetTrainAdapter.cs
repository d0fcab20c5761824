using System.Diagnostics;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;

namespace Sharpness.Web.Training;

/// <summary>
/// Trains one run through the library entry point of <c>sharpness net train</c>
/// (<see cref="NetTrainExperiment"/> with its <see cref="NetTrainWriter"/>), so the run folder is the one
/// that command writes for the same arguments: <c>metrics.csv</c> grown row by row as
/// <c>metrics.csv.partial</c> (another process can follow it) and renamed when the run ends, the figures,
/// then <c>manifest.json</c> with the command line that repeats the run. A cancelled run keeps the data
/// measured so far, labelled with the stop reason Cancelled.
/// </summary>
public sealed class NetTrainAdapter : ITrainingRunner
{
    /// <summary>The metrics file.</summary>
    public const string MetricsFile = NetTrainWriter.MetricsFile;

    /// <summary>The columns of metrics.csv (those of <c>sharpness net train</c> with --top-k 1).</summary>
    public static readonly IReadOnlyList<string> Columns = NetTrainWriter.Columns(1);

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);
    private readonly string? _dataDirectory;

    /// <summary>Creates the adapter.</summary>
    /// <param name="dataDirectory">Folder of Fashion-MNIST, or null for the default (/usr/share/datasets/fashion-mnist).</param>
    public NetTrainAdapter(string? dataDirectory) => _dataDirectory = dataDirectory;

    /// <inheritdoc />
    public string Run(
        TrainingRequest request,
        double? learningRate,
        string folder,
        string task,
        Action<IReadOnlyList<string>> columns,
        Action<double[]> row,
        IProgress<ExperimentProgress> progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(progress);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var settings = Options(request, learningRate).Resolve();
        // The folder is claimed (created and locked) for the whole run and released when it ends.
        using var writer = new Streaming(new NetTrainWriter(NetTrainWriter.Prepare(folder, settings, CheckpointPlan.None)), columns, row);
        var result = NetTrainExperiment.Run(settings, new Throttled(progress), cancellationToken, writer, task, keepCancelledRun: true);
        result.Configuration["preset"] = request.Kind == "eos" ? "eos" : null;
        result.Configuration["started_by"] = "sharpness serve";
        result.Results["seconds"] = clock.Elapsed.TotalSeconds;
        writer.Writer.Complete(result, started, request.CommandLine(learningRate, _dataDirectory));
        return result.Training.StopReason.ToString();
    }

    /// <inheritdoc />
    public string? RunEos(
        TrainingRequest request,
        string folder,
        string run,
        Action<string, double> started,
        Action<string, IReadOnlyList<string>> columns,
        Action<string, double[]> row,
        IProgress<ExperimentProgress> progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(started);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(row);
        var options = new NetEosOptions
        {
            // The eos preset (Cohen et al.) fills in what the form leaves out, as net eos does.
            Network = (Options(request, null) with { Preset = "eos", LrConstant = null }).Resolve(),
            LearningRates = request.LearningRates,
        };
        try
        {
            NetEosWriter.Run(NetEosWriter.Prepare(folder, options), options, new Throttled(progress), cancellationToken, EosCommandLine(request), (lr, writer) =>
            {
                string sub = $"{run}/{NetEosOptions.RunFolderName(lr)}";
                started(sub, lr);
                return new Streaming(writer, c => columns(sub, c), values => row(sub, values));
            });
            return "Finished";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The learning rates already trained stay complete; the summary needs them all.
            return TrainingStopReason.Cancelled.ToString();
        }
    }

    /// <summary>The <c>net eos</c> command line of an eos job: its <c>net train</c> options with --lrs instead of --lr.</summary>
    /// <param name="request">The job's settings (kind eos).</param>
    internal IReadOnlyList<string> EosCommandLine(TrainingRequest request)
    {
        var args = request.CommandLine(request.LearningRates[0], _dataDirectory).ToList();
        args[1] = "eos";
        int lr = args.IndexOf("--lr");
        args[lr] = "--lrs";
        args[lr + 1] = string.Join(',', request.LearningRates.Select(r => r.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        return args;
    }

    /// <summary>The options of <c>net train</c> that <see cref="TrainingRequest.CommandLine"/> gives, for one run.</summary>
    /// <param name="request">The job's settings.</param>
    /// <param name="learningRate">This run's η, or null for η = c/λ_H(0).</param>
    internal NetworkOptions Options(TrainingRequest request, double? learningRate) => new()
    {
        Dataset = request.Dataset,
        DataDir = _dataDirectory is not null && request.Dataset == "fashion-mnist" ? Path.GetFullPath(_dataDirectory) : null,
        TrainSize = request.TrainSize,
        TestSize = request.TestSize,
        Model = request.Model,
        Depth = request.Model == "cnn" ? null : request.Depth,
        Width = request.Width,
        Activation = request.Activation,
        Param = request.Param == "mup" ? "mup-abc" : request.Param,
        NoBias = request.Bias ? null : true,
        InitScale = request.InitScale,
        ZeroReadout = request.ZeroReadout ? true : null,
        Loss = request.Loss,
        Optimizer = request.Optimizer,
        BatchSize = request.BatchSize,
        Momentum = request.Momentum,
        Lr = learningRate,
        LrConstant = learningRate is null ? request.LrConstant : null,
        Steps = request.Steps,
        AccuracyGoal = request.AccuracyGoal,
        LossGoal = request.LossGoal,
        SharpnessEvery = request.SharpnessEvery,
        MeasureSize = request.MeasureSize,
        DType = request.DType,
        Seed = request.Seed,
        Threads = request.Threads,
    };

    /// <summary>The writer, with every row also handed to the job's stream.</summary>
    private sealed class Streaming(INetTrainObserver writer, Action<IReadOnlyList<string>> columns, Action<double[]> row) : INetTrainObserver, IDisposable
    {
        private int _topK = 1;

        public NetTrainWriter Writer => (NetTrainWriter)writer;

        public void OnStart(NetworkModule model, NetworkSettings settings)
        {
            writer.OnStart(model, settings);
            _topK = settings.TopK;
            columns(NetTrainWriter.Columns(_topK));
        }

        public void OnStep(TrainingStepRecord record)
        {
            writer.OnStep(record);
            row(NetTrainWriter.Row(record, _topK));
        }

        public void OnFinished(NetworkModule model, TrainingResult result, JsonObject data) => writer.OnFinished(model, result, data);

        public void Dispose() => (writer as IDisposable)?.Dispose();
    }

    /// <summary>At most one snapshot every <see cref="ProgressInterval"/>, and the first and last always.</summary>
    private sealed class Throttled(IProgress<ExperimentProgress> progress) : IProgress<ExperimentProgress>
    {
        private readonly Stopwatch _since = new();

        public void Report(ExperimentProgress value)
        {
            if (_since.IsRunning && _since.Elapsed < ProgressInterval && value.Message is null && value.Completed != value.Total)
            {
                return;
            }

            _since.Restart();
            progress.Report(value);
        }
    }
}
