using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Progress;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using Sharpness.Runs.Safety;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Web.Training;

/// <summary>
/// Trains one run with the Nets library's <see cref="Trainer"/> (and its <see cref="SharpnessTracker"/>)
/// as <c>sharpness net train</c> does, and writes a run folder that command would write: <c>metrics.csv</c>
/// with the same columns (grown row by row as <c>metrics.csv.partial</c>, so another process can follow
/// it, and renamed when the run ends), then <c>manifest.json</c> with the command line that repeats the
/// run. Figures are not drawn here: <c>sharpness plot DIR</c> draws them from the folder.
/// </summary>
public sealed class NetTrainAdapter : ITrainingRunner
{
    /// <summary>The metrics file, and its name while it grows.</summary>
    public const string MetricsFile = "metrics.csv";

    /// <summary>The columns of metrics.csv (those of <c>sharpness net train</c> with --top-k 1).</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "step", "loss", "accuracy", "lr", "sharpness", "threshold", "residual", "matvecs", "converged", "lr_sharpness",
        "f_norm", "f_dot_y", "y_norm", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
    ];

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
        var dtype = request.DType == "float64" ? ScalarType.Float64 : ScalarType.Float32;
        var loss = request.Loss switch
        {
            "mse-mean" => LossFunction.HalfMeanSquaredError,
            "ce" => LossFunction.CrossEntropy,
            _ => LossFunction.HalfSquaredError,
        };
        var activation = request.Activation switch
        {
            "relu" => Activation.Relu,
            "elu" => Activation.Elu,
            "linear" => Activation.Linear,
            _ => Activation.Tanh,
        };
        var parameterisation = request.Param switch
        {
            "ntp" => NetworkParameterisation.Ntp,
            "mup" => NetworkParameterisation.MuPAbc,
            _ => NetworkParameterisation.Sp,
        };
        var rate = learningRate is double eta ? LearningRateSpec.Absolute(eta) : LearningRateSpec.RelativeToInitialSharpness(request.LrConstant!.Value);
        var config = new TrainerConfig
        {
            Optimizer = request.Optimizer == "sgd" ? OptimizerKind.StochasticGradientDescent : OptimizerKind.GradientDescent,
            BatchSize = request.BatchSize,
            PhysicalBatchSize = 1000,
            LearningRate = rate,
            Momentum = request.Momentum,
            Loss = loss,
            MaxSteps = request.Steps,
            TrainAccuracyGoal = request.AccuracyGoal,
            LossGoal = request.LossGoal,
            Seed = request.Seed,
            Threads = request.Threads,
            Tracking = request.SharpnessEvery == 0 && !rate.IsRelativeToInitialSharpness ? null : new SharpnessTrackerOptions
            {
                Interval = request.SharpnessEvery == 0 ? int.MaxValue : request.SharpnessEvery,
                MeasurementExamples = request.MeasureSize,
                HvpBatchSize = 1000,
                Seed = request.Seed,
            },
        };

        using var scope = NewDisposeScope();
        using var splits = LoadData(request, dtype);
        var train = new ExampleSet(splits.Train.Inputs, splits.Train.TargetsFor(loss));
        ExampleSet? test = request.TestSize > 0 && splits.Test.Count > 0 ? new ExampleSet(splits.Test.Inputs, splits.Test.TargetsFor(loss)) : null;
        using NetworkModule model = BuildModel(request, splits.Train, activation, parameterisation, dtype);

        // The folder is claimed (created and locked) for the whole run and released when it ends.
        using var directory = RunDirectory.Create(folder, [MetricsFile]);
        string partial = SafeFile.TemporaryPath(directory.Path, MetricsFile);
        SafeFile.TryDelete(partial);
        columns(Columns);
        long total = request.Steps;
        double lastSharpness = double.NaN, lastLrSharpness = double.NaN;
        long sharpnessAt = -1;
        var sinceProgress = Stopwatch.StartNew();
        TrainingResult result;
        // Created exclusively, so never through a link left at the temporary name.
        using (var writer = new StreamWriter(new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.Read), new UTF8Encoding(false)))
        {
            writer.WriteLine(string.Join(',', Columns));
            writer.Flush();
            var values = new double[Columns.Count];
            result = Trainer.Run(model, config, train, test, record =>
            {
                var m = record.Measurement;
                values[0] = record.Step;
                values[1] = record.Loss;
                values[2] = record.Accuracy;
                values[3] = record.LearningRate;
                values[4] = record.Sharpness;
                values[5] = record.Threshold;
                values[6] = record.Residual;
                values[7] = record.Matvecs ?? double.NaN;
                values[8] = record.Converged is bool converged ? (converged ? 1 : 0) : double.NaN;
                values[9] = m is null ? double.NaN : record.LearningRate * m.Sharpness;
                values[10] = m?.OutputNorm ?? double.NaN;
                values[11] = m?.OutputTargetInnerProduct ?? double.NaN;
                values[12] = m?.TargetNorm ?? double.NaN;
                values[13] = m?.TrainLoss ?? double.NaN;
                values[14] = m?.TrainAccuracy ?? double.NaN;
                values[15] = m?.TestLoss ?? double.NaN;
                values[16] = m?.TestAccuracy ?? double.NaN;
                writer.WriteLine(string.Join(',', values.Select(CsvTable.Format)));
                writer.Flush();
                row((double[])values.Clone());
                if (m is not null)
                {
                    (lastSharpness, lastLrSharpness, sharpnessAt) = (m.Sharpness, values[9], record.Step);
                }

                if (sinceProgress.Elapsed >= ProgressInterval || record.Step == 0)
                {
                    sinceProgress.Restart();
                    progress.Report(Snapshot(task, record.Step, total, clock.Elapsed, record.Loss, lastSharpness, lastLrSharpness, sharpnessAt));
                }
            }, cancellationToken);
        }

        // Complete: the partial file becomes metrics.csv (a rename, as every file of a run folder appears).
        File.Move(partial, Path.Combine(directory.Path, MetricsFile), overwrite: true);

        var last = result.Records[^1];
        progress.Report(Snapshot(task, last.Step, total, clock.Elapsed, last.Loss, lastSharpness, lastLrSharpness, sharpnessAt) with
        {
            Message = result.StopReason.ToString(),
        });
        directory.WriteManifest(new RunManifest
        {
            Command = "net train",
            Arguments = request.CommandLine(learningRate, _dataDirectory),
            Configuration = Configuration(request, splits, result.LearningRate),
            Seed = request.Seed,
            StartedUtc = started,
            FinishedUtc = DateTimeOffset.UtcNow,
            Results = Results(result, clock.Elapsed.TotalSeconds),
            Files = [MetricsFile],
        });
        return result.StopReason.ToString();
    }

    private static ExperimentProgress Snapshot(string task, long step, long total, TimeSpan elapsed, double loss, double sharpness, double lrSharpness, long sharpnessAt)
    {
        var metrics = new List<ProgressMetric> { new("loss", loss, step) };
        if (sharpnessAt >= 0)
        {
            metrics.Add(new ProgressMetric("sharpness", sharpness, sharpnessAt));
            metrics.Add(new ProgressMetric("lr_sharpness", lrSharpness, sharpnessAt));
        }

        return new ExperimentProgress { Task = task, Completed = step, Total = total, Unit = "steps", Elapsed = elapsed, Metrics = metrics };
    }

    private DatasetSplits LoadData(TrainingRequest request, ScalarType dtype)
    {
        if (request.Dataset == "synthetic")
        {
            return SyntheticDatasets.Create(new SyntheticDataOptions
            {
                TrainCount = request.TrainSize,
                TestCount = Math.Max(request.TestSize, 1),
                InputDimension = 20,
                OutputDimension = 3,
                Classification = true,
                Seed = request.Seed,
                DType = dtype,
            });
        }

        return ImageDatasets.Load(new ImageDatasetOptions
        {
            Kind = ImageDatasetKind.FashionMnist,
            Directory = _dataDirectory,
            TrainCount = request.TrainSize,
            TestCount = Math.Max(request.TestSize, 1),
            Layout = InputLayout.Flat,
            DType = dtype,
        });
    }

    private static NetworkModule BuildModel(TrainingRequest request, Dataset train, Activation activation, NetworkParameterisation parameterisation, ScalarType dtype) =>
        request.Model == "cnn"
            ? new SmallConvolutionalNetwork(new SmallConvolutionalConfig
            {
                Input = train.ImageShape ?? throw new InvalidOperationException("cnn needs image data."),
                OutputDimension = train.OutputCount,
                Channels = request.Width,
                Activation = activation,
                Bias = request.Bias,
                HiddenWeightVariance = request.InitScale,
                Seed = request.Seed,
                DType = dtype,
            })
            : new FullyConnectedNetwork(new FullyConnectedConfig
            {
                InputDimension = train.FeatureCount,
                OutputDimension = train.OutputCount,
                Depth = request.Depth,
                Width = request.Width,
                Activation = activation,
                Bias = request.Bias,
                Parameterisation = parameterisation,
                HiddenWeightVariance = request.InitScale,
                ZeroReadout = request.ZeroReadout,
                Seed = request.Seed,
                DType = dtype,
            });

    // The keys of `net train`'s configuration, so that `sharpness plot` and `sweep merge` read these runs as theirs.
    private JsonObject Configuration(TrainingRequest request, DatasetSplits splits, double learningRate) => new()
    {
        ["preset"] = request.Kind == "eos" ? "eos" : null,
        ["dataset"] = request.Dataset,
        ["data_dir"] = request.Dataset == "fashion-mnist" ? _dataDirectory : null,
        ["train_size"] = splits.Train.Count,
        ["test_size"] = request.TestSize > 0 ? splits.Test.Count : 0,
        ["classes"] = null,
        ["model"] = request.Model,
        ["depth"] = request.Depth,
        ["width"] = request.Width,
        ["activation"] = request.Activation,
        ["bias"] = request.Bias,
        ["param"] = request.Param,
        ["init_scale"] = JsonOutput.Number(request.InitScale),
        ["zero_readout"] = request.ZeroReadout,
        ["output_multiplier"] = 1.0,
        ["dtype"] = request.DType,
        ["seed"] = request.Seed,
        ["optimizer"] = request.Optimizer,
        ["batch_size"] = request.BatchSize,
        ["physical_batch"] = 1000,
        ["momentum"] = request.Momentum,
        ["warmup"] = 0,
        ["loss"] = request.Loss switch { "mse-mean" => LossFunction.HalfMeanSquaredError.Name, "ce" => LossFunction.CrossEntropy.Name, _ => LossFunction.HalfSquaredError.Name },
        ["lr"] = JsonOutput.Number(learningRate),
        ["lr_constant"] = JsonOutput.Number(request.Kind == "eos" ? null : request.LrConstant),
        ["steps"] = request.Steps,
        ["accuracy_goal"] = JsonOutput.Number(request.AccuracyGoal),
        ["loss_goal"] = JsonOutput.Number(request.LossGoal),
        ["sharpness_every"] = request.SharpnessEvery,
        ["top_k"] = 1,
        ["measure_size"] = request.MeasureSize,
        ["hvp_precision"] = "float64",
        ["lanczos_tolerance"] = 1e-5,
        ["max_matvecs"] = 500,
        ["threads"] = request.Threads,
        ["started_by"] = "sharpness serve",
        ["sharpness"] = "top eigenvalue of the Hessian of the training loss on the measurement set (Lanczos on exact Hessian-vector products, warm-started)",
    };

    private static JsonObject Results(TrainingResult result, double seconds)
    {
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
            ["seconds"] = seconds,
        };
    }
}
