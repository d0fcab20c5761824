using System.Diagnostics;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Bench;

/// <summary>
/// Plain timing mode for one Hessian-vector product on a fully connected network, used by
/// bench/pytorch/hvp_side_by_side.py:
/// <code>
/// dotnet Sharpness.Bench.dll hvp [--dtype float64|float32] [--repeats 51] [--warmup 5] [--threads 1]
///     [--width 512] [--activation tanh] [--examples 1000] [--seed 1]
///     [--weights FILE] [--data FILE] [--vector FILE] [--output FILE]
/// </code>
/// Prints one JSON object with the median (and min, max) milliseconds per product of
/// <list type="bullet">
/// <item><c>api</c>: <see cref="AutogradHessianOperator.Apply"/>, the call the toolkit's eigen-solvers make —
/// it includes copying v from a double[] into LibTorch tensors and H v back into a double[];</item>
/// <item><c>raw</c>: the same double backward on tensors that stay in LibTorch (v built once, H v not
/// copied out), i.e. the pure TorchSharp cost.</item>
/// </list>
/// The two are timed alternately, one product each, after the warm-up. The loss is
/// <see cref="LossFunction.HalfSquaredError"/> (½ Σ_classes (f − y)², averaged over the examples) on one
/// batch of all examples. With <c>--output</c>, H v from the operator is written as raw float64.
/// Without <c>--weights</c>/<c>--data</c>/<c>--vector</c> the toolkit draws the weights from the seed,
/// Gaussian inputs with one-hot targets, and a random unit vector. See <see cref="HvpCommon"/> for the
/// file formats.
/// </summary>
internal static class HvpTiming
{
    public const string CommandName = "hvp";

    private const string Usage = "usage: hvp [--dtype float64|float32] [--repeats 51] [--warmup 5] [--threads 1] [--blas auto|libtorch|openblas] [--width 512] [--activation tanh] [--examples 1000] [--seed 1] [--weights FILE] [--data FILE] [--vector FILE] [--output FILE]";

    public static int Run(ReadOnlySpan<string> args)
    {
        Dictionary<string, string> o;
        ScalarType dtype;
        Activation activation;
        int repeats, warmup, threads, width, examples;
        Sharpness.Nets.BlasBackend? blas;
        ulong seed;
        try
        {
            o = HvpCommon.ParsePairs(args, "dtype", "repeats", "warmup", "threads", "blas", "width", "activation", "examples", "seed", "weights", "data", "vector", "output");
            dtype = HvpCommon.ParseDType(HvpCommon.Get(o, "dtype", "float64"));
            activation = HvpCommon.ParseActivation(HvpCommon.Get(o, "activation", "tanh"));
            repeats = HvpCommon.GetInt(o, "repeats", 51);
            warmup = HvpCommon.GetInt(o, "warmup", 5);
            threads = HvpCommon.GetInt(o, "threads", 1);
            if (!Sharpness.Nets.NativeBlas.TryParseChoice(HvpCommon.Get(o, "blas", "auto"), out blas))
            {
                throw new ArgumentException("--blas must be auto, libtorch or openblas.");
            }

            width = HvpCommon.GetInt(o, "width", 512);
            examples = HvpCommon.GetInt(o, "examples", 1000);
            seed = ulong.Parse(HvpCommon.Get(o, "seed", "1"), System.Globalization.CultureInfo.InvariantCulture);
            if (repeats < 1 || warmup < 0 || width < 1 || examples < 1)
            {
                throw new ArgumentException("--repeats and --width and --examples must be ≥ 1, --warmup ≥ 0.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"hvp: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        Sharpness.Nets.NativeBlas.Use(blas, threads, blas is { } forced ? "--blas " + Sharpness.Nets.NativeBlas.Name(forced) : null);
        HvpCommon.SetThreads(threads);
        using var scope = NewDisposeScope();
        using var model = HvpCommon.Network(width, activation, ScalarType.Float64, seed);
        if (o.TryGetValue("weights", out string? weightsFile))
        {
            ParameterVector.Unflatten(model, HvpCommon.ReadDoubles(weightsFile));
        }

        var (inputs, targets) = o.TryGetValue("data", out string? dataFile)
            ? HvpCommon.ReadData(dataFile)
            : HvpCommon.SyntheticData(examples, seed);
        int n = (int)inputs.shape[0];

        using var op = new AutogradHessianOperator(model, LossFunction.HalfSquaredError, inputs, targets, batchSize: n, precision: dtype);
        double[] v = o.TryGetValue("vector", out string? vectorFile)
            ? HvpCommon.ReadDoubles(vectorFile)
            : HvpCommon.RandomUnit(op.Size, seed, 2000);
        if (v.Length != op.Size)
        {
            Console.Error.WriteLine($"hvp: the vector has {v.Length} values, the network {op.Size} parameters.");
            return 2;
        }

        var hv = new double[op.Size];
        using var raw = new RawHvp(model, inputs, targets, v, dtype);

        for (int i = 0; i < warmup; i++)
        {
            op.Apply(v, hv);
            raw.Apply();
        }

        var apiMs = new double[repeats];
        var rawMs = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            op.Apply(v, hv);
            apiMs[r] = 1e3 * HvpCommon.Seconds(start);

            start = Stopwatch.GetTimestamp();
            raw.Apply();
            rawMs[r] = 1e3 * HvpCommon.Seconds(start);
        }

        double rawDifference = raw.MaxRelativeDifference(hv);
        if (o.TryGetValue("output", out string? outputFile))
        {
            HvpCommon.WriteDoubles(outputFile, hv);
        }

        HvpCommon.WriteJson(json =>
        {
            json.WriteString("dtype", HvpCommon.DTypeName(dtype));
            json.WriteNumber("threads", torch.get_num_threads());
            json.WriteString("blas", Sharpness.Nets.NativeBlas.Describe());
            json.WriteString("blas_reason", Sharpness.Nets.NativeBlas.Reason);
            json.WriteString("blas_check", Sharpness.Nets.NativeBlas.Check);
            json.WriteNumber("width", width);
            json.WriteNumber("examples", n);
            json.WriteNumber("parameters", op.Size);
            json.WriteNumber("repeats", repeats);
            json.WriteNumber("warmup", warmup);
            json.WriteNumber("api_ms_median", HvpCommon.Median(apiMs));
            json.WriteNumber("api_ms_min", apiMs.Min());
            json.WriteNumber("api_ms_max", apiMs.Max());
            json.WriteNumber("raw_ms_median", HvpCommon.Median(rawMs));
            json.WriteNumber("raw_ms_min", rawMs.Min());
            json.WriteNumber("raw_ms_max", rawMs.Max());
            json.WriteNumber("raw_vs_api_max_relative_difference", rawDifference);
            WriteArray(json, "api_ms", apiMs);
            WriteArray(json, "raw_ms", rawMs);
            json.WriteNumber("hv_norm", Math.Sqrt(HvpCommon.Dot(hv, hv)));
            json.WriteNumber("vhv", HvpCommon.Dot(v, hv));
            json.WriteNumber("loss", op.LossValue());
        });
        return 0;
    }

    private static void WriteArray(System.Text.Json.Utf8JsonWriter json, string name, double[] values)
    {
        json.WriteStartArray(name);
        foreach (double value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// The operator's computation with everything kept in LibTorch: the direction is built once as
    /// tensors and H v stays in tensors (only the last result is kept, for a consistency check).
    /// </summary>
    private sealed class RawHvp : IDisposable
    {
        private readonly NetworkModule _model;
        private readonly Tensor[] _parameters;
        private readonly Tensor[] _direction;
        private readonly Tensor _inputs;
        private readonly Tensor _targets;
        private Tensor[] _last = [];

        public RawHvp(NetworkModule model, Tensor inputs, Tensor targets, double[] v, ScalarType dtype)
        {
            _model = model.Clone(dtype);
            _parameters = ParameterVector.Ordered(_model).Select(p => (Tensor)p.Parameter).ToArray();
            _inputs = inputs.to(dtype).detach().clone().DetachFromDisposeScope();
            _targets = targets.to(dtype).detach().clone().DetachFromDisposeScope();
            _direction = new Tensor[_parameters.Length];
            int offset = 0;
            for (int i = 0; i < _parameters.Length; i++)
            {
                int count = (int)_parameters[i].numel();
                _direction[i] = tensor(v.AsSpan(offset, count).ToArray(), _parameters[i].shape, ScalarType.Float64).to(dtype).DetachFromDisposeScope();
                offset += count;
            }
        }

        public void Apply()
        {
            foreach (Tensor t in _last)
            {
                t.Dispose();
            }

            using var scope = NewDisposeScope();
            Tensor outputs = _model.forward(_inputs);
            Tensor loss = LossFunction.HalfSquaredError.SumOverExamples(outputs, _targets).div(_inputs.shape[0]);
            var gradient = autograd.grad([loss], _parameters, retain_graph: true, create_graph: true);
            var product = autograd.grad(gradient, _parameters, _direction);
            _last = product.Select(t => t.DetachFromDisposeScope()).ToArray();
        }

        /// <summary>max |raw − api| / max |api| over all entries.</summary>
        public double MaxRelativeDifference(double[] api)
        {
            using var scope = NewDisposeScope();
            double scale = api.Max(Math.Abs);
            double worst = 0;
            int offset = 0;
            foreach (Tensor t in _last)
            {
                double[] values = t.to(ScalarType.Float64).contiguous().reshape(-1).data<double>().ToArray();
                for (int j = 0; j < values.Length; j++)
                {
                    worst = Math.Max(worst, Math.Abs(values[j] - api[offset + j]));
                }

                offset += values.Length;
            }

            return worst / scale;
        }

        public void Dispose()
        {
            foreach (Tensor t in _last.Concat(_direction))
            {
                t.Dispose();
            }

            _inputs.Dispose();
            _targets.Dispose();
            _model.Dispose();
        }
    }
}
