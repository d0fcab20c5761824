using System.CommandLine;
using Sharpness.Experiments;
using Sharpness.Experiments.Nets;

namespace Sharpness.Cli.Commands;

/// <summary>
/// The options every <c>sharpness net</c> command shares (data, model, optimiser, loss, learning rate,
/// stop rules, sharpness measurement) and their presets, bound to <see cref="NetworkOptions"/> and resolved into <see cref="NetworkSettings"/>.
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
    /// typed; every value is checked (<see cref="NetworkOptions.Resolve"/>) and a bad one throws
    /// <see cref="InvalidOptionException"/> naming its option.
    /// </summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="preset">A preset forced by the command (e.g. eos for <c>net eos</c>); null: --preset.</param>
    public NetworkSettings Resolve(ParseResult parse, string? preset = null)
    {
        var command = parse.CommandResult.Command;
        // Commands that set the width or depth per run (predict, early-phase) check each run's sizes themselves.
        return Bind(parse, preset).Resolve(checkSize: command.Options.Contains(Width) && command.Options.Contains(Depth));
    }

    /// <summary>The options as typed (null: not typed, or not an option of this command).</summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="preset">A preset forced by the command; null: --preset.</param>
    public NetworkOptions Bind(ParseResult parse, string? preset = null)
    {
        T? S<T>(Option<T> option)
            where T : struct => Has(parse, option) ? AnalysisOptions.IfGiven(parse, option) : null;
        T? N<T>(Option<T?> option)
            where T : struct => Has(parse, option) && AnalysisOptions.IsGiven(parse, option) ? parse.GetValue(option) : null;
        string? Text(Option<string> option) => Has(parse, option) && AnalysisOptions.IsGiven(parse, option) ? parse.GetValue(option) : null;
        string? TextOrNull(Option<string?> option) => Has(parse, option) && AnalysisOptions.IsGiven(parse, option) ? parse.GetValue(option) : null;
        return new NetworkOptions
        {
            Preset = preset ?? (parse.GetResult(Preset) is null ? null : TextOrNull(Preset)?.ToLowerInvariant()),
            Dataset = Text(Dataset),
            DataDir = Has(parse, DataDir) ? parse.GetValue(DataDir)?.FullName : null,
            TrainSize = S(TrainSize),
            TestSize = S(TestSize),
            Classes = TextOrNull(Classes),
            Standardise = TextOrNull(Standardise),
            Model = Text(Model),
            Depth = S(Depth),
            Width = S(Width),
            Activation = TextOrNull(Activation),
            NoBias = S(NoBias),
            Param = Text(Param),
            Init = TextOrNull(Init),
            InitScale = N(InitScale),
            ZeroReadout = S(ZeroReadout),
            OutputMultiplier = S(OutputMultiplier),
            OutExp = N(OutExp),
            Pooling = TextOrNull(Pooling),
            DType = Text(DType),
            Seed = S(Seed),
            Optimizer = Text(Optimizer),
            BatchSize = S(BatchSize),
            PhysicalBatch = S(PhysicalBatch),
            Momentum = S(Momentum),
            Warmup = S(Warmup),
            Loss = Text(Loss),
            Lr = N(Lr),
            LrConstant = N(LrConstant),
            Steps = S(Steps),
            AccuracyGoal = N(AccuracyGoal),
            LossGoal = N(LossGoal),
            SharpnessEvery = S(SharpnessEvery),
            TopK = S(TopK),
            MeasureSize = S(MeasureSize),
            HvpPrecision = Text(HvpPrecision),
            LanczosTolerance = S(LanczosTolerance),
            MaxMatvecs = S(MaxMatvecs),
            Threads = S(Threads),
            Blas = Text(Blas),
            TorchScript = TorchScript.Resolve(parse),
        };
    }

    private static bool Has(ParseResult parse, Option option) => parse.CommandResult.Command.Options.Contains(option);
}
