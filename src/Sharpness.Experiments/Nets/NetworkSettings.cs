using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Nets;

/// <summary>Resolved settings of a real-network run: data, model and training (<see cref="NetworkOptions.Resolve"/>).</summary>
public sealed record NetworkSettings
{
    /// <summary>The preset that filled in the options not given (eos or early), or null.</summary>
    public required string? Preset { get; init; }

    /// <summary>fashion-mnist, mnist, cifar10 or synthetic (the data file's name for a TorchScript run on --data).</summary>
    public required string Dataset { get; init; }

    /// <summary>Folder of the dataset files, or null for Fashion-MNIST's default folder.</summary>
    public required string? DataDir { get; init; }

    /// <summary>Training examples: the first N of the split.</summary>
    public required int TrainSize { get; init; }

    /// <summary>Test examples: the first N of the split (0: no test set).</summary>
    public required int TestSize { get; init; }

    /// <summary>The subset of classes, relabelled 0..k-1 in this order, or null for all.</summary>
    public required int[]? Classes { get; init; }

    /// <summary>per-feature, per-example or none.</summary>
    public required string Standardisation { get; init; }

    /// <summary>fc, cnn, myrtle or torchscript.</summary>
    public required string ModelKind { get; init; }

    /// <summary>fc: linear layers including the readout; myrtle: 5, 7 or 10.</summary>
    public required int Depth { get; init; }

    /// <summary>fc: hidden width; cnn and myrtle: channels.</summary>
    public required int Width { get; init; }

    /// <summary>The hidden layers' nonlinearity.</summary>
    public required Activation Activation { get; init; }

    /// <summary>Whether the layers have biases.</summary>
    public required bool Bias { get; init; }

    /// <summary>The fc parameterisation (sp, ntp, mup-abc, mup-out, small-readout).</summary>
    public required NetworkParameterisation Parameterisation { get; init; }

    /// <summary>Normal (Kalra &amp; Barkeshli) or PyTorch's default (Cohen et al.).</summary>
    public required Initialisation Initialisation { get; init; }

    /// <summary>The output exponent s (output divided by width^s), or null for the parameterisation's default.</summary>
    public required double? OutputExponent { get; init; }

    /// <summary>The cnn's pooling.</summary>
    public required Pooling Pooling { get; init; }

    /// <summary>Hidden-layer weight variance σ_w² of the normal initialisation, or null for the activation's default.</summary>
    public required double? InitScale { get; init; }

    /// <summary>fc: the readout starts at zero.</summary>
    public required bool ZeroReadout { get; init; }

    /// <summary>fc: the output multiplier α.</summary>
    public required double OutputMultiplier { get; init; }

    /// <summary>Training's floating-point type.</summary>
    public required ScalarType DType { get; init; }

    /// <summary>Seed of the weights, the SGD sampler and the eigen-solver's first start vector.</summary>
    public required ulong Seed { get; init; }

    /// <summary>gd or sgd, as the manifest names it.</summary>
    public required string OptimizerName { get; init; }

    /// <summary>The constant c of η = c/λ_H(0), or null for an absolute η.</summary>
    public required double? LrConstant { get; init; }

    /// <summary>Number of top Hessian eigenvalues measured.</summary>
    public required int TopK { get; init; }

    /// <summary>The trainer's configuration (optimiser, learning rate, loss, stop rules, sharpness tracking).</summary>
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
            throw InvalidOptionException.FromArgument(e, options: TrainerOptionNames);
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

        // One record (loss, accuracy, rate, measurement) per step is kept for the result: about 128 bytes each.
        OptionChecks.Memory("--steps", $"{Trainer.MaxSteps:N0} steps", 128.0 * (Trainer.MaxSteps + 1.0), "the run's per-step records");
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
            // Weights that all round to zero give a network without gradient (and λ_H(0) = 0).
            OptionChecks.NonzeroFloat32(initScaleOption, variance, Math.Sqrt(variance) / Math.Sqrt(Math.Max(features, 9.0 * Width)), "the initial weights' standard deviation sqrt(sigma_w^2/fan_in)");
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
            OptionChecks.Count("--top-k", TopK, parameters, $"the number of parameters at {size}");
        }

        double activations = ModelKind == "fc" ? (double)Width * Math.Max(Depth - 1, 1) : (double)Width * image!.Value.Height * image.Value.Width * Math.Max(Depth, 2);
        double bytes = NetworkSize.TrainingBytes(parameters, (double)TrainSize + TestSize, features, activations, Trainer.PhysicalBatchSize, DType == ScalarType.Float64 ? 8 : 4)
            + (Trainer.Tracking is null ? 0 : NetworkSize.LanczosBytes(parameters, TopK));
        double dataBytes = ((double)TrainSize + TestSize) * features * (DType == ScalarType.Float64 ? 8 : 4);
        if (dataBytes > bytes / 2)
        {
            // The examples, not the model, take most of it: name the size that sets them.
            string sizeOption = TestSize > TrainSize ? "--test-size" : "--train-size";
            OptionChecks.Memory(sizeOption, $"{(double)TrainSize + TestSize:N0} examples of {features:N0} features at {size}", bytes, "holding the data, training the network and measuring its sharpness");
        }

        OptionChecks.Memory(Depth > Width ? depthOption : widthOption, size, bytes, "training the network and measuring its sharpness");
        double batch = Trainer.Optimizer == OptimizerKind.StochasticGradientDescent ? Trainer.BatchSize : TrainSize;
        OptionChecks.Operations("--steps", $"{Trainer.MaxSteps:N0} steps at {size}", 6.0 * Trainer.MaxSteps * parameters * Math.Max(batch, 1), "multiply-adds");
    }

    private void CheckFloat32(string initScaleOption)
    {
        if (DType == ScalarType.Float32)
        {
            if (!Trainer.LearningRate.IsRelativeToInitialSharpness)
            {
                OptionChecks.Float32("--lr", Trainer.LearningRate.Value);
            }

            OptionChecks.Float32(initScaleOption, InitScale ?? 1);
            OptionChecks.Float32("--output-multiplier", OutputMultiplier);
        }
    }

    /// <summary>LibTorch's own working memory a run is counted with besides its tensors: 200 MiB.</summary>
    public const double LibTorchWorkingBytes = 200.0 * (1 << 20);

    /// <summary>
    /// The estimated memory of one training run with these settings, in bytes, as the job count plans it
    /// (docs/performance.md, "Memory"): the data, the parameters with their gradients and optimizer state, the
    /// activations of one physical batch, a Lanczos basis when the sharpness is tracked, and
    /// <see cref="LibTorchWorkingBytes"/>. A TorchScript module, whose size is known only once it is loaded, is
    /// counted by its data alone besides the working memory. The free memory the C heap keeps for reuse is not
    /// included (<see cref="Jobs.JobPlan.WithNativeHeap"/> adds it).
    /// </summary>
    public double MemoryBytes()
    {
        var (features, outputs, image) = DataShape();
        double examples = (double)TrainSize + TestSize;
        double element = DType == ScalarType.Float64 ? 8 : 4;
        if (TorchScript is not null || (ModelKind != "fc" && image is null))
        {
            return (examples * features * (element + 8)) + LibTorchWorkingBytes;
        }

        double parameters = ModelKind switch
        {
            "fc" => NetworkSize.FullyConnected(features, outputs, Depth, Width, Bias),
            "cnn" => NetworkSize.SmallConvolutional(image!.Value, Width, outputs, Bias),
            _ => NetworkSize.Myrtle(image!.Value, Width, Depth - 1, outputs, Bias),
        };
        double activations = ModelKind == "fc" ? (double)Width * Math.Max(Depth - 1, 1) : (double)Width * image!.Value.Height * image.Value.Width * Math.Max(Depth, 2);
        return NetworkSize.TrainingBytes(parameters, examples, features, activations, Trainer.PhysicalBatchSize, element)
            + (Trainer.Tracking is null ? 0 : NetworkSize.LanczosBytes(parameters, TopK))
            + KeptGraphBytes(parameters, outputs)
            + LibTorchWorkingBytes;
    }

    // The gradient graphs a measurement keeps between its products (SharpnessTracker.RetainsGraphs: fully connected
    // networks within the budget; 101 MiB for the eos preset), held on top of training while it measures.
    private double KeptGraphBytes(double parameters, int outputs)
    {
        if (Trainer.Tracking is not { RetainGraphs: true } tracking || ModelKind != "fc")
        {
            return 0;
        }

        long examples = Math.Min(tracking.MeasurementExamples, TrainSize);
        double bytes = AutogradHessianOperator.EstimatedFullyConnectedGraphBytes(Depth, Width, outputs, parameters, examples, tracking.HvpBatchSize, tracking.Precision);
        return bytes <= AutogradHessianOperator.RetainedGraphBudgetBytes ? bytes : 0;
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
                OptionChecks.Float32(option, value);
            }
        }
    }

    /// <summary>Checks the dataset's files (headers only, <see cref="ImageDatasets.CheckFiles"/>) before anything runs; a bad file is a <see cref="InvalidOptionException"/> naming --data-dir.</summary>
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
            throw new InvalidOptionException("--data-dir", e.Message + hint);
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

    /// <summary>Loads the training and test data (float type <see cref="DType"/>); a bad file is a <see cref="InvalidOptionException"/>.</summary>
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
            throw new InvalidOptionException("--data-dir", e.Message + hint);
        }
        catch (ArgumentException e)
        {
            throw InvalidOptionException.FromArgument(e, e.ParamName is "Classes" ? "--classes" : "--dataset");
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

        data["directory"] = DataDir ?? MnistFormat.DefaultFashionMnistDirectory;
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
                    Input = train.ImageShape ?? throw new InvalidOptionException("--model", "cnn needs image data (not synthetic vectors)."),
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
                    Input = train.ImageShape ?? throw new InvalidOptionException("--model", "myrtle needs image data (not synthetic vectors)."),
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
            throw InvalidOptionException.FromArgument(e, options: ModelOptionNames, fallback: "--model");
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
            ["mkl_cbwr"] = Sharpness.Nets.NumericalReproducibility.Setting,
            ["blas"] = Sharpness.Nets.NativeBlas.Name(Sharpness.Nets.NativeBlas.Backend),
            ["blas_reason"] = Sharpness.Nets.NativeBlas.Reason,
            ["blas_library"] = Sharpness.Nets.NativeBlas.Describe(),
            ["blas_check"] = Sharpness.Nets.NativeBlas.Check,
            ["sharpness"] = "top eigenvalue of the Hessian of the training loss on the measurement set (Lanczos on exact Hessian-vector products, warm-started)",
        };
        TorchScript?.Describe(configuration);
        return configuration;
    }
}
