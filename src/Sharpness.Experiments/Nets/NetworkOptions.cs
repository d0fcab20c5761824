using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Runs.Limits;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// The options every real-network experiment shares (data, model, optimiser, loss, learning rate,
/// stop rules, sharpness measurement), as a user gives them: a null value was not given and takes
/// its default, or the value of <see cref="Preset"/> when the preset sets it. <see cref="Resolve"/>
/// checks every value and turns them into the <see cref="NetworkSettings"/> a run trains with.
/// </summary>
/// <remarks>
/// <para>The presets: <c>eos</c> (Cohen et al.: 5,000 images, fc tanh 200-200 with biases, PyTorch's
/// default initialisation, MSE summed over classes, full-batch GD with η = 2/30 until 99% training
/// accuracy or 10,000 steps, λ_H every 20 steps) and <c>early</c> (Kalra &amp; Barkeshli: fc ReLU of
/// depth 6 and width 512 without biases, MSE mean, SGD with batch 512, η = 2/λ_H(0), 10 steps, λ_H
/// every step, each image standardised by itself). Without a preset: fc tanh of depth 3 and width 200,
/// MSE summed, GD with η = 0.01 for 1,000 steps, λ_H every 10 steps.</para>
/// <para>Errors name the option as the command line spells it (<see cref="InvalidOptionException.Option"/>),
/// so a command reports it as typed and a web form can mark the field.</para>
/// </remarks>
public sealed record NetworkOptions
{
    /// <summary>Default number of training examples.</summary>
    public const int DefaultTrainSize = 5000;

    /// <summary>Default number of test examples.</summary>
    public const int DefaultTestSize = 1000;

    /// <summary>eos or early (see the remarks), or null for none.</summary>
    public string? Preset { get; init; }

    /// <summary>fashion-mnist (default), mnist, cifar10 or synthetic.</summary>
    public string? Dataset { get; init; }

    /// <summary>Folder of the dataset files; null: Fashion-MNIST's default folder (required for mnist and cifar10).</summary>
    public string? DataDir { get; init; }

    /// <summary>First N training examples (default 5,000).</summary>
    public int? TrainSize { get; init; }

    /// <summary>First N test examples (default 1,000; 0: no test set).</summary>
    public int? TestSize { get; init; }

    /// <summary>Comma-separated subset of classes, relabelled 0..k-1 in the given order; null: all.</summary>
    public string? Classes { get; init; }

    /// <summary>per-feature (default), per-example (the early preset's) or none.</summary>
    public string? Standardise { get; init; }

    /// <summary>fc (default), cnn or myrtle.</summary>
    public string? Model { get; init; }

    /// <summary>fc: linear layers including the readout (default 3; 6 with the early preset); myrtle: 5 (default), 7 or 10; not for cnn.</summary>
    public int? Depth { get; init; }

    /// <summary>fc: hidden width (default 200; 512 with the early preset); cnn and myrtle: channels (default 32).</summary>
    public int? Width { get; init; }

    /// <summary>tanh, relu, elu or linear; default tanh for fc (relu with the early preset), relu for cnn and myrtle.</summary>
    public string? Activation { get; init; }

    /// <summary>Layers without biases (default false; true with the early preset).</summary>
    public bool? NoBias { get; init; }

    /// <summary>fc parameterisation: sp (default), ntp, mup-abc, mup-out or small-readout.</summary>
    public string? Param { get; init; }

    /// <summary>normal (default) or torch (the eos preset's).</summary>
    public string? Init { get; init; }

    /// <summary>Hidden-layer weight variance σ_w² of the normal initialisation; null: 2 for relu, 1 otherwise.</summary>
    public double? InitScale { get; init; }

    /// <summary>fc: the readout starts at zero (default false).</summary>
    public bool? ZeroReadout { get; init; }

    /// <summary>fc: multiply the output by this (default 1).</summary>
    public double? OutputMultiplier { get; init; }

    /// <summary>fc: divide the output by width^s; null: 0.5 for mup-out, 0 otherwise.</summary>
    public double? OutExp { get; init; }

    /// <summary>cnn: max (default) or avg.</summary>
    public string? Pooling { get; init; }

    /// <summary>float32 (default) or float64.</summary>
    public string? DType { get; init; }

    /// <summary>Seed of the weights, the SGD sampler and the eigen-solver's first start vector (default 0).</summary>
    public ulong? Seed { get; init; }

    /// <summary>gd (default) or sgd (the early preset's).</summary>
    public string? Optimizer { get; init; }

    /// <summary>SGD batch size (default 512).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Examples per forward/backward pass (default 1,000).</summary>
    public int? PhysicalBatch { get; init; }

    /// <summary>Heavy-ball momentum β in [0, 1) (default 0).</summary>
    public double? Momentum { get; init; }

    /// <summary>Linear learning-rate warm-up steps (default 0).</summary>
    public int? Warmup { get; init; }

    /// <summary>mse-sum (default), mse-mean (the early preset's) or ce.</summary>
    public string? Loss { get; init; }

    /// <summary>Learning rate η (default 0.01; 2/30 with the eos preset). Excludes <see cref="LrConstant"/>.</summary>
    public double? Lr { get; init; }

    /// <summary>η = c/λ_H(0) (2 with the early preset). Excludes <see cref="Lr"/>.</summary>
    public double? LrConstant { get; init; }

    /// <summary>Step budget (default 1,000; 10,000 with the eos preset, 10 with the early one).</summary>
    public int? Steps { get; init; }

    /// <summary>Stop when the training accuracy reaches this (0.99 with the eos preset).</summary>
    public double? AccuracyGoal { get; init; }

    /// <summary>Stop when the training loss falls below this.</summary>
    public double? LossGoal { get; init; }

    /// <summary>Measure λ_H every k steps (default 10; 20 with the eos preset, 1 with the early one; 0: never).</summary>
    public int? SharpnessEvery { get; init; }

    /// <summary>Number of top Hessian eigenvalues measured (default 1).</summary>
    public int? TopK { get; init; }

    /// <summary>Measurement set: the first N training examples (default 5,000).</summary>
    public int? MeasureSize { get; init; }

    /// <summary>float64 (default) or float32 for Hessian-vector products.</summary>
    public string? HvpPrecision { get; init; }

    /// <summary>Relative residual at which Lanczos stops (default 1e-5).</summary>
    public double? LanczosTolerance { get; init; }

    /// <summary>Hessian-vector products per measurement, at most (default 500).</summary>
    public int? MaxMatvecs { get; init; }

    /// <summary>LibTorch intra-op threads (default 1: bit-identical runs).</summary>
    public int? Threads { get; init; }

    /// <summary>libtorch (default) or openblas for LibTorch's matrix products (a process-wide choice, made by <see cref="Resolve"/>).</summary>
    public string? Blas { get; init; }

    /// <summary>A user's TorchScript module to train instead of <see cref="Model"/>, or null.</summary>
    public TorchScriptSource? TorchScript { get; init; }

    /// <summary>
    /// Checks every value, fills in the defaults and the preset's values, selects the BLAS
    /// (<see cref="Sharpness.Nets.NativeBlas.Use"/>, before anything touches LibTorch) and checks the dataset's files.
    /// </summary>
    /// <param name="checkSize">
    /// Also refuse a model or step budget the machine cannot give (<see cref="NetworkSettings.CheckLimits"/>);
    /// experiments that set the width or depth per run check each run's sizes themselves.
    /// </param>
    /// <returns>The settings a run trains with.</returns>
    /// <exception cref="InvalidOptionException">A value is invalid, or the data cannot be read, naming its option.</exception>
    public NetworkSettings Resolve(bool checkSize = true)
    {
        string? preset = Preset;
        if (preset is not (null or "eos" or "early"))
        {
            throw new InvalidOptionException("--preset", $"expected eos or early, got '{preset}'.");
        }

        // A preset's value for an option not given (PresetSets), else the option's value or default.
        T Value<T>(T? given, string name, T presetValue, T fallback)
            where T : struct => given is null && preset is not null && PresetSets(preset, name) ? presetValue : given ?? fallback;
        string Text(string? given, string name, string presetValue, string fallback) =>
            given is null && preset is not null && PresetSets(preset, name) ? presetValue : given ?? fallback;

        string dataset = Text(Dataset, "dataset", "fashion-mnist", "fashion-mnist").ToLowerInvariant();
        int trainSize = OptionChecks.AtLeast(TrainSize ?? DefaultTrainSize, 1, "--train-size");
        int testSize = OptionChecks.AtLeast(TestSize ?? DefaultTestSize, 0, "--test-size");
        string modelKind = Text(Model, "model", "fc", "fc").ToLowerInvariant();
        // Myrtle's smallest depth is 5 (the fc default of 3 has no Myrtle network).
        int depth = OptionChecks.AtLeast(
            Depth is null && modelKind == "myrtle" ? 5 : Value(Depth, "depth", preset == "early" ? 6 : 3, 3), 1, "--depth");
        int width = OptionChecks.AtLeast(
            Width is null && modelKind != "fc" ? 32 : Value(Width, "width", preset == "early" ? 512 : 200, 200), 1, "--width");
        if (modelKind is not ("fc" or "cnn" or "myrtle"))
        {
            throw new InvalidOptionException("--model", $"expected fc, cnn or myrtle, got '{modelKind}'.");
        }

        // The activation follows the model: Cohen et al.'s fc-tanh and cnn-relu, the authors' ReLU Myrtle.
        string activationDefault = modelKind == "fc" && preset != "early" ? "tanh" : "relu";
        var activation = NetworkNames.ParseActivation(Activation ?? activationDefault);
        bool bias = !Value(NoBias, "no-bias", preset == "early", false);
        var parameterisation = NetworkNames.ParseParameterisation(Param ?? "sp", "--param");
        var initialisation = NetworkNames.ParseInitialisation(Init ?? (preset == "eos" ? "torch" : "normal"));
        double? initScale = InitScale is double v ? OptionChecks.Positive(v, "--init-scale") : null;
        double outputMultiplier = OptionChecks.Finite(OutputMultiplier ?? 1.0, "--output-multiplier");
        if (outputMultiplier == 0)
        {
            throw new InvalidOptionException("--output-multiplier", "must be nonzero (a zero output has no gradient).");
        }

        double? outExp = OutExp is double s ? OptionChecks.Finite(s, "--out-exp") : null;
        var pooling = NetworkNames.ParsePooling(Pooling ?? "max");
        CheckModelOptions(modelKind, parameterisation, initialisation, preset);
        var dtype = NetworkNames.ParseDType(DType ?? "float32", "--dtype");
        ulong seed = Seed ?? 0;
        string optimizer = Text(Optimizer, "optimizer", preset == "early" ? "sgd" : "gd", "gd").ToLowerInvariant();
        var optimizerKind = optimizer switch
        {
            "gd" => OptimizerKind.GradientDescent,
            "sgd" => OptimizerKind.StochasticGradientDescent,
            _ => throw new InvalidOptionException("--optimizer", $"expected gd or sgd, got '{optimizer}'."),
        };
        int batchSize = OptionChecks.AtLeast(BatchSize ?? 512, 1, "--batch-size");
        int physicalBatch = OptionChecks.AtLeast(PhysicalBatch ?? 1000, 1, "--physical-batch");
        double momentum = Momentum ?? 0.0;
        if (!(momentum >= 0 && momentum < 1))
        {
            throw new InvalidOptionException("--momentum", $"must lie in [0, 1) (got {OptionChecks.Text(momentum)}).");
        }

        int warmup = OptionChecks.AtLeast(Warmup ?? 0, 0, "--warmup");
        var loss = NetworkNames.ParseLoss(Text(Loss, "loss", preset == "early" ? "mse-mean" : "mse-sum", "mse-sum"));
        if (Lr is not null && LrConstant is not null)
        {
            throw new InvalidOptionException("--lr", "give either --lr or --lr-constant, not both.");
        }

        // A given learning rate wins over the preset's other kind of learning rate.
        double? lr = Lr ?? (LrConstant is null && preset == "eos" ? 2.0 / 30 : null);
        double? lrConstant = LrConstant ?? (Lr is null && preset == "early" ? 2.0 : null);
        LearningRateSpec rate = lrConstant is double c
            ? LearningRateSpec.RelativeToInitialSharpness(OptionChecks.Positive(c, "--lr-constant"))
            : LearningRateSpec.Absolute(OptionChecks.Positive(lr ?? 0.01, "--lr"));
        int steps = OptionChecks.AtLeast(Value(Steps, "steps", preset == "early" ? 10 : 10_000, 1000), 0, "--steps");
        double? accuracyGoal = AccuracyGoal ?? (preset == "eos" ? 0.99 : null);
        double? lossGoal = LossGoal;
        int sharpnessEvery = OptionChecks.AtLeast(Value(SharpnessEvery, "sharpness-every", preset == "early" ? 1 : 20, 10), 0, "--sharpness-every");
        int topK = OptionChecks.AtLeast(TopK ?? 1, 1, "--top-k");
        int measureSize = OptionChecks.AtLeast(MeasureSize ?? 5000, 1, "--measure-size");
        var hvpPrecision = NetworkNames.ParseDType(HvpPrecision ?? "float64", "--hvp-precision");
        double tolerance = OptionChecks.Positive(LanczosTolerance ?? 1e-5, "--lanczos-tolerance");
        int maxMatvecs = OptionChecks.AtLeast(MaxMatvecs ?? 500, 1, "--max-matvecs");
        int threads = OptionChecks.AtLeast(Threads ?? 1, 1, "--threads");
        Limit(() => ResourceLimits.RequireThreads("--threads", threads));
        SelectBlas(Blas ?? "libtorch", threads);
        int[]? classes = NetworkNames.ParseClasses(Classes);
        string standardise = (Standardise ?? (preset == "early" ? "per-example" : "per-feature")).ToLowerInvariant();
        if (standardise is not ("per-feature" or "per-example" or "none"))
        {
            throw new InvalidOptionException("--standardise", $"expected per-feature, per-example or none, got '{standardise}'.");
        }

        if (dataset is not ("fashion-mnist" or "mnist" or "cifar10" or "synthetic"))
        {
            throw new InvalidOptionException("--dataset", $"expected fashion-mnist, mnist, cifar10 or synthetic, got '{dataset}'.");
        }

        if (dataset == "synthetic" && Standardise is not null)
        {
            throw new InvalidOptionException("--standardise", "applies to image data sets; synthetic data is made standard normal.");
        }

        if (DataDir is null && dataset is "mnist" or "cifar10")
        {
            throw new InvalidOptionException("--data-dir", $"{dataset} needs --data-dir (the folder of its files).");
        }

        var settings = new NetworkSettings
        {
            Preset = preset,
            Dataset = dataset,
            DataDir = DataDir,
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
            ZeroReadout = ZeroReadout ?? false,
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
                    // η = c/λ_H(0) needs one measurement at step 0; it is taken whatever the interval says.
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
        if (TorchScript is { } torchScript)
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
        if (checkSize)
        {
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
    private void CheckModelOptions(string modelKind, NetworkParameterisation parameterisation, Initialisation initialisation, string? preset)
    {
        if (modelKind != "fc")
        {
            if (Param is not null && parameterisation != NetworkParameterisation.Sp)
            {
                throw new InvalidOptionException("--param", $"{modelKind} networks are in the standard parameterisation (sp); the other parameterisations are defined for fc.");
            }

            foreach (var (given, name) in new (bool, string)[] { (ZeroReadout is not null, "--zero-readout"), (OutputMultiplier is not null, "--output-multiplier"), (OutExp is not null, "--out-exp") })
            {
                if (given)
                {
                    throw new InvalidOptionException(name, $"applies to fully connected networks (--model fc), not {modelKind}.");
                }
            }

            if (modelKind == "cnn" && Depth is not null)
            {
                throw new InvalidOptionException("--depth", "cnn has a fixed depth (two convolutions and a readout); --depth is for fc and myrtle.");
            }
        }

        if (modelKind != "cnn" && Pooling is not null)
        {
            throw new InvalidOptionException("--pooling", $"applies to --model cnn (fc has no pooling; myrtle uses average pooling).");
        }

        if (initialisation != Initialisation.Torch)
        {
            return;
        }

        string source = Init is not null ? "--init torch" : $"the {preset} preset's torch initialisation";
        if (parameterisation is not (NetworkParameterisation.Sp or NetworkParameterisation.MuPOutput))
        {
            throw new InvalidOptionException(Param is not null ? "--param" : "--init",
                $"{parameterisation.Name()} is not defined with {source} (PyTorch's default for the standard parameterisation): use sp or mup-out, or --init normal.");
        }

        if (InitScale is not null)
        {
            throw new InvalidOptionException("--init-scale", $"sets the variance of the normal initialisation; {source} has fixed bounds 1/sqrt(fan_in) (add --init normal).");
        }
    }

    // Before anything touches LibTorch: OpenBLAS must be in the process before its first matrix product.
    private static void SelectBlas(string text, int threads)
    {
        if (!Sharpness.Nets.NativeBlas.TryParse(text, out var backend))
        {
            throw new InvalidOptionException("--blas", $"expected libtorch or openblas, got '{text}'.");
        }

        try
        {
            Sharpness.Nets.NativeBlas.Use(backend, threads);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOptionException("--blas", e.Message);
        }
    }

    private static void Limit(Action check)
    {
        try
        {
            check();
        }
        catch (LimitException e)
        {
            throw new InvalidOptionException(e.Option, e.Message);
        }
    }

    private static bool PresetSets(string preset, string name) => (preset, name) switch
    {
        ("eos", "dataset" or "train-size" or "model" or "depth" or "width" or "activation" or "loss" or "optimizer" or "lr" or "steps" or "accuracy-goal" or "sharpness-every") => true,
        ("early", "model" or "depth" or "width" or "activation" or "no-bias" or "loss" or "optimizer" or "batch-size" or "lr-constant" or "steps" or "sharpness-every" or "param") => true,
        _ => false,
    };
}
