using System.Globalization;
using System.Text.Json;
using Sharpness.Web.Api;

namespace Sharpness.Web.Training;

/// <summary>
/// A training run asked for by the page's form (POST /api/jobs), validated. The names and defaults
/// are those of <c>sharpness net train</c> (README), so <see cref="CommandLine"/> repeats the run from
/// a terminal. <c>kind: "eos"</c> fills in the defaults of <c>--preset eos</c> (Cohen et al.) and trains
/// each learning rate of <see cref="LearningRates"/> as its own run.
/// </summary>
public sealed record TrainingRequest
{
    /// <summary>train (one run) or eos (one run per learning rate).</summary>
    public string Kind { get; init; } = "train";

    /// <summary>Name of the run folder under <c>live/</c> in the runs folder; generated from the time when not given.</summary>
    public string? Name { get; init; }

    /// <summary>fashion-mnist or synthetic.</summary>
    public string Dataset { get; init; } = "fashion-mnist";

    /// <summary>First N training examples.</summary>
    public int TrainSize { get; init; } = 5000;

    /// <summary>First N test examples (0: none).</summary>
    public int TestSize { get; init; } = 1000;

    /// <summary>fc or cnn.</summary>
    public string Model { get; init; } = "fc";

    /// <summary>fc: linear layers including the readout.</summary>
    public int Depth { get; init; } = 3;

    /// <summary>fc: hidden width (default 200); cnn: channels (default 32).</summary>
    public int Width { get; init; } = 200;

    /// <summary>tanh, relu, elu or linear.</summary>
    public string Activation { get; init; } = "tanh";

    /// <summary>Whether layers have biases.</summary>
    public bool Bias { get; init; } = true;

    /// <summary>fc parameterisation: sp, ntp or mup.</summary>
    public string Param { get; init; } = "sp";

    /// <summary>Hidden-layer weight variance σ_w², or null for the default (2 for relu, 1 otherwise).</summary>
    public double? InitScale { get; init; }

    /// <summary>fc: readout initialised at zero.</summary>
    public bool ZeroReadout { get; init; }

    /// <summary>mse-sum, mse-mean or ce.</summary>
    public string Loss { get; init; } = "mse-sum";

    /// <summary>gd or sgd.</summary>
    public string Optimizer { get; init; } = "gd";

    /// <summary>SGD batch size.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Heavy-ball momentum β in [0, 1).</summary>
    public double Momentum { get; init; }

    /// <summary>Learning rate η (kind train), or null with <see cref="LrConstant"/>.</summary>
    public double? Lr { get; init; }

    /// <summary>η = c/λ_H(0) (kind train), or null.</summary>
    public double? LrConstant { get; init; }

    /// <summary>Learning rates of kind eos.</summary>
    public IReadOnlyList<double> LearningRates { get; init; } = [];

    /// <summary>Step budget.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Stop at this training accuracy, or null.</summary>
    public double? AccuracyGoal { get; init; }

    /// <summary>Stop below this training loss, or null.</summary>
    public double? LossGoal { get; init; }

    /// <summary>Measure the sharpness every k steps (0: never).</summary>
    public int SharpnessEvery { get; init; } = 10;

    /// <summary>Measurement set: the first N training examples.</summary>
    public int MeasureSize { get; init; } = 5000;

    /// <summary>float32 or float64 for training.</summary>
    public string DType { get; init; } = "float32";

    /// <summary>Seed of weights, sampler and eigen-solver.</summary>
    public ulong Seed { get; init; }

    /// <summary>LibTorch threads.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>The largest step budget the form accepts.</summary>
    public const int MaxSteps = 100_000;

    private static readonly string[] Fields =
    [
        "kind", "name", "dataset", "train_size", "test_size", "model", "depth", "width", "activation", "bias", "param",
        "init_scale", "zero_readout", "loss", "optimizer", "batch_size", "momentum", "lr", "lr_constant", "lrs", "steps",
        "accuracy_goal", "loss_goal", "sharpness_every", "measure_size", "dtype", "seed", "threads",
    ];

    /// <summary>
    /// Reads and validates a request body; every refusal is an HTTP 400 naming the field. Fields left
    /// out take the defaults of <c>net train</c>, or of <c>--preset eos</c> for kind eos.
    /// </summary>
    /// <param name="body">The JSON object.</param>
    public static TrainingRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("body: expected a JSON object of training settings.");
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!Fields.Contains(property.Name, StringComparer.Ordinal))
            {
                throw ApiException.BadRequest($"{QueryParameters.Short(property.Name)}: unknown field (the fields are: {string.Join(", ", Fields)}).");
            }
        }

        var f = new FieldReader(body);
        string kind = f.Choice("kind", "train", "train", "eos");
        bool eos = kind == "eos";
        var request = new TrainingRequest
        {
            Kind = kind,
            Name = f.OptionalText("name") is { } name ? ValidName(name) : null,
            Dataset = f.Choice("dataset", "fashion-mnist", "fashion-mnist", "synthetic"),
            TrainSize = f.Integer("train_size", 5000, 1, 60_000),
            TestSize = f.Integer("test_size", 1000, 0, 10_000),
            Model = f.Choice("model", "fc", "fc", "cnn"),
            Depth = f.Integer("depth", 3, 1, 12),
            Width = f.Integer("width", f.OptionalText("model") == "cnn" ? 32 : 200, 1, 4096),
            Activation = f.Choice("activation", "tanh", "tanh", "relu", "elu", "linear"),
            Bias = f.Boolean("bias", true),
            Param = f.Choice("param", "sp", "sp", "ntp", "mup"),
            InitScale = f.OptionalNumber("init_scale", double.Epsilon, 1e3),
            ZeroReadout = f.Boolean("zero_readout", false),
            Loss = f.Choice("loss", "mse-sum", "mse-sum", "mse-mean", "ce"),
            Optimizer = f.Choice("optimizer", "gd", "gd", "sgd"),
            BatchSize = f.Integer("batch_size", 512, 1, 60_000),
            Momentum = f.Number("momentum", 0, 0, 0.999),
            Lr = f.OptionalNumber("lr", double.Epsilon, 1e3),
            LrConstant = f.OptionalNumber("lr_constant", double.Epsilon, 1e3),
            LearningRates = f.NumberList("lrs", eos ? [2.0 / 30, 2.0 / 60] : [], double.Epsilon, 1e3, 8),
            Steps = f.Integer("steps", eos ? 10_000 : 1000, 0, MaxSteps),
            AccuracyGoal = f.OptionalNumber("accuracy_goal", double.Epsilon, 1) ?? (eos && !f.Has("accuracy_goal") ? 0.99 : null),
            LossGoal = f.OptionalNumber("loss_goal", 0, 1e6),
            SharpnessEvery = f.Integer("sharpness_every", eos ? 20 : 10, 0, MaxSteps),
            MeasureSize = f.Integer("measure_size", 5000, 1, 60_000),
            DType = f.Choice("dtype", "float32", "float32", "float64"),
            Seed = (ulong)f.Integer("seed", 0, 0, int.MaxValue),
            Threads = f.Integer("threads", 1, 1, Math.Max(1, Environment.ProcessorCount)),
        };

        if (request.Lr is not null && request.LrConstant is not null)
        {
            throw ApiException.BadRequest("lr: give either lr or lr_constant, not both.");
        }

        if (eos && (request.Lr is not null || request.LrConstant is not null))
        {
            throw ApiException.BadRequest("lr: kind eos takes its learning rates from lrs.");
        }

        if (eos && request.Optimizer != "gd")
        {
            throw ApiException.BadRequest("optimizer: kind eos studies full-batch gradient descent (gd).");
        }

        if (eos && request.SharpnessEvery == 0)
        {
            throw ApiException.BadRequest("sharpness_every: kind eos needs the sharpness; give a positive interval.");
        }

        if (eos && request.InitScale is not null)
        {
            throw ApiException.BadRequest("init_scale: kind eos uses PyTorch's default initialisation (fixed bounds 1/sqrt(fan_in)), which has no variance to set.");
        }

        if (eos && request.Param != "sp")
        {
            throw ApiException.BadRequest("param: kind eos uses PyTorch's default initialisation, defined for sp.");
        }

        if (!eos && f.Has("lrs"))
        {
            throw ApiException.BadRequest("lrs: only kind eos takes a list of learning rates; kind train takes lr or lr_constant.");
        }

        if (request.Model == "cnn" && request.Dataset == "synthetic")
        {
            throw ApiException.BadRequest("model: cnn needs image data (dataset fashion-mnist).");
        }

        return request;
    }

    /// <summary>The learning rates this request trains: one for kind train (η, or null for c/λ_H(0)), each of <see cref="LearningRates"/> for kind eos.</summary>
    public IReadOnlyList<double?> Runs => Kind == "eos" ? LearningRates.Select(v => (double?)v).ToList() : [LrConstant is null ? Lr ?? 0.01 : null];

    /// <summary>
    /// The arguments of <c>sharpness net train</c> that repeat the run at learning rate
    /// <paramref name="lr"/> (or at <see cref="LrConstant"/> when it is null), written to the manifest.
    /// </summary>
    /// <param name="lr">The run's η, or null for η = c/λ_H(0).</param>
    /// <param name="dataDirectory">The Fashion-MNIST folder, or null for the default one.</param>
    public IReadOnlyList<string> CommandLine(double? lr, string? dataDirectory)
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var args = new List<string> { "net", "train", "--dataset", Dataset };
        if (dataDirectory is not null && Dataset == "fashion-mnist")
        {
            args.AddRange(["--data-dir", dataDirectory]);
        }

        args.AddRange(["--train-size", TrainSize.ToString(CultureInfo.InvariantCulture), "--test-size", TestSize.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["--model", Model, "--depth", Depth.ToString(CultureInfo.InvariantCulture), "--width", Width.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["--activation", Activation, "--param", Param]);
        if (!Bias)
        {
            args.Add("--no-bias");
        }

        if (InitScale is double scale)
        {
            args.AddRange(["--init-scale", N(scale)]);
        }

        if (ZeroReadout)
        {
            args.Add("--zero-readout");
        }

        args.AddRange(["--loss", Loss, "--optimizer", Optimizer, "--batch-size", BatchSize.ToString(CultureInfo.InvariantCulture), "--momentum", N(Momentum)]);
        args.AddRange(lr is double eta ? ["--lr", N(eta)] : ["--lr-constant", N(LrConstant!.Value)]);
        args.AddRange(["--steps", Steps.ToString(CultureInfo.InvariantCulture)]);
        if (AccuracyGoal is double accuracy)
        {
            args.AddRange(["--accuracy-goal", N(accuracy)]);
        }

        if (LossGoal is double loss)
        {
            args.AddRange(["--loss-goal", N(loss)]);
        }

        args.AddRange(["--sharpness-every", SharpnessEvery.ToString(CultureInfo.InvariantCulture), "--measure-size", MeasureSize.ToString(CultureInfo.InvariantCulture)]);
        args.AddRange(["--dtype", DType, "--seed", Seed.ToString(CultureInfo.InvariantCulture), "--threads", Threads.ToString(CultureInfo.InvariantCulture)]);
        return args;
    }

    private static string ValidName(string name)
    {
        if (name.Length is 0 or > 64 || name.StartsWith('.') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw ApiException.BadRequest("name: expected 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'.");
        }

        return name;
    }

    private sealed class FieldReader(JsonElement body)
    {
        public bool Has(string name) => body.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

        public string? OptionalText(string name)
        {
            if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return v.ValueKind == JsonValueKind.String ? v.GetString() : throw ApiException.BadRequest($"{name}: expected text.");
        }

        public string Choice(string name, string fallback, params string[] choices)
        {
            string? text = OptionalText(name);
            if (text is null)
            {
                return fallback;
            }

            return choices.Contains(text, StringComparer.Ordinal) ? text : throw ApiException.BadRequest($"{name}: expected {string.Join(" or ", choices)}, got '{QueryParameters.Short(text)}'.");
        }

        public bool Boolean(string name, bool fallback)
        {
            if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return fallback;
            }

            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw ApiException.BadRequest($"{name}: expected true or false."),
            };
        }

        public double? OptionalNumber(string name, double min, double max)
        {
            if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return Number(name, v, min, max);
        }

        public double Number(string name, double fallback, double min, double max) => OptionalNumber(name, min, max) ?? fallback;

        public int Integer(string name, int fallback, int min, int max)
        {
            if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return fallback;
            }

            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long value))
            {
                throw ApiException.BadRequest($"{name}: expected an integer.");
            }

            return value < min || value > max
                ? throw ApiException.BadRequest($"{name}: must be an integer in [{min}, {max}], got {value}.")
                : (int)value;
        }

        public IReadOnlyList<double> NumberList(string name, IReadOnlyList<double> fallback, double min, double max, int maxCount)
        {
            if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            {
                return fallback;
            }

            if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() is 0 || v.GetArrayLength() > maxCount)
            {
                throw ApiException.BadRequest($"{name}: expected a list of 1 to {maxCount} numbers.");
            }

            return v.EnumerateArray().Select(e => Number(name, e, min, max)).ToList();
        }

        private static double Number(string name, JsonElement v, double min, double max)
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double value) || !double.IsFinite(value))
            {
                throw ApiException.BadRequest($"{name}: expected a finite number.");
            }

            return value < min || value > max
                ? throw ApiException.BadRequest($"{name}: must lie in [{QueryParameters.Format(min)}, {QueryParameters.Format(max)}], got {QueryParameters.Format(value)}.")
                : value;
        }
    }
}
