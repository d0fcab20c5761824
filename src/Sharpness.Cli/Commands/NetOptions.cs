using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Cli.Commands;

/// <summary>
/// The options every <c>sharpness net</c> command shares (data, model, optimiser, loss, learning rate,
/// stop rules, sharpness measurement) and their presets, resolved into <see cref="NetSettings"/>.
/// </summary>
/// <remarks>
/// A preset fills in the options the user did not type; typed options always win. Commands that
/// sweep one of these values (the learning rate in <c>net eos</c>, depth and width in
/// <c>net early-phase</c>) leave that option out (<see cref="Add"/>) and set the value per run
/// with <c>with</c> on the resolved settings.
/// </remarks>
internal sealed class NetOptions
{
    public readonly Option<string?> Preset = new("--preset") { Description = "eos (Cohen et al.: 5,000 images, FC tanh 200-200 with bias, PyTorch's default initialisation, MSE summed over classes, full-batch GD, until 99% train accuracy) or early (Kalra & Barkeshli: deep ReLU FCN in SP without bias, normal initialisation, MSE mean, SGD batch 512, eta = c/lambda_H(0), 10 steps). Explicit options override the preset." };
    public readonly Option<string> Dataset = new("--dataset") { Description = "fashion-mnist, mnist, cifar10 or synthetic.", DefaultValueFactory = _ => "fashion-mnist" };
    public readonly Option<DirectoryInfo?> DataDir = new("--data-dir") { Description = "Folder of the dataset files. Default: /usr/share/datasets/fashion-mnist for Fashion-MNIST; required for mnist and cifar10." };
    public readonly Option<int> TrainSize = new("--train-size") { Description = "First N training examples.", DefaultValueFactory = _ => 5000 };
    public readonly Option<int> TestSize = new("--test-size") { Description = "First N test examples (0: no test set).", DefaultValueFactory = _ => 1000 };
    public readonly Option<string?> Standardise = new("--standardise") { Description = "Input standardisation of image data: per-feature (each pixel by its mean and standard deviation over the whole training split: Cohen et al.), per-example (each image by its own mean and standard deviation: Kalra & Barkeshli) or none (pixels / 255). Default per-feature; per-example with --preset early." };
    public readonly Option<string?> Classes = new("--classes") { Description = "Comma-separated subset of classes, relabelled 0..k-1 in the given order. Default: all." };
    public readonly Option<string> Model = new("--model") { Description = "fc (fully connected), cnn (two 3x3 conv layers, 32 channels, pooling, linear readout) or myrtle.", DefaultValueFactory = _ => "fc" };
    public readonly Option<int> Depth = new("--depth") { Description = "fc: linear layers including the readout (default 3 = two hidden layers); myrtle: 5 (default), 7 or 10.", DefaultValueFactory = _ => 3 };
    public readonly Option<int> Width = new("--width") { Description = "fc: hidden width (default 200); cnn/myrtle: channels (default 32).", DefaultValueFactory = _ => 200 };
    public readonly Option<string?> Activation = new("--activation") { Description = "tanh, relu, elu or linear. Default: tanh for fc (relu with --preset early), relu for cnn and myrtle." };
    public readonly Option<bool> NoBias = new("--no-bias") { Description = "Layers without biases." };
    public readonly Option<string> Param = new("--param") { Description = "fc parameterisation: sp, ntp, mup-abc (Yang & Hu's abc muP), mup-out (Kalra & Barkeshli's fcn_mup: SP with the output divided by width^s, s = --out-exp) or small-readout (their fcn_si: readout variance 1/(fan_in*width)). docs/real-networks.md gives the exact forms.", DefaultValueFactory = _ => "sp" };
    public readonly Option<string?> Init = new("--init") { Description = "Initialisation: normal (weights N(0, sigma^2/fan_in) scaled by the parameterisation, zero biases; Kalra & Barkeshli's code) or torch (PyTorch's nn.Linear/nn.Conv2d default: weights and biases uniform in +-1/sqrt(fan_in); Cohen et al.'s code; sp and mup-out only). Default normal; torch with --preset eos." };
    public readonly Option<double?> InitScale = new("--init-scale") { Description = "Hidden-layer weight variance sigma_w^2 of the normal initialisation (weights N(0, sigma_w^2/fan_in) in SP). Default: 2 for relu, 1 otherwise." };
    public readonly Option<bool> ZeroReadout = new("--zero-readout") { Description = "fc: initialise the readout layer at zero, weights and (under --init torch) bias, so the initial output is zero." };
    public readonly Option<double> OutputMultiplier = new("--output-multiplier") { Description = "fc: multiply the network's output by this (alpha).", DefaultValueFactory = _ => 1.0 };
    public readonly Option<double?> OutExp = new("--out-exp") { Description = "fc: divide the network's output by width^s (the authors' out_exp; the UV model's s). Default 0.5 for --param mup-out, 0 otherwise." };
    public readonly Option<string?> Pooling = new("--pooling") { Description = "cnn: max or avg pooling after each convolution. Default max (Cohen et al.'s cnn-relu)." };
    public readonly Option<string> DType = new("--dtype") { Description = "float32 or float64 for training.", DefaultValueFactory = _ => "float32" };
    public readonly Option<ulong> Seed = new("--seed") { Description = "Seed of the weights, the SGD sampler and the eigen-solver's first start vector.", DefaultValueFactory = _ => 0UL };
    public readonly Option<string> Optimizer = new("--optimizer") { Description = "gd (full batch) or sgd.", DefaultValueFactory = _ => "gd" };
    public readonly Option<int> BatchSize = new("--batch-size") { Description = "SGD batch size.", DefaultValueFactory = _ => 512 };
    public readonly Option<int> PhysicalBatch = new("--physical-batch") { Description = "Examples per forward/backward pass (gradients are accumulated, weighted by batch size).", DefaultValueFactory = _ => 1000 };
    public readonly Option<double> Momentum = new("--momentum") { Description = "Heavy-ball momentum beta in [0, 1).", DefaultValueFactory = _ => 0.0 };
    public readonly Option<int> Warmup = new("--warmup") { Description = "Linear learning-rate warm-up steps.", DefaultValueFactory = _ => 0 };
    public readonly Option<string> Loss = new("--loss") { Description = "mse-sum (0.5 sum over classes, mean over examples: Cohen et al.), mse-mean (0.5 mean over examples and classes: Kalra & Barkeshli) or ce (softmax cross-entropy).", DefaultValueFactory = _ => "mse-sum" };
    public readonly Option<double?> Lr = new("--lr") { Description = "Learning rate eta. Default 0.01 unless --lr-constant is given." };
    public readonly Option<double?> LrConstant = new("--lr-constant") { Description = "eta = c / lambda_H(0), the initial Hessian sharpness measured by Lanczos. Excludes --lr." };
    public readonly Option<int> Steps = new("--steps") { Description = "Step budget.", DefaultValueFactory = _ => 1000 };
    public readonly Option<double?> AccuracyGoal = new("--accuracy-goal") { Description = "Stop when the training accuracy reaches this (e.g. 0.99)." };
    public readonly Option<double?> LossGoal = new("--loss-goal") { Description = "Stop when the training loss falls below this." };
    public readonly Option<int> SharpnessEvery = new("--sharpness-every") { Description = "Measure the sharpness every k steps (0: never).", DefaultValueFactory = _ => 10 };
    public readonly Option<int> TopK = new("--top-k") { Description = "Number of top Hessian eigenvalues measured (at most the model's parameters).", DefaultValueFactory = _ => 1 };
    public readonly Option<int> MeasureSize = new("--measure-size") { Description = "Measurement set: the first N training examples.", DefaultValueFactory = _ => 5000 };
    public readonly Option<string> HvpPrecision = new("--hvp-precision") { Description = "float64 or float32 for Hessian-vector products.", DefaultValueFactory = _ => "float64" };
    public readonly Option<double> LanczosTolerance = new("--lanczos-tolerance") { Description = "Relative residual at which Lanczos stops.", DefaultValueFactory = _ => 1e-5 };
    public readonly Option<int> Threads = new("--threads") { Description = "LibTorch intra-op threads, at most 4 per processor. 1 (default) gives bit-identical runs; more is faster on several cores and reproducible in practice on one machine, not guaranteed.", DefaultValueFactory = _ => 1 };
    public readonly Option<string> Blas = new("--blas") { Description = "BLAS for LibTorch's matrix products: libtorch (default, the MKL inside LibTorch) or openblas (Debian's libopenblas0-pthread; 10-15% faster on AMD processors, results differ from MKL's in the last bits).", DefaultValueFactory = _ => "libtorch" };
    public readonly Option<int> MaxMatvecs = new("--max-matvecs") { Description = "Hessian-vector products per measurement, at most.", DefaultValueFactory = _ => 500 };

    /// <summary>--torchscript and its data options; only the commands that call <see cref="NetTorchScriptOptions.Add"/> have them.</summary>
    public readonly NetTorchScriptOptions TorchScript = new();

    /// <summary>Every option, in help order.</summary>
    public IEnumerable<Option> All =>
    [
        Preset, Dataset, DataDir, TrainSize, TestSize, Classes, Standardise, Model, Depth, Width, Activation, NoBias, Param,
        Init, InitScale, ZeroReadout, OutputMultiplier, OutExp, Pooling, DType, Seed, Optimizer, BatchSize, PhysicalBatch, Momentum, Warmup,
        Loss, Lr, LrConstant, Steps, AccuracyGoal, LossGoal, SharpnessEvery, TopK, MeasureSize, HvpPrecision,
        LanczosTolerance, MaxMatvecs, Threads, Blas,
    ];

    /// <summary>Adds every option except <paramref name="except"/> to <paramref name="command"/>.</summary>
    public void Add(Command command, params Option[] except)
    {
        foreach (var option in All.Where(o => !except.Contains(o)))
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// Resolves the options: <paramref name="preset"/> (or --preset when null) fills in what was not
    /// typed; every value is checked and a bad one throws <see cref="UsageException"/> naming its option.
    /// </summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="preset">A preset forced by the command (e.g. eos for <c>net eos</c>); null: --preset.</param>
    public NetSettings Resolve(ParseResult parse, string? preset = null)
    {
        preset ??= parse.GetResult(Preset) is null ? null : Get(parse, Preset)?.ToLowerInvariant();
        if (preset is not (null or "eos" or "early"))
        {
            throw new UsageException("--preset", $"expected eos or early, got '{preset}'.");
        }

        T Value<T>(Option<T> option, string name, T presetValue) =>
            preset is not null && !AnalysisOptions.IsGiven(parse, option) && PresetSets(preset, name) ? presetValue : Get(parse, option)!;

        string dataset = Value(Dataset, "dataset", "fashion-mnist").ToLowerInvariant();
        int trainSize = OptionValues.AtLeast(Value(TrainSize, "train-size", 5000), 1, "--train-size");
        int testSize = OptionValues.AtLeast(Get(parse, TestSize), 0, "--test-size");
        string modelKind = Value(Model, "model", "fc").ToLowerInvariant();
        // Myrtle's smallest depth is 5 (the fc default of 3 has no Myrtle network).
        int depth = OptionValues.AtLeast(
            !AnalysisOptions.IsGiven(parse, Depth) && modelKind == "myrtle" ? 5 : Value(Depth, "depth", preset == "early" ? 6 : 3), 1, "--depth");
        int width = OptionValues.AtLeast(
            !AnalysisOptions.IsGiven(parse, Width) && modelKind != "fc" ? 32 : Value(Width, "width", preset == "early" ? 512 : 200), 1, "--width");
        if (modelKind is not ("fc" or "cnn" or "myrtle"))
        {
            throw new UsageException("--model", $"expected fc, cnn or myrtle, got '{modelKind}'.");
        }

        // The activation follows the model: Cohen et al.'s fc-tanh and cnn-relu, the authors' ReLU Myrtle.
        string activationDefault = modelKind == "fc" && preset != "early" ? "tanh" : "relu";
        var activation = ParseActivation(AnalysisOptions.IsGiven(parse, Activation) ? Get(parse, Activation)! : activationDefault);
        bool bias = !Value(NoBias, "no-bias", preset == "early");
        var parameterisation = ParseParameterisation(Get(parse, Param)!, "--param");
        var initialisation = ParseInitialisation(AnalysisOptions.IsGiven(parse, Init) ? Get(parse, Init)! : preset == "eos" ? "torch" : "normal");
        double? initScale = Get(parse, InitScale) is double v ? OptionValues.Positive(v, "--init-scale") : null;
        double outputMultiplier = OptionValues.Finite(Get(parse, OutputMultiplier), "--output-multiplier");
        if (outputMultiplier == 0)
        {
            throw new UsageException("--output-multiplier", "must be nonzero (a zero output has no gradient).");
        }

        double? outExp = Get(parse, OutExp) is double s ? OptionValues.Finite(s, "--out-exp") : null;
        var pooling = ParsePooling(Get(parse, Pooling) ?? "max");
        CheckModelOptions(parse, modelKind, parameterisation, initialisation, preset);
        var dtype = ParseDType(Get(parse, DType)!, "--dtype");
        ulong seed = Get(parse, Seed);
        string optimizer = Value(Optimizer, "optimizer", preset == "early" ? "sgd" : "gd").ToLowerInvariant();
        var optimizerKind = optimizer switch
        {
            "gd" => OptimizerKind.GradientDescent,
            "sgd" => OptimizerKind.StochasticGradientDescent,
            _ => throw new UsageException("--optimizer", $"expected gd or sgd, got '{optimizer}'."),
        };
        int batchSize = OptionValues.AtLeast(Value(BatchSize, "batch-size", 512), 1, "--batch-size");
        int physicalBatch = OptionValues.AtLeast(Get(parse, PhysicalBatch), 1, "--physical-batch");
        double momentum = Get(parse, Momentum);
        if (!(momentum >= 0 && momentum < 1))
        {
            throw new UsageException("--momentum", $"must lie in [0, 1) (got {OptionValues.Text(momentum)}).");
        }

        int warmup = OptionValues.AtLeast(Get(parse, Warmup), 0, "--warmup");
        var loss = ParseLoss(Value(Loss, "loss", preset == "early" ? "mse-mean" : "mse-sum"));
        double? lr = Value(Lr, "lr", preset == "eos" ? 2.0 / 30 : Get(parse, Lr));
        double? lrConstant = Value(LrConstant, "lr-constant", preset == "early" ? 2.0 : Get(parse, LrConstant));
        if (AnalysisOptions.IsGiven(parse, Lr) && AnalysisOptions.IsGiven(parse, LrConstant))
        {
            throw new UsageException("--lr", "give either --lr or --lr-constant, not both.");
        }

        if (AnalysisOptions.IsGiven(parse, Lr))
        {
            lrConstant = null;
        }
        else if (AnalysisOptions.IsGiven(parse, LrConstant))
        {
            lr = null;
        }

        LearningRateSpec rate = lrConstant is double c
            ? LearningRateSpec.RelativeToInitialSharpness(OptionValues.Positive(c, "--lr-constant"))
            : LearningRateSpec.Absolute(OptionValues.Positive(lr ?? 0.01, "--lr"));
        int steps = OptionValues.AtLeast(Value(Steps, "steps", preset == "early" ? 10 : 10_000), 0, "--steps");
        double? accuracyGoal = Value(AccuracyGoal, "accuracy-goal", preset == "eos" ? 0.99 : Get(parse, AccuracyGoal));
        double? lossGoal = Get(parse, LossGoal);
        int sharpnessEvery = OptionValues.AtLeast(Value(SharpnessEvery, "sharpness-every", preset == "early" ? 1 : preset == "eos" ? 20 : 10), 0, "--sharpness-every");
        int topK = OptionValues.AtLeast(Get(parse, TopK), 1, "--top-k");
        int measureSize = OptionValues.AtLeast(Get(parse, MeasureSize), 1, "--measure-size");
        var hvpPrecision = ParseDType(Get(parse, HvpPrecision)!, "--hvp-precision");
        double tolerance = OptionValues.Positive(Get(parse, LanczosTolerance), "--lanczos-tolerance");
        int maxMatvecs = OptionValues.AtLeast(Get(parse, MaxMatvecs), 1, "--max-matvecs");
        int threads = OptionValues.AtLeast(Get(parse, Threads), 1, "--threads");
        ResourceLimits.RequireThreads("--threads", threads);
        SelectBlas(Get(parse, Blas), threads);
        int[]? classes = ParseClasses(Get(parse, Classes));
        string standardise = (AnalysisOptions.IsGiven(parse, Standardise) ? Get(parse, Standardise)! : preset == "early" ? "per-example" : "per-feature").ToLowerInvariant();
        if (standardise is not ("per-feature" or "per-example" or "none"))
        {
            throw new UsageException("--standardise", $"expected per-feature, per-example or none, got '{standardise}'.");
        }

        string? dataDir = Get(parse, DataDir)?.FullName;
        if (dataset is not ("fashion-mnist" or "mnist" or "cifar10" or "synthetic"))
        {
            throw new UsageException("--dataset", $"expected fashion-mnist, mnist, cifar10 or synthetic, got '{dataset}'.");
        }

        if (dataset == "synthetic" && AnalysisOptions.IsGiven(parse, Standardise))
        {
            throw new UsageException("--standardise", "applies to image data sets; synthetic data is made standard normal.");
        }

        if (dataDir is null && dataset is "mnist" or "cifar10")
        {
            throw new UsageException("--data-dir", $"{dataset} needs --data-dir (the folder of its files).");
        }

        var settings = new NetSettings
        {
            Preset = preset,
            Dataset = dataset,
            DataDir = dataDir,
            TrainSize = trainSize,
            TestSize = testSize,
            Classes = classes,
            Standardisation = standardise,
            ModelKind = modelKind,
            Depth = depth,
            Width = width,
            Activation = activation,
            Bias = bias,
            Parameterisation = parameterisation,
            Initialisation = initialisation,
            InitScale = initScale,
            ZeroReadout = Get(parse, ZeroReadout),
            OutputMultiplier = outputMultiplier,
            OutputExponent = outExp,
            Pooling = pooling,
            DType = dtype,
            Seed = seed,
            OptimizerName = optimizer,
            LrConstant = lrConstant,
            TopK = topK,
            Trainer = new TrainerConfig
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
                Threads = threads,
                Tracking = sharpnessEvery == 0 && !rate.IsRelativeToInitialSharpness ? null : new SharpnessTrackerOptions
                {
                    // η = c/λ_H(0) needs one measurement at step 0; it is taken whatever --sharpness-every says.
                    Interval = sharpnessEvery == 0 ? int.MaxValue : sharpnessEvery,
                    Count = topK,
                    MeasurementExamples = measureSize,
                    Precision = hvpPrecision,
                    HvpBatchSize = physicalBatch,
                    MaxMatvecs = maxMatvecs,
                    ResidualTolerance = tolerance,
                    Seed = seed,
                },
            },
        };
        if (TorchScript.Resolve(parse) is { } torchScript)
        {
            settings = settings with
            {
                TorchScript = torchScript,
                ModelKind = "torchscript",
                Dataset = torchScript.DataFile is null ? dataset : Path.GetFileName(torchScript.DataFile),
                TestSize = torchScript.DataFile is not null && torchScript.TestDataFile is null ? 0 : testSize,
            };
        }

        settings.ValidateTrainer();
        if (parse.CommandResult.Command.Options.Contains(Width) && parse.CommandResult.Command.Options.Contains(Depth))
        {
            // Commands that set the width or depth per run (predict, early-phase) check each run's sizes themselves.
            settings.CheckLimits();
        }

        settings.CheckData();
        return settings;
    }

    /// <summary>
    /// Refuses the combinations of model options that have no meaning, each with one line naming the
    /// option as typed: fc-only options on a CNN, the CNN's pooling elsewhere, and the torch
    /// initialisation (PyTorch's default, fixed bounds, standard parameterisation) with another
    /// parameterisation or a variance.
    /// </summary>
    private void CheckModelOptions(ParseResult parse, string modelKind, NetworkParameterisation parameterisation, Initialisation initialisation, string? preset)
    {
        bool Given(Option option) => parse.CommandResult.Command.Options.Contains(option) && AnalysisOptions.IsGiven(parse, option);
        if (modelKind != "fc")
        {
            if (Given(Param) && parameterisation != NetworkParameterisation.Sp)
            {
                throw new UsageException("--param", $"{modelKind} networks are in the standard parameterisation (sp); the other parameterisations are defined for fc.");
            }

            foreach (var (option, name) in new (Option, string)[] { (ZeroReadout, "--zero-readout"), (OutputMultiplier, "--output-multiplier"), (OutExp, "--out-exp") })
            {
                if (Given(option))
                {
                    throw new UsageException(name, $"applies to fully connected networks (--model fc), not {modelKind}.");
                }
            }

            if (modelKind == "cnn" && Given(Depth))
            {
                throw new UsageException("--depth", "cnn has a fixed depth (two convolutions and a readout); --depth is for fc and myrtle.");
            }
        }

        if (modelKind != "cnn" && Given(Pooling))
        {
            throw new UsageException("--pooling", $"applies to --model cnn (fc has no pooling; myrtle uses average pooling).");
        }

        if (initialisation != Initialisation.Torch)
        {
            return;
        }

        string source = Given(Init) ? "--init torch" : $"the {preset} preset's torch initialisation";
        if (parameterisation is not (NetworkParameterisation.Sp or NetworkParameterisation.MuPOutput))
        {
            throw new UsageException(Given(Param) ? "--param" : "--init",
                $"{parameterisation.Name()} is not defined with {source} (PyTorch's default for the standard parameterisation): use sp or mup-out, or --init normal.");
        }

        if (Given(InitScale))
        {
            throw new UsageException("--init-scale", $"sets the variance of the normal initialisation; {source} has fixed bounds 1/sqrt(fan_in) (add --init normal).");
        }
    }

    // Before anything touches LibTorch: OpenBLAS must be in the process before its first matrix product.
    private static void SelectBlas(string? text, int threads)
    {
        if (!Nets.NativeBlas.TryParse(text, out var backend))
        {
            throw new UsageException("--blas", $"expected libtorch or openblas, got '{text}'.");
        }

        try
        {
            Nets.NativeBlas.Use(backend, threads);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException("--blas", e.Message);
        }
    }

    // An option the command leaves out (it sweeps that value) reads as its default.
    private static T Get<T>(ParseResult parse, Option<T> option) =>
        parse.CommandResult.Command.Options.Contains(option) ? parse.GetValue(option)!
        : option.HasDefaultValue ? (T)option.GetDefaultValue()! : default!;

    private static bool PresetSets(string preset, string name) => (preset, name) switch
    {
        ("eos", "dataset" or "train-size" or "model" or "depth" or "width" or "activation" or "loss" or "optimizer" or "lr" or "steps" or "accuracy-goal" or "sharpness-every") => true,
        ("early", "model" or "depth" or "width" or "activation" or "no-bias" or "loss" or "optimizer" or "batch-size" or "lr-constant" or "steps" or "sharpness-every" or "param") => true,
        _ => false,
    };

    public static int[]? ParseClasses(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new UsageException("--classes", $"expected comma-separated class numbers, got '{text}'.");
        }
    }

    public static Activation ParseActivation(string text) => text.ToLowerInvariant() switch
    {
        "tanh" => Nets.Models.Activation.Tanh,
        "relu" => Nets.Models.Activation.Relu,
        "elu" => Nets.Models.Activation.Elu,
        "linear" => Nets.Models.Activation.Linear,
        _ => throw new UsageException("--activation", $"expected tanh, relu, elu or linear, got '{text}'."),
    };

    public static NetworkParameterisation ParseParameterisation(string text, string option)
    {
        if (NetworkParameterisationNames.TryParse(text, out var parameterisation))
        {
            return parameterisation;
        }

        throw new UsageException(option, string.Equals(text, "mup", StringComparison.OrdinalIgnoreCase)
            ? "mup is ambiguous: give mup-abc (Yang & Hu's abc form, the toolkit's earlier mup) or mup-out (Kalra & Barkeshli's fcn_mup, output divided by width^s)."
            : $"expected {string.Join(", ", NetworkParameterisationNames.All)}, got '{text}'.");
    }

    public static Initialisation ParseInitialisation(string text) => text.ToLowerInvariant() switch
    {
        "normal" => Nets.Models.Initialisation.Normal,
        "torch" => Nets.Models.Initialisation.Torch,
        _ => throw new UsageException("--init", $"expected normal or torch, got '{text}'."),
    };

    public static Pooling ParsePooling(string text) => text.ToLowerInvariant() switch
    {
        "max" => Nets.Models.Pooling.Max,
        "avg" or "average" => Nets.Models.Pooling.Average,
        _ => throw new UsageException("--pooling", $"expected max or avg, got '{text}'."),
    };

    public static LossFunction ParseLoss(string text) => text.ToLowerInvariant() switch
    {
        "mse-sum" => LossFunction.HalfSquaredError,
        "mse-mean" => LossFunction.HalfMeanSquaredError,
        "ce" or "cross-entropy" => LossFunction.CrossEntropy,
        _ => throw new UsageException("--loss", $"expected mse-sum, mse-mean or ce, got '{text}'."),
    };

    public static ScalarType ParseDType(string text, string option) => text.ToLowerInvariant() switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        _ => throw new UsageException(option, $"expected float32 or float64, got '{text}'."),
    };

    /// <summary>Parses a comma-separated list of positive finite numbers given to <paramref name="option"/>.</summary>
    public static double[] ParsePositiveList(string text, string option)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new UsageException(option, "expected a comma-separated list of positive numbers, got nothing.");
        }

        return parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                ? OptionValues.Positive(x, option)
                : throw new UsageException(option, $"expected a comma-separated list of positive numbers, got '{p}'."))
            .ToArray();
    }

    /// <summary>Parses a comma-separated list of integers at least <paramref name="minimum"/> given to <paramref name="option"/>.</summary>
    public static int[] ParseIntList(string text, int minimum, string option)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new UsageException(option, "expected a comma-separated list of integers, got nothing.");
        }

        return parts.Select(p => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x)
                ? OptionValues.AtLeast(x, minimum, option)
                : throw new UsageException(option, $"expected a comma-separated list of integers, got '{p}'."))
            .ToArray();
    }
}

/// <summary>Resolved settings of a real-network run: data, model and training (<see cref="NetOptions.Resolve"/>).</summary>
internal sealed record NetSettings
{
    public required string? Preset { get; init; }

    public required string Dataset { get; init; }

    public required string? DataDir { get; init; }

    public required int TrainSize { get; init; }

    public required int TestSize { get; init; }

    public required int[]? Classes { get; init; }

    /// <summary>per-feature, per-example or none.</summary>
    public required string Standardisation { get; init; }

    public required string ModelKind { get; init; }

    public required int Depth { get; init; }

    public required int Width { get; init; }

    public required Activation Activation { get; init; }

    public required bool Bias { get; init; }

    public required NetworkParameterisation Parameterisation { get; init; }

    public required Initialisation Initialisation { get; init; }

    /// <summary>The output exponent s (output divided by width^s), or null for the parameterisation's default.</summary>
    public required double? OutputExponent { get; init; }

    public required Pooling Pooling { get; init; }

    public required double? InitScale { get; init; }

    public required bool ZeroReadout { get; init; }

    public required double OutputMultiplier { get; init; }

    public required ScalarType DType { get; init; }

    public required ulong Seed { get; init; }

    public required string OptimizerName { get; init; }

    /// <summary>The constant c of η = c/λ_H(0), or null for an absolute η.</summary>
    public required double? LrConstant { get; init; }

    public required int TopK { get; init; }

    public required TrainerConfig Trainer { get; init; }

    private static readonly Dictionary<string, string> TrainerOptionNames = new(StringComparer.Ordinal)
    {
        ["TrainAccuracyGoal"] = "--accuracy-goal",
        ["LossGoal"] = "--loss-goal",
        ["MaxSteps"] = "--steps",
        ["PhysicalBatchSize"] = "--physical-batch",
        ["WarmupSteps"] = "--warmup",
    };

    private static readonly Dictionary<string, string> ModelOptionNames = new(StringComparer.Ordinal)
    {
        ["Parameterisation"] = "--param",
        ["Initialisation"] = "--init",
        ["HiddenWeightVariance"] = "--init-scale",
        ["OutputExponent"] = "--out-exp",
        ["OutputMultiplier"] = "--output-multiplier",
        ["Channels"] = "--width",
        ["Width"] = "--width",
        ["Depth"] = "--depth",
        ["InputDimension"] = "--dataset",
        ["OutputDimension"] = "--dataset",
        ["Input"] = "--dataset",
    };

    /// <summary>The user's TorchScript module (and data files), or null for a built-in model.</summary>
    public TorchScriptSource? TorchScript { get; init; }

    /// <summary>Checks the trainer settings, mapping a bad property to its option.</summary>
    public void ValidateTrainer()
    {
        try
        {
            Trainer.Validate();
        }
        catch (ArgumentException e)
        {
            throw UsageException.FromArgument(e, options: TrainerOptionNames);
        }
    }

    /// <summary>
    /// Refuses, before any data is loaded or model built, what the machine cannot give: more
    /// eigenvalues than parameters, a model whose
    /// training and Lanczos basis exceed the memory budget (<see cref="NetworkSize"/>), a step budget
    /// of more than <see cref="ResourceLimits.MaxOperations"/> multiply-adds, and, in float32, a
    /// learning rate, init scale or output multiplier that float32 cannot hold.
    /// </summary>
    /// <param name="widthOption">The option that sets the width, as the command names it.</param>
    /// <param name="depthOption">The option that sets the depth, as the command names it.</param>
    /// <param name="initScaleOption">The option that sets the initial weights' variance, as the command names it.</param>
    public void CheckLimits(string widthOption = "--width", string depthOption = "--depth", string initScaleOption = "--init-scale")
    {
        CheckFloat32(initScaleOption);

        // One record (loss, accuracy, rate, measurement) per step is kept for metrics.csv: about 128 bytes each.
        ResourceLimits.RequireMemory("--steps", $"{Trainer.MaxSteps:N0} steps", 128.0 * (Trainer.MaxSteps + 1.0), "the run's per-step records");
        if (TorchScript is not null)
        {
            return; // the module's size is known once it is loaded, and its data files are checked as they are read
        }

        var (features, outputs, image) = DataShape();
        if (ModelKind != "fc" && image is null)
        {
            return; // BuildModel says that this model needs image data
        }

        if (DType == ScalarType.Float32 && InitScale is double variance)
        {
            ResourceLimits.RequireNonzeroFloat32(initScaleOption, variance, Math.Sqrt(variance / Math.Max(features, 9.0 * Width)), "the initial weights' standard deviation sqrt(sigma_w^2/fan_in)");
        }

        double parameters = ModelKind switch
        {
            "fc" => NetworkSize.FullyConnected(features, outputs, Depth, Width, Bias),
            "cnn" => NetworkSize.SmallConvolutional(image!.Value, Width, outputs, Bias),
            _ => NetworkSize.Myrtle(image!.Value, Width, Depth - 1, outputs, Bias),
        };
        string size = $"depth {Depth:N0} and width {Width:N0} ({ModelKind}, {ResourceLimits.Count(parameters)} parameters)";
        if (Trainer.Tracking is not null)
        {
            ResourceLimits.RequireAtMost("--top-k", TopK, parameters, $"the number of parameters at {size}");
        }

        double activations = ModelKind == "fc" ? (double)Width * Math.Max(Depth - 1, 1) : (double)Width * image!.Value.Height * image.Value.Width * Math.Max(Depth, 2);
        double bytes = NetworkSize.TrainingBytes(parameters, (double)TrainSize + TestSize, features, activations, Trainer.PhysicalBatchSize, DType == ScalarType.Float64 ? 8 : 4)
            + (Trainer.Tracking is null ? 0 : NetworkSize.LanczosBytes(parameters, TopK));
        double dataBytes = ((double)TrainSize + TestSize) * features * (DType == ScalarType.Float64 ? 8 : 4);
        if (dataBytes > bytes / 2)
        {
            // The examples, not the model, take most of it: name the size that sets them.
            string sizeOption = TestSize > TrainSize ? "--test-size" : "--train-size";
            ResourceLimits.RequireMemory(sizeOption, $"{(double)TrainSize + TestSize:N0} examples of {features:N0} features at {size}", bytes, "holding the data, training the network and measuring its sharpness");
        }

        ResourceLimits.RequireMemory(Depth > Width ? depthOption : widthOption, size, bytes, "training the network and measuring its sharpness");
        double batch = Trainer.Optimizer == OptimizerKind.StochasticGradientDescent ? Trainer.BatchSize : TrainSize;
        ResourceLimits.RequireOperations("--steps", $"{Trainer.MaxSteps:N0} steps at {size}", 6.0 * Trainer.MaxSteps * parameters * Math.Max(batch, 1), "multiply-adds");
    }

    private void CheckFloat32(string initScaleOption)
    {
        if (DType == ScalarType.Float32)
        {
            if (!Trainer.LearningRate.IsRelativeToInitialSharpness)
            {
                ResourceLimits.RequireFloat32("--lr", Trainer.LearningRate.Value);
            }

            ResourceLimits.RequireFloat32(initScaleOption, InitScale ?? 1);
            ResourceLimits.RequireFloat32("--output-multiplier", OutputMultiplier);
        }
    }

    /// <summary>
    /// In float32, refuses values of a list option (learning rates, init scales) that float32
    /// cannot hold, as <see cref="CheckLimits"/> does for the single options.
    /// </summary>
    /// <param name="option">The list option, as typed.</param>
    /// <param name="values">Its values.</param>
    public void RequireFloat32(string option, IEnumerable<double> values)
    {
        if (DType == ScalarType.Float32)
        {
            foreach (double value in values)
            {
                ResourceLimits.RequireFloat32(option, value);
            }
        }
    }

    /// <summary>Checks the dataset's files (headers only, <see cref="ImageDatasets.CheckFiles"/>) before anything runs; a bad file is a <see cref="UsageException"/> naming --data-dir.</summary>
    public void CheckData()
    {
        if (Dataset == "synthetic" || TorchScript?.DataFile is not null)
        {
            return;
        }

        CheckDataFiles(Dataset, DataDir);
    }

    /// <summary>Checks the files of a dataset folder (see <see cref="CheckData"/>).</summary>
    /// <param name="dataset">fashion-mnist, mnist or cifar10.</param>
    /// <param name="dataDir">The folder, or null for Fashion-MNIST's default.</param>
    public static void CheckDataFiles(string dataset, string? dataDir)
    {
        try
        {
            ImageDatasets.CheckFiles(new ImageDatasetOptions { Kind = dataset switch { "mnist" => ImageDatasetKind.Mnist, "cifar10" => ImageDatasetKind.Cifar10, _ => ImageDatasetKind.FashionMnist }, Directory = dataDir });
        }
        catch (DatasetException e)
        {
            string hint = dataset == "fashion-mnist" && dataDir is null ? " (install it with: apt-get install dataset-fashion-mnist, or give --data-dir)" : string.Empty;
            throw new UsageException("--data-dir", e.Message + hint);
        }
    }

    /// <summary>Input features, outputs and image shape (null for synthetic vectors) of the dataset, known without loading it.</summary>
    public (int Features, int Outputs, ImageShape? Image) DataShape()
    {
        int classes = Classes?.Length ?? MnistFormat.ClassCount;
        return Dataset switch
        {
            "synthetic" => (SyntheticFeatures, SyntheticOutputs, null),
            "cifar10" => (ImageShape.Cifar10.FeatureCount, classes, ImageShape.Cifar10),
            _ => (ImageShape.Mnist.FeatureCount, classes, ImageShape.Mnist),
        };
    }

    private const int SyntheticFeatures = 20;

    private const int SyntheticOutputs = 3;

    /// <summary>Loads the training and test data (float type <see cref="DType"/>); a bad file is a <see cref="UsageException"/>.</summary>
    public DatasetSplits LoadData()
    {
        if (TorchScript?.DataFile is not null)
        {
            return TorchScript.LoadData(this);
        }

        // Every model takes flattened inputs [N, C*H*W] (the CNNs reshape them), which is what the
        // Hessian-vector-product operator expects.
        try
        {
            if (Dataset == "synthetic")
            {
                return SyntheticDatasets.Create(new SyntheticDataOptions
                {
                    TrainCount = TrainSize,
                    TestCount = Math.Max(TestSize, 1),
                    InputDimension = SyntheticFeatures,
                    OutputDimension = SyntheticOutputs,
                    Classification = true,
                    Seed = Seed,
                    DType = DType,
                });
            }

            var kind = Dataset switch
            {
                "fashion-mnist" => ImageDatasetKind.FashionMnist,
                "mnist" => ImageDatasetKind.Mnist,
                _ => ImageDatasetKind.Cifar10,
            };
            return ImageDatasets.Load(new ImageDatasetOptions
            {
                Kind = kind,
                Directory = DataDir,
                TrainCount = TrainSize,
                TestCount = Math.Max(TestSize, 1),
                Classes = Classes,
                Standardise = Standardisation != "none",
                Standardisation = Standardisation == "per-example" ? StandardisationKind.PerExample : StandardisationKind.PerFeature,
                Layout = InputLayout.Flat,
                DType = DType,
            });
        }
        catch (DatasetException e)
        {
            string hint = Dataset == "fashion-mnist" && DataDir is null ? " (install it with: apt-get install dataset-fashion-mnist, or give --data-dir)" : string.Empty;
            throw new UsageException("--data-dir", e.Message + hint);
        }
        catch (ArgumentException e)
        {
            throw UsageException.FromArgument(e, e.ParamName is "Classes" ? "--classes" : "--dataset");
        }
    }

    /// <summary>
    /// The data preprocessing of the run, for model.json: enough to prepare the same inputs and
    /// targets in another framework.
    /// </summary>
    public JsonObject DataDescription(DatasetSplits splits)
    {
        var loss = Trainer.Loss;
        var data = new JsonObject
        {
            ["dataset"] = Dataset,
            ["train_count"] = splits.Train.Count,
            ["test_count"] = TestSize > 0 ? splits.Test.Count : 0,
            ["dtype"] = DType.ToString().ToLowerInvariant(),
            ["targets"] = loss == LossFunction.CrossEntropy ? "class index (int64)" : "one-hot rows of the class index",
        };
        if (Dataset == "synthetic")
        {
            data["description"] = "SyntheticDatasets.Create: inputs N(0, 1) of dimension 20, a random tanh teacher with 3 outputs, label = largest teacher output (classification); not reproducible outside the toolkit without its generator";
            data["seed"] = Seed;
            data["input_dimension"] = 20;
            data["classes"] = 3;
            return data;
        }

        data["directory"] = DataDir ?? Nets.Data.MnistFormat.DefaultFashionMnistDirectory;
        data["files"] = Dataset == "cifar10" ? "data_batch_1.bin ... data_batch_5.bin, test_batch.bin" : "train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)";
        data["classes"] = Classes is null ? null : new JsonArray(Classes.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        data["selection"] = "the examples of the listed classes (all when null) in file order, relabelled by their position in the list; then the first train_count training and test_count test examples";
        data["scale"] = 1.0 / 255;
        data["standardisation"] = Standardisation;
        data["statistics"] = Standardisation == "per-feature" ? "training-split" : null;
        data["standardisation_rule"] = Standardisation switch
        {
            "per-feature" => "x = (p - mu) / sd per feature (pixel and channel), with mu and the population sd (divided by the count) of the raw pixel values p over the whole training split of the selected classes, before taking the first train_count; a feature with sd = 0 is only centred, x = (p - mu)/255; the test split uses the training statistics",
            "per-example" => "x = (p - mu_i) / sd_i with mu_i and the population sd_i of example i's own raw pixel values p over all its features; a constant example becomes zeros",
            _ => "x = p / 255",
        };
        data["layout"] = "flat rows of C*H*W values in (channel, row, column) order";
        return data;
    }

    /// <summary>Builds the network for <paramref name="train"/>'s input and output sizes.</summary>
    public NetworkModule BuildModel(Dataset train)
    {
        if (TorchScript is not null)
        {
            return TorchScript.BuildModel(this, train);
        }

        try
        {
            return ModelKind switch
            {
                "fc" => new FullyConnectedNetwork(new FullyConnectedConfig
                {
                    InputDimension = train.FeatureCount,
                    OutputDimension = train.OutputCount,
                    Depth = Depth,
                    Width = Width,
                    Activation = Activation,
                    Bias = Bias,
                    Parameterisation = Parameterisation,
                    Initialisation = Initialisation,
                    HiddenWeightVariance = InitScale,
                    ZeroReadout = ZeroReadout,
                    OutputMultiplier = OutputMultiplier,
                    OutputExponent = OutputExponent,
                    Seed = Seed,
                    DType = DType,
                }),
                "cnn" => new SmallConvolutionalNetwork(new SmallConvolutionalConfig
                {
                    Input = train.ImageShape ?? throw new UsageException("--model", "cnn needs image data (not synthetic vectors)."),
                    OutputDimension = train.OutputCount,
                    Channels = Width,
                    Activation = Activation,
                    Pooling = Pooling,
                    Bias = Bias,
                    Initialisation = Initialisation,
                    HiddenWeightVariance = InitScale,
                    Seed = Seed,
                    DType = DType,
                }),
                _ => new MyrtleNetwork(new MyrtleConfig
                {
                    Input = train.ImageShape ?? throw new UsageException("--model", "myrtle needs image data (not synthetic vectors)."),
                    OutputDimension = train.OutputCount,
                    Depth = Depth,
                    Channels = Width,
                    Activation = Activation,
                    Bias = Bias,
                    Initialisation = Initialisation,
                    HiddenWeightVariance = InitScale,
                    Seed = Seed,
                    DType = DType,
                }),
            };
        }
        catch (ArgumentException e)
        {
            throw UsageException.FromArgument(e, options: ModelOptionNames, fallback: "--model");
        }
    }

    /// <summary>The training and test example sets for the run's loss.</summary>
    public (ExampleSet Train, ExampleSet? Test) ExampleSets(DatasetSplits splits)
    {
        var loss = Trainer.Loss;
        var train = new ExampleSet(splits.Train.Inputs, splits.Train.TargetsFor(loss));
        ExampleSet? test = TestSize > 0 && splits.Test.Count > 0 ? new ExampleSet(splits.Test.Inputs, splits.Test.TargetsFor(loss)) : null;
        return (train, test);
    }

    /// <summary>The settings as the manifest's configuration (snake_case keys, one per option).</summary>
    /// <param name="splits">The loaded data (for the actual example counts).</param>
    /// <param name="learningRate">The resolved η (after c/λ_H(0)), or null before it is known.</param>
    public JsonObject Configuration(DatasetSplits splits, double? learningRate)
    {
        var tracking = Trainer.Tracking;
        var configuration = new JsonObject
        {
            ["preset"] = Preset,
            ["dataset"] = Dataset,
            ["data_dir"] = DataDir,
            ["train_size"] = splits.Train.Count,
            ["test_size"] = TestSize > 0 ? splits.Test.Count : 0,
            ["classes"] = Classes is null ? null : string.Join(',', Classes.Select(c => c.ToString(CultureInfo.InvariantCulture))),
            ["standardise"] = Dataset == "synthetic" ? null : Standardisation,
            ["model"] = ModelKind,
            ["depth"] = ModelKind == "cnn" ? null : Depth,
            ["width"] = Width,
            ["activation"] = Activation.ToString().ToLowerInvariant(),
            ["bias"] = Bias,
            ["param"] = ModelKind == "fc" ? Parameterisation.Name() : null,
            ["init"] = Initialisation == Initialisation.Torch ? "torch" : "normal",
            ["init_scale"] = JsonOutput.Number(InitScale),
            ["zero_readout"] = ModelKind == "fc" ? ZeroReadout : null,
            ["output_multiplier"] = ModelKind == "fc" ? OutputMultiplier : null,
            ["out_exp"] = ModelKind == "fc" ? JsonOutput.Number(OutputExponent ?? (Parameterisation == NetworkParameterisation.MuPOutput ? 0.5 : 0.0)) : null,
            ["pooling"] = ModelKind == "cnn" ? (Pooling == Pooling.Max ? "max" : "avg") : null,
            ["dtype"] = DType.ToString().ToLowerInvariant(),
            ["seed"] = Seed,
            ["optimizer"] = OptimizerName,
            ["batch_size"] = Trainer.BatchSize,
            ["physical_batch"] = Trainer.PhysicalBatchSize,
            ["momentum"] = Trainer.Momentum,
            ["warmup"] = Trainer.WarmupSteps,
            ["loss"] = Trainer.Loss.Name,
            ["loss_convention"] = Trainer.Loss.Convention,
            ["lr"] = JsonOutput.Number(learningRate),
            ["lr_constant"] = JsonOutput.Number(LrConstant),
            ["steps"] = Trainer.MaxSteps,
            ["accuracy_goal"] = JsonOutput.Number(Trainer.TrainAccuracyGoal),
            ["loss_goal"] = JsonOutput.Number(Trainer.LossGoal),
            ["sharpness_every"] = tracking is null || tracking.Interval == int.MaxValue ? 0 : tracking.Interval,
            ["top_k"] = TopK,
            ["measure_size"] = tracking?.MeasurementExamples ?? SharpnessTrackerOptions.DefaultMeasurementExamples,
            ["hvp_precision"] = (tracking?.Precision ?? ScalarType.Float64).ToString().ToLowerInvariant(),
            ["lanczos_tolerance"] = tracking?.ResidualTolerance ?? 1e-5,
            ["max_matvecs"] = tracking?.MaxMatvecs ?? 500,
            ["threads"] = Trainer.Threads,
            ["mkl_cbwr"] = Nets.NumericalReproducibility.Setting,
            ["blas"] = Nets.NativeBlas.Name(Nets.NativeBlas.Backend),
            ["blas_library"] = Nets.NativeBlas.Describe(),
            ["blas_check"] = Nets.NativeBlas.Check,
            ["sharpness"] = "top eigenvalue of the Hessian of the training loss on the measurement set (Lanczos on exact Hessian-vector products, warm-started)",
        };
        TorchScript?.Describe(configuration);
        return configuration;
    }
}
