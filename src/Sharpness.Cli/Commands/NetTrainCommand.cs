using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Nets.Checkpoints;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Plots;
using Sharpness.Runs;
using Sharpness.Runs.Logging;
using Sharpness.Uv.Simulation;
using Spectre.Console;
using static TorchSharp.torch;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net train</c>: trains a real network by GD or SGD and tracks its Hessian sharpness
/// from exact Hessian-vector products, with the presets of the edge-of-stability and early-training
/// literature.
/// </summary>
public sealed class NetTrainCommand
{
    /// <summary>Per-step metrics file.</summary>
    public const string MetricsFile = "metrics.csv";

    private readonly Option<string?> _preset = new("--preset") { Description = "eos (Cohen et al.: 5,000 images, FC tanh 200-200 with bias, MSE summed over classes, full-batch GD, until 99% train accuracy) or early (Kalra & Barkeshli: deep ReLU FCN in SP, MSE mean, SGD batch 512, eta = c/lambda_H(0), 10 steps). Explicit options override the preset." };
    private readonly Option<string> _dataset = new("--dataset") { Description = "fashion-mnist, mnist, cifar10 or synthetic.", DefaultValueFactory = _ => "fashion-mnist" };
    private readonly Option<DirectoryInfo?> _dataDir = new("--data-dir") { Description = "Folder of the dataset files. Default: /usr/share/datasets/fashion-mnist for Fashion-MNIST; required for mnist and cifar10." };
    private readonly Option<int> _trainSize = new("--train-size") { Description = "First N training examples.", DefaultValueFactory = _ => 5000 };
    private readonly Option<int> _testSize = new("--test-size") { Description = "First N test examples (0: no test set).", DefaultValueFactory = _ => 1000 };
    private readonly Option<string?> _classes = new("--classes") { Description = "Comma-separated subset of classes, relabelled 0..k-1 in the given order. Default: all." };
    private readonly Option<string> _model = new("--model") { Description = "fc (fully connected), cnn (two 3x3 conv layers, 32 channels, pooling, linear readout) or myrtle.", DefaultValueFactory = _ => "fc" };
    private readonly Option<int> _depth = new("--depth") { Description = "fc: linear layers including the readout (3 = two hidden layers); myrtle: 5, 7 or 10.", DefaultValueFactory = _ => 3 };
    private readonly Option<int> _width = new("--width") { Description = "fc: hidden width (default 200); cnn/myrtle: channels (default 32).", DefaultValueFactory = _ => 200 };
    private readonly Option<string> _activation = new("--activation") { Description = "tanh, relu, elu or linear.", DefaultValueFactory = _ => "tanh" };
    private readonly Option<bool> _noBias = new("--no-bias") { Description = "Layers without biases." };
    private readonly Option<string> _param = new("--param") { Description = "fc parameterisation: sp, ntp or mup (docs/real-networks.md gives the exact forms).", DefaultValueFactory = _ => "sp" };
    private readonly Option<double?> _initScale = new("--init-scale") { Description = "Hidden-layer weight variance sigma_w^2 (weights N(0, sigma_w^2/fan_in) in SP). Default: 2 for relu, 1 otherwise." };
    private readonly Option<bool> _zeroReadout = new("--zero-readout") { Description = "fc: initialise the readout layer at zero (zero initial output)." };
    private readonly Option<double> _outputMultiplier = new("--output-multiplier") { Description = "fc: multiply the network's output by this.", DefaultValueFactory = _ => 1.0 };
    private readonly Option<string> _dtype = new("--dtype") { Description = "float32 or float64 for training.", DefaultValueFactory = _ => "float32" };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed of the weights, the SGD sampler and the eigen-solver's first start vector.", DefaultValueFactory = _ => 0UL };
    private readonly Option<string> _optimizer = new("--optimizer") { Description = "gd (full batch) or sgd.", DefaultValueFactory = _ => "gd" };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "SGD batch size.", DefaultValueFactory = _ => 512 };
    private readonly Option<int> _physicalBatch = new("--physical-batch") { Description = "Examples per forward/backward pass (gradients are accumulated, weighted by batch size).", DefaultValueFactory = _ => 1000 };
    private readonly Option<double> _momentum = new("--momentum") { Description = "Heavy-ball momentum beta in [0, 1).", DefaultValueFactory = _ => 0.0 };
    private readonly Option<int> _warmup = new("--warmup") { Description = "Linear learning-rate warm-up steps.", DefaultValueFactory = _ => 0 };
    private readonly Option<string> _loss = new("--loss") { Description = "mse-sum (0.5 sum over classes, mean over examples: Cohen et al.), mse-mean (0.5 mean over examples and classes: Kalra & Barkeshli) or ce (softmax cross-entropy).", DefaultValueFactory = _ => "mse-sum" };
    private readonly Option<double?> _lr = new("--lr") { Description = "Learning rate eta. Default 0.01 unless --lr-constant is given." };
    private readonly Option<double?> _lrConstant = new("--lr-constant") { Description = "eta = c / lambda_H(0), the initial Hessian sharpness measured by Lanczos. Excludes --lr." };
    private readonly Option<int> _steps = new("--steps") { Description = "Step budget.", DefaultValueFactory = _ => 1000 };
    private readonly Option<double?> _accuracyGoal = new("--accuracy-goal") { Description = "Stop when the training accuracy reaches this (e.g. 0.99)." };
    private readonly Option<double?> _lossGoal = new("--loss-goal") { Description = "Stop when the training loss falls below this." };
    private readonly Option<int> _sharpnessEvery = new("--sharpness-every") { Description = "Measure the sharpness every k steps (0: never).", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _topK = new("--top-k") { Description = "Number of top Hessian eigenvalues measured.", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _measureSize = new("--measure-size") { Description = "Measurement set: the first N training examples.", DefaultValueFactory = _ => 5000 };
    private readonly Option<string> _hvpPrecision = new("--hvp-precision") { Description = "float64 or float32 for Hessian-vector products.", DefaultValueFactory = _ => "float64" };
    private readonly Option<double> _lanczosTolerance = new("--lanczos-tolerance") { Description = "Relative residual at which Lanczos stops.", DefaultValueFactory = _ => 1e-5 };
    private readonly Option<int> _maxMatvecs = new("--max-matvecs") { Description = "Hessian-vector products per measurement, at most.", DefaultValueFactory = _ => 500 };
    private readonly Option<bool> _checkpoint = new("--checkpoint") { Description = "Save the final weights as model.safetensors with the architecture in model.json." };
    private readonly Option<DirectoryInfo?> _tensorboard = new("--tensorboard") { Description = "Also write TensorBoard event files (loss, accuracy, sharpness, threshold) to this folder." };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for metrics.csv, figures and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetTrainCommand();
        var command = new Command("train", "Train a real network (GD or SGD) with its Hessian sharpness tracked from exact Hessian-vector products.");
        foreach (Option option in new Option[]
        {
            d._preset, d._dataset, d._dataDir, d._trainSize, d._testSize, d._classes, d._model, d._depth, d._width, d._activation, d._noBias, d._param,
            d._initScale, d._zeroReadout, d._outputMultiplier, d._dtype, d._seed, d._optimizer, d._batchSize, d._physicalBatch, d._momentum, d._warmup,
            d._loss, d._lr, d._lrConstant, d._steps, d._accuracyGoal, d._lossGoal, d._sharpnessEvery, d._topK, d._measureSize, d._hvpPrecision,
            d._lanczosTolerance, d._maxMatvecs, d._checkpoint, d._tensorboard, d._out, d._json,
        })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    // Preset values apply to options the user did not give.
    private T Value<T>(ParseResult parse, Option<T> option, string? preset, string name, T presetValue) =>
        preset is not null && !AnalysisOptions.IsGiven(parse, option) && PresetSets(preset, name) ? presetValue : parse.GetValue(option)!;

    private static bool PresetSets(string preset, string name) => (preset, name) switch
    {
        ("eos", "dataset" or "train-size" or "model" or "depth" or "width" or "activation" or "loss" or "optimizer" or "lr" or "steps" or "accuracy-goal" or "sharpness-every") => true,
        ("early", "model" or "depth" or "width" or "activation" or "no-bias" or "loss" or "optimizer" or "batch-size" or "lr-constant" or "steps" or "sharpness-every" or "param") => true,
        _ => false,
    };

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        string? preset = parse.GetValue(_preset)?.ToLowerInvariant();
        if (preset is not (null or "eos" or "early"))
        {
            throw new UsageException("--preset", $"expected eos or early, got '{preset}'.");
        }

        string dataset = Value(parse, _dataset, preset, "dataset", "fashion-mnist").ToLowerInvariant();
        int trainSize = OptionValues.AtLeast(Value(parse, _trainSize, preset, "train-size", 5000), 1, "--train-size");
        int testSize = OptionValues.AtLeast(parse.GetValue(_testSize), 0, "--test-size");
        string modelKind = Value(parse, _model, preset, "model", "fc").ToLowerInvariant();
        int depth = OptionValues.AtLeast(Value(parse, _depth, preset, "depth", preset == "early" ? 6 : 3), 1, "--depth");
        int width = OptionValues.AtLeast(
            !AnalysisOptions.IsGiven(parse, _width) && modelKind != "fc" ? 32 : Value(parse, _width, preset, "width", preset == "early" ? 512 : 200), 1, "--width");
        var activation = ParseActivation(Value(parse, _activation, preset, "activation", preset == "early" ? "relu" : "tanh"));
        bool bias = !Value(parse, _noBias, preset, "no-bias", preset == "early");
        var parameterisation = parse.GetValue(_param)!.ToLowerInvariant() switch
        {
            "sp" => NetworkParameterisation.Sp,
            "ntp" => NetworkParameterisation.Ntp,
            "mup" => NetworkParameterisation.MuP,
            var other => throw new UsageException("--param", $"expected sp, ntp or mup, got '{other}'."),
        };
        double? initScale = parse.GetValue(_initScale) is double v ? OptionValues.Positive(v, "--init-scale") : null;
        double outputMultiplier = OptionValues.Finite(parse.GetValue(_outputMultiplier), "--output-multiplier");
        var dtype = ParseDType(parse.GetValue(_dtype)!, "--dtype");
        ulong seed = parse.GetValue(_seed);
        string optimizer = Value(parse, _optimizer, preset, "optimizer", preset == "early" ? "sgd" : "gd").ToLowerInvariant();
        var optimizerKind = optimizer switch
        {
            "gd" => OptimizerKind.GradientDescent,
            "sgd" => OptimizerKind.StochasticGradientDescent,
            _ => throw new UsageException("--optimizer", $"expected gd or sgd, got '{optimizer}'."),
        };
        int batchSize = OptionValues.AtLeast(Value(parse, _batchSize, preset, "batch-size", 512), 1, "--batch-size");
        int physicalBatch = OptionValues.AtLeast(parse.GetValue(_physicalBatch), 1, "--physical-batch");
        double momentum = parse.GetValue(_momentum);
        if (!(momentum >= 0 && momentum < 1))
        {
            throw new UsageException("--momentum", $"must lie in [0, 1) (got {OptionValues.Text(momentum)}).");
        }

        int warmup = OptionValues.AtLeast(parse.GetValue(_warmup), 0, "--warmup");
        string lossName = Value(parse, _loss, preset, "loss", preset == "early" ? "mse-mean" : "mse-sum").ToLowerInvariant();
        var loss = lossName switch
        {
            "mse-sum" => LossFunction.HalfSquaredError,
            "mse-mean" => LossFunction.HalfMeanSquaredError,
            "ce" or "cross-entropy" => LossFunction.CrossEntropy,
            _ => throw new UsageException("--loss", $"expected mse-sum, mse-mean or ce, got '{lossName}'."),
        };
        double? lr = Value(parse, _lr, preset, "lr", preset == "eos" ? 2.0 / 30 : parse.GetValue(_lr));
        double? lrConstant = Value(parse, _lrConstant, preset, "lr-constant", preset == "early" ? 2.0 : parse.GetValue(_lrConstant));
        if (AnalysisOptions.IsGiven(parse, _lr) && AnalysisOptions.IsGiven(parse, _lrConstant))
        {
            throw new UsageException("--lr", "give either --lr or --lr-constant, not both.");
        }

        if (AnalysisOptions.IsGiven(parse, _lr))
        {
            lrConstant = null;
        }
        else if (AnalysisOptions.IsGiven(parse, _lrConstant))
        {
            lr = null;
        }

        LearningRateSpec rate = lrConstant is double c
            ? LearningRateSpec.RelativeToInitialSharpness(OptionValues.Positive(c, "--lr-constant"))
            : LearningRateSpec.Absolute(OptionValues.Positive(lr ?? 0.01, "--lr"));
        int steps = OptionValues.AtLeast(Value(parse, _steps, preset, "steps", preset == "early" ? 10 : 10_000), 0, "--steps");
        double? accuracyGoal = Value(parse, _accuracyGoal, preset, "accuracy-goal", preset == "eos" ? 0.99 : parse.GetValue(_accuracyGoal));
        double? lossGoal = parse.GetValue(_lossGoal);
        int sharpnessEvery = OptionValues.AtLeast(Value(parse, _sharpnessEvery, preset, "sharpness-every", preset == "early" ? 1 : preset == "eos" ? 20 : 10), 0, "--sharpness-every");
        int topK = OptionValues.AtLeast(parse.GetValue(_topK), 1, "--top-k");
        int measureSize = OptionValues.AtLeast(parse.GetValue(_measureSize), 1, "--measure-size");
        var hvpPrecision = ParseDType(parse.GetValue(_hvpPrecision)!, "--hvp-precision");
        double tolerance = OptionValues.Positive(parse.GetValue(_lanczosTolerance), "--lanczos-tolerance");
        int maxMatvecs = OptionValues.AtLeast(parse.GetValue(_maxMatvecs), 1, "--max-matvecs");
        if (sharpnessEvery == 0 && rate.IsRelativeToInitialSharpness)
        {
            // η = c/λ_H(0) needs one measurement at step 0; it is taken whatever --sharpness-every says.
            sharpnessEvery = int.MaxValue;
        }

        var files = new List<string> { MetricsFile, "sharpness.png", "lr_sharpness.png", "lr_sharpness.svg" };
        bool checkpoint = parse.GetValue(_checkpoint);
        if (checkpoint)
        {
            files.AddRange(["model.safetensors", "model.json"]);
        }

        var output = RunOutput.Prepare(parse.GetValue(_out)!, files);
        using var scope = NewDisposeScope();
        var splits = LoadData(parse, dataset, trainSize, testSize, dtype);
        var lossTargets = splits.Train.TargetsFor(loss);
        var train = new ExampleSet(splits.Train.Inputs, lossTargets);
        ExampleSet? test = testSize > 0 && splits.Test.Count > 0 ? new ExampleSet(splits.Test.Inputs, splits.Test.TargetsFor(loss)) : null;
        using NetworkModule model = BuildModel(modelKind, depth, width, activation, bias, parameterisation, initScale, parse.GetValue(_zeroReadout), outputMultiplier, dtype, seed, splits.Train);
        var config = new TrainerConfig
        {
            Optimizer = optimizerKind,
            BatchSize = batchSize,
            PhysicalBatchSize = physicalBatch,
            LearningRate = rate,
            WarmupSteps = warmup,
            Momentum = momentum,
            Loss = loss,
            MaxSteps = steps,
            TrainAccuracyGoal = accuracyGoal,
            LossGoal = lossGoal,
            Seed = seed,
            Tracking = sharpnessEvery == 0 ? null : new SharpnessTrackerOptions
            {
                Interval = sharpnessEvery,
                Count = topK,
                MeasurementExamples = measureSize,
                Precision = hvpPrecision,
                HvpBatchSize = physicalBatch,
                MaxMatvecs = maxMatvecs,
                ResidualTolerance = tolerance,
                Seed = seed,
            },
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--" + ((e.ParamName ?? "options").ToLowerInvariant()), e.Message);
        }

        using var tensorboard = parse.GetValue(_tensorboard) is { } tbDir ? new TensorBoardWriter(tbDir.FullName) : null;
        int progressEvery = Math.Max(1, steps / 20);
        string lastSharpness = string.Empty;
        void Record(TrainingStepRecord record, Action<string>? status)
        {
            tensorboard?.AddScalar("loss", record.Step, record.Loss);
            tensorboard?.AddScalar("accuracy", record.Step, record.Accuracy);
            if (record.Measurement is { } m)
            {
                tensorboard?.AddScalar("sharpness", record.Step, m.Sharpness);
                tensorboard?.AddScalar("threshold", record.Step, m.Threshold);
                lastSharpness = FormattableString.Invariant($", sharpness {m.Sharpness:G5} (2/eta = {m.Threshold:G5})");
            }

            string line = FormattableString.Invariant($"step {record.Step}/{steps}: loss {record.Loss:G5}, accuracy {record.Accuracy:F4}") + lastSharpness;
            if (status is not null)
            {
                status(line);
            }
            else if (record.Step % progressEvery == 0)
            {
                context.Error.WriteLine(line);
            }
        }

        TrainingResult result;
        if (Console.IsErrorRedirected || !ReferenceEquals(context.Error, Console.Error))
        {
            result = Trainer.Run(model, config, train, test, record => Record(record, null));
        }
        else
        {
            // On a terminal: a progress bar with elapsed and remaining time, drawn on standard error
            // so that standard output stays clean for --json.
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            TrainingResult? finished = null;
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask("training", maxValue: Math.Max(1, steps));
                    finished = Trainer.Run(model, config, train, test, record => Record(record, line =>
                    {
                        task.Value = record.Step;
                        task.Description = Markup.Escape(line);
                    }));
                    task.Value = task.MaxValue;
                });
            result = finished!;
        }

        WriteMetrics(output, result, topK);
        var written = new List<string> { MetricsFile };
        if (checkpoint)
        {
            written.AddRange(WriteCheckpoint(output, model, modelKind, depth, width, activation, bias, parameterisation, dtype));
        }

        var configuration = new JsonObject
        {
            ["preset"] = preset,
            ["dataset"] = dataset,
            ["data_dir"] = parse.GetValue(_dataDir)?.FullName,
            ["train_size"] = splits.Train.Count,
            ["test_size"] = test?.Count ?? 0,
            ["classes"] = parse.GetValue(_classes),
            ["model"] = modelKind,
            ["depth"] = depth,
            ["width"] = width,
            ["activation"] = activation.ToString().ToLowerInvariant(),
            ["bias"] = bias,
            ["param"] = parameterisation.ToString().ToLowerInvariant(),
            ["init_scale"] = JsonOutput.Number(initScale),
            ["zero_readout"] = parse.GetValue(_zeroReadout),
            ["output_multiplier"] = outputMultiplier,
            ["dtype"] = dtype.ToString().ToLowerInvariant(),
            ["seed"] = seed,
            ["optimizer"] = optimizer,
            ["batch_size"] = batchSize,
            ["physical_batch"] = physicalBatch,
            ["momentum"] = momentum,
            ["warmup"] = warmup,
            ["loss"] = loss.Name,
            ["loss_convention"] = loss.Convention,
            ["lr"] = result.LearningRate,
            ["lr_constant"] = JsonOutput.Number(lrConstant),
            ["steps"] = steps,
            ["accuracy_goal"] = JsonOutput.Number(accuracyGoal),
            ["loss_goal"] = JsonOutput.Number(lossGoal),
            ["sharpness_every"] = sharpnessEvery == int.MaxValue ? 0 : sharpnessEvery,
            ["top_k"] = topK,
            ["measure_size"] = measureSize,
            ["hvp_precision"] = hvpPrecision.ToString().ToLowerInvariant(),
            ["lanczos_tolerance"] = tolerance,
            ["max_matvecs"] = maxMatvecs,
            ["sharpness"] = "top eigenvalue of the Hessian of the training loss on the measurement set (Lanczos on exact Hessian-vector products, warm-started)",
        };
        var last = result.Records[^1];
        var lastMeasurement = result.Measurements.Count > 0 ? result.Measurements[^1] : null;
        var results = new JsonObject
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
        written.InsertRange(1, output.WriteFigures(NetTrainFigures.Render(SavedRun.Writing(output.Path, "net train", configuration, results))));
        output.Complete("net train", context, configuration, seed, started, results, written);

        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = configuration.DeepClone(), ["results"] = results.DeepClone(), ["out"] = output.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            string G(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
            context.Output.WriteLine($"{modelKind} on {dataset} ({splits.Train.Count} examples), {optimizer}, loss {loss.Name}, eta = {G(result.LearningRate)} (2/eta = {G(2 / result.LearningRate)})");
            context.Output.WriteLine($"stopped after {result.StepsCompleted} steps ({result.StopReason}){(result.Diverged ? $", diverged at step {result.DivergedAtStep}" : string.Empty)}: loss {G(last.Loss)}, accuracy {G(last.Accuracy)}");
            if (lastMeasurement is not null)
            {
                context.Output.WriteLine($"sharpness: initial {G(result.InitialSharpness)}, last {G(lastMeasurement.Sharpness)} at step {lastMeasurement.Step}; {result.Measurements.Count} measurements, {result.Measurements.Sum(m => m.Matvecs)} Hessian-vector products");
            }

            context.Output.WriteLine($"wrote {string.Join(", ", written)} and manifest.json in {output.Path}");
        }

        return ExitCodes.Success;
    }

    private DatasetSplits LoadData(ParseResult parse, string dataset, int trainSize, int testSize, ScalarType dtype)
    {
        // Every model takes flattened inputs [N, C*H*W] (the CNNs reshape them), which is what the
        // Hessian-vector-product operator expects.
        var layout = InputLayout.Flat;
        int[]? classes = null;
        if (parse.GetValue(_classes) is { } text)
        {
            try
            {
                classes = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            }
            catch (FormatException)
            {
                throw new UsageException("--classes", $"expected comma-separated class numbers, got '{text}'.");
            }
        }

        try
        {
            if (dataset == "synthetic")
            {
                return SyntheticDatasets.Create(new SyntheticDataOptions
                {
                    TrainCount = trainSize,
                    TestCount = Math.Max(testSize, 1),
                    InputDimension = 20,
                    OutputDimension = 3,
                    Classification = true,
                    Seed = parse.GetValue(_seed),
                    DType = dtype,
                });
            }

            var kind = dataset switch
            {
                "fashion-mnist" => ImageDatasetKind.FashionMnist,
                "mnist" => ImageDatasetKind.Mnist,
                "cifar10" => ImageDatasetKind.Cifar10,
                _ => throw new UsageException("--dataset", $"expected fashion-mnist, mnist, cifar10 or synthetic, got '{dataset}'."),
            };
            string? directory = parse.GetValue(_dataDir)?.FullName;
            if (directory is null && kind != ImageDatasetKind.FashionMnist)
            {
                throw new UsageException("--data-dir", $"{dataset} needs --data-dir (the folder of its files).");
            }

            return ImageDatasets.Load(new ImageDatasetOptions
            {
                Kind = kind,
                Directory = directory,
                TrainCount = trainSize,
                TestCount = Math.Max(testSize, 1),
                Classes = classes,
                Layout = layout,
                DType = dtype,
            });
        }
        catch (DatasetException e)
        {
            string hint = dataset == "fashion-mnist" && parse.GetValue(_dataDir) is null ? " (install it with: apt-get install dataset-fashion-mnist, or give --data-dir)" : string.Empty;
            throw new UsageException("--data-dir", e.Message + hint);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.ParamName is "Classes" ? "--classes" : "--dataset", e.Message);
        }
    }

    private static NetworkModule BuildModel(string kind, int depth, int width, Activation activation, bool bias, NetworkParameterisation parameterisation, double? initScale, bool zeroReadout, double outputMultiplier, ScalarType dtype, ulong seed, Dataset train)
    {
        try
        {
            return kind switch
            {
                "fc" => new FullyConnectedNetwork(new FullyConnectedConfig
                {
                    InputDimension = train.FeatureCount,
                    OutputDimension = train.OutputCount,
                    Depth = depth,
                    Width = width,
                    Activation = activation,
                    Bias = bias,
                    Parameterisation = parameterisation,
                    HiddenWeightVariance = initScale,
                    ZeroReadout = zeroReadout,
                    OutputMultiplier = outputMultiplier,
                    Seed = seed,
                    DType = dtype,
                }),
                "cnn" => new SmallConvolutionalNetwork(new SmallConvolutionalConfig
                {
                    Input = train.ImageShape ?? throw new UsageException("--model", "cnn needs image data (not synthetic vectors)."),
                    OutputDimension = train.OutputCount,
                    Channels = width,
                    Activation = activation,
                    Bias = bias,
                    HiddenWeightVariance = initScale,
                    Seed = seed,
                    DType = dtype,
                }),
                "myrtle" => new MyrtleNetwork(new MyrtleConfig
                {
                    Input = train.ImageShape ?? throw new UsageException("--model", "myrtle needs image data (not synthetic vectors)."),
                    OutputDimension = train.OutputCount,
                    Depth = depth,
                    Channels = width,
                    Activation = activation,
                    Bias = bias,
                    HiddenWeightVariance = initScale,
                    Seed = seed,
                    DType = dtype,
                }),
                _ => throw new UsageException("--model", $"expected fc, cnn or myrtle, got '{kind}'."),
            };
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--" + (e.ParamName ?? "model").ToLowerInvariant(), e.Message);
        }
    }

    private static void WriteMetrics(RunOutput output, TrainingResult result, int topK)
    {
        var columns = new List<string> { "step", "loss", "accuracy", "lr", "sharpness", "threshold", "residual", "matvecs", "converged", "lr_sharpness", "f_norm", "f_dot_y", "y_norm", "train_loss", "train_accuracy", "test_loss", "test_accuracy" };
        columns.AddRange(Enumerable.Range(2, Math.Max(0, topK - 1)).Select(k => $"eigenvalue{k}"));
        output.WriteCsv(MetricsFile, columns, writer =>
        {
            var row = new double[columns.Count];
            foreach (var r in result.Records)
            {
                var m = r.Measurement;
                row[0] = r.Step;
                row[1] = r.Loss;
                row[2] = r.Accuracy;
                row[3] = r.LearningRate;
                row[4] = r.Sharpness;
                row[5] = r.Threshold;
                row[6] = r.Residual;
                row[7] = r.Matvecs ?? double.NaN;
                row[8] = r.Converged is bool converged ? (converged ? 1 : 0) : double.NaN;
                row[9] = m is null ? double.NaN : result.LearningRate * m.Sharpness;
                row[10] = m?.OutputNorm ?? double.NaN;
                row[11] = m?.OutputTargetInnerProduct ?? double.NaN;
                row[12] = m?.TargetNorm ?? double.NaN;
                row[13] = m?.TrainLoss ?? double.NaN;
                row[14] = m?.TrainAccuracy ?? double.NaN;
                row[15] = m?.TestLoss ?? double.NaN;
                row[16] = m?.TestAccuracy ?? double.NaN;
                for (int k = 1; k < topK; k++)
                {
                    row[16 + k] = m is not null && k < m.Eigenvalues.Count ? m.Eigenvalues[k] : double.NaN;
                }

                writer.WriteRow(row);
            }
        });
    }

    private static IEnumerable<string> WriteCheckpoint(RunOutput output, NetworkModule model, string kind, int depth, int width, Activation activation, bool bias, NetworkParameterisation parameterisation, ScalarType dtype)
    {
        var architecture = new JsonObject
        {
            ["model"] = kind,
            ["input_dimension"] = model.InputDimension,
            ["output_dimension"] = model.OutputDimension,
            ["depth"] = depth,
            ["width"] = width,
            ["activation"] = activation.ToString().ToLowerInvariant(),
            ["bias"] = bias,
            ["param"] = parameterisation.ToString().ToLowerInvariant(),
            ["dtype"] = dtype.ToString().ToLowerInvariant(),
            ["parameters"] = new JsonArray(Nets.Parameters.ParameterVector.Ordered(model).Select(p => (JsonNode?)new JsonObject
            {
                ["name"] = p.Name,
                ["shape"] = new JsonArray(p.Parameter.shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            }).ToArray()),
        };
        string json = architecture.ToJsonString(JsonOutput.Options);
        output.WriteBytes("model.safetensors", Safetensors.Serialise(model, new Dictionary<string, string> { ["architecture"] = json }));
        output.WriteText("model.json", json + "\n");
        return ["model.safetensors", "model.json"];
    }

    private static Activation ParseActivation(string text) => text.ToLowerInvariant() switch
    {
        "tanh" => Activation.Tanh,
        "relu" => Activation.Relu,
        "elu" => Activation.Elu,
        "linear" => Activation.Linear,
        _ => throw new UsageException("--activation", $"expected tanh, relu, elu or linear, got '{text}'."),
    };

    private static ScalarType ParseDType(string text, string option) => text.ToLowerInvariant() switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        _ => throw new UsageException(option, $"expected float32 or float64, got '{text}'."),
    };
}
