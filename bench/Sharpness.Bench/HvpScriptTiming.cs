using System.Diagnostics;
using System.Runtime.InteropServices;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Bench;

/// <summary>
/// Per-product timing of the Hessian-vector product through a TorchScript module, used by
/// bench/pytorch/pyhessian_side_by_side.py --per-product:
/// <code>
/// dotnet Sharpness.Bench.dll hvp-script --model FILE --data FILE [--repeats 21] [--warmup 3] [--threads 1]
///     [--blas auto|libtorch|openblas] [--heap tuned|default] [--dtype float64|float32] [--seed 1]
/// </code>
/// <c>--blas auto</c> (the default) takes the BLAS the <c>sharpness</c> command takes on this machine
/// (<see cref="Sharpness.Nets.NativeBlas.Default"/>: OpenBLAS on processors other than Intel's when it is installed);
/// the backend used is printed as <c>blas_backend</c>.
/// <c>--heap tuned</c> (the default) sets glibc's malloc thresholds as the <c>sharpness</c> command does
/// (<see cref="Sharpness.Nets.NativeHeap"/>); <c>--heap default</c> leaves glibc's defaults.
/// The module and the data are loaded as <c>net spectrum</c> loads them (<see cref="TorchScriptNetwork.Load"/>,
/// <see cref="ExampleFile.ToDataset"/>, mean softmax cross-entropy, all examples in one batch), so every product is
/// one backward pass through the gradient graph kept by <see cref="AutogradHessianOperator"/>. Three variants are
/// timed alternately, one product each after the warm-up, wall time and processor time of the whole process
/// (<c>CLOCK_PROCESS_CPUTIME_ID</c>, what Python's <c>time.process_time</c> reads):
/// <list type="bullet">
/// <item><c>api</c>: <see cref="AutogradHessianOperator.Apply"/>, the call the eigen-solvers make (v copied from a
/// double[] into tensors, H v copied back, a dispose scope around it);</item>
/// <item><c>raw</c>: the same <c>autograd.grad</c> through the same kind of kept graph (built once here too), on a
/// direction that stays in tensors, H v not copied out: the pure TorchSharp/LibTorch cost.</item>
/// </list>
/// The difference api − raw is what the operator adds per product (the copies and the dispose scope).
/// Prints one JSON object with every sample and the medians, and H v's agreement between <c>api</c> and <c>raw</c>.
/// </summary>
internal static class HvpScriptTiming
{
    public const string CommandName = "hvp-script";

    private const string Usage = "usage: hvp-script --model FILE --data FILE [--repeats 21] [--warmup 3] [--threads 1] [--blas auto|libtorch|openblas] [--heap tuned|default] [--dtype float64|float32] [--seed 1]";

    public static int Run(ReadOnlySpan<string> args)
    {
        Dictionary<string, string> o;
        ScalarType dtype;
        int repeats, warmup, threads;
        Sharpness.Nets.BlasBackend? blas;
        ulong seed;
        string modelFile, dataFile, heap;
        try
        {
            o = HvpCommon.ParsePairs(args, "model", "data", "repeats", "warmup", "threads", "blas", "heap", "dtype", "seed");
            modelFile = o.TryGetValue("model", out string? m) ? m : throw new ArgumentException("--model is required.");
            dataFile = o.TryGetValue("data", out string? d) ? d : throw new ArgumentException("--data is required.");
            dtype = HvpCommon.ParseDType(HvpCommon.Get(o, "dtype", "float64"));
            repeats = HvpCommon.GetInt(o, "repeats", 21);
            warmup = HvpCommon.GetInt(o, "warmup", 3);
            threads = HvpCommon.GetInt(o, "threads", 1);
            if (!Sharpness.Nets.NativeBlas.TryParseChoice(HvpCommon.Get(o, "blas", "auto"), out blas))
            {
                throw new ArgumentException("--blas must be auto, libtorch or openblas.");
            }

            heap = HvpCommon.Get(o, "heap", "tuned");
            if (heap is not ("tuned" or "default"))
            {
                throw new ArgumentException("--heap must be tuned or default.");
            }

            seed = ulong.Parse(HvpCommon.Get(o, "seed", "1"), System.Globalization.CultureInfo.InvariantCulture);
            if (repeats < 1 || warmup < 0)
            {
                throw new ArgumentException("--repeats must be ≥ 1, --warmup ≥ 0.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"hvp-script: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        string heapSetting = heap == "tuned" ? Sharpness.Nets.NativeHeap.Apply() : "glibc defaults";
        Sharpness.Nets.NativeBlas.Use(blas, threads, blas is { } forced ? "--blas " + Sharpness.Nets.NativeBlas.Name(forced) : null);
        HvpCommon.SetThreads(threads);
        using var scope = NewDisposeScope();
        using var file = ExampleFile.Load(dataFile);
        long sampleCount = Math.Min(2, file.Inputs.shape[0]);
        using var model = TorchScriptNetwork.Load(File.ReadAllBytes(modelFile), file.Inputs.narrow(0, 0, sampleCount), dtype);
        using var data = file.ToDataset(model.OutputDimension, dtype);
        Tensor targets = data.TargetsFor(LossFunction.CrossEntropy);
        int n = (int)data.Inputs.shape[0];

        using var op = new AutogradHessianOperator(model, LossFunction.CrossEntropy, data.Inputs, targets, batchSize: n, precision: dtype);
        double[] v = HvpCommon.RandomUnit(op.Size, seed, 2000);
        var hv = new double[op.Size];
        using var raw = new RawProduct(model, data.Inputs, targets, v, dtype);

        // The first product of each builds its kept graph; it is timed on its own and not counted in the samples.
        double graphApiWall = 0, graphApiCpu = 0;
        {
            long start = Stopwatch.GetTimestamp();
            double cpu = ProcessCpuSeconds();
            op.Apply(v, hv);
            graphApiCpu = ProcessCpuSeconds() - cpu;
            graphApiWall = HvpCommon.Seconds(start);
            raw.Apply();
        }

        for (int i = 0; i < warmup; i++)
        {
            op.Apply(v, hv);
            raw.Apply();
        }

        var samples = new Dictionary<string, (double[] Wall, double[] Cpu)>
        {
            ["api"] = (new double[repeats], new double[repeats]),
            ["raw"] = (new double[repeats], new double[repeats]),
        };
        for (int r = 0; r < repeats; r++)
        {
            Time(samples["api"], r, () => op.Apply(v, hv));
            Time(samples["raw"], r, raw.Apply);
        }

        double difference = raw.MaxRelativeDifference(hv);
        HvpCommon.WriteJson(json =>
        {
            json.WriteString("dtype", HvpCommon.DTypeName(dtype));
            json.WriteNumber("threads", torch.get_num_threads());
            json.WriteString("blas", Sharpness.Nets.NativeBlas.Describe());
            json.WriteString("blas_backend", Sharpness.Nets.NativeBlas.Name(Sharpness.Nets.NativeBlas.Backend));
            json.WriteString("blas_reason", Sharpness.Nets.NativeBlas.Reason);
            json.WriteString("heap", heapSetting);
            json.WriteNumber("examples", n);
            json.WriteNumber("parameters", op.Size);
            json.WriteNumber("repeats", repeats);
            json.WriteNumber("warmup", warmup);
            json.WriteNumber("first_product_wall_s", graphApiWall);
            json.WriteNumber("first_product_cpu_s", graphApiCpu);
            foreach (var (name, (wall, cpu)) in samples)
            {
                json.WriteNumber($"{name}_wall_s_median", HvpCommon.Median(wall));
                json.WriteNumber($"{name}_cpu_s_median", HvpCommon.Median(cpu));
                WriteArray(json, $"{name}_wall_s", wall);
                WriteArray(json, $"{name}_cpu_s", cpu);
            }

            json.WriteNumber("raw_vs_api_max_relative_difference", difference);
            json.WriteNumber("vhv", HvpCommon.Dot(v, hv));
        });
        return 0;
    }

    private static void Time((double[] Wall, double[] Cpu) into, int index, Action action)
    {
        long start = Stopwatch.GetTimestamp();
        double cpu = ProcessCpuSeconds();
        action();
        into.Cpu[index] = ProcessCpuSeconds() - cpu;
        into.Wall[index] = HvpCommon.Seconds(start);
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

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Processor time of the whole process (all threads), CLOCK_PROCESS_CPUTIME_ID.</summary>
    private static double ProcessCpuSeconds()
    {
        const int processCpuTimeClock = 2;
        return ClockGetTime(processCpuTimeClock, out TimeSpec t) == 0 ? t.Seconds + (1e-9 * t.Nanoseconds) : double.NaN;
    }

    /// <summary>
    /// The product with everything in LibTorch: a model copy of its own, its gradient graph built once and kept, the
    /// direction built once as tensors, H v left in tensors (only the last is kept, to compare with the operator's).
    /// </summary>
    private sealed class RawProduct : IDisposable
    {
        private readonly NetworkModule _model;
        private readonly Tensor[] _parameters;
        private readonly Tensor[] _direction;
        private readonly Tensor _inputs;
        private readonly Tensor _targets;
        private Tensor[]? _gradient;
        private Tensor[] _last = [];

        public RawProduct(NetworkModule model, Tensor inputs, Tensor targets, double[] v, ScalarType dtype)
        {
            _model = model.Clone(dtype);
            _parameters = ParameterVector.Ordered(_model).Select(p => (Tensor)p.Parameter).ToArray();
            _inputs = inputs.to(dtype).detach().clone().DetachFromDisposeScope();
            _targets = targets.detach().clone().DetachFromDisposeScope();
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

            if (_gradient is null)
            {
                using var graphScope = NewDisposeScope();
                Tensor outputs = _model.forward(_inputs);
                Tensor loss = LossFunction.CrossEntropy.SumOverExamples(outputs, _targets).div(_inputs.shape[0]);
                _gradient = autograd.grad([loss], _parameters, retain_graph: true, create_graph: true).Select(g => g.DetachFromDisposeScope()).ToArray();
            }

            _last = autograd.grad(_gradient, _parameters, _direction, retain_graph: true).Select(t => t.DetachFromDisposeScope()).ToArray();
        }

        /// <summary>max |raw − api| / max |api| over all entries.</summary>
        public double MaxRelativeDifference(double[] api)
        {
            double[] mine = _last.SelectMany(t => t.to(ScalarType.Float64).contiguous().reshape(-1).data<double>().ToArray()).ToArray();
            double scale = api.Max(Math.Abs);
            double worst = 0;
            for (int j = 0; j < api.Length; j++)
            {
                worst = Math.Max(worst, Math.Abs(mine[j] - api[j]));
            }

            return worst / scale;
        }

        public void Dispose()
        {
            foreach (Tensor t in _last.Concat(_direction).Concat(_gradient ?? []))
            {
                t.Dispose();
            }

            _inputs.Dispose();
            _targets.Dispose();
            _model.Dispose();
        }
    }
}
