using System.Diagnostics;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Bench;

/// <summary>
/// Resident memory over many consecutive Hessian-vector products:
/// <code>
/// dotnet Sharpness.Bench.dll hvp-memory [--count 1000] [--warmup 20] [--dtype float64|float32]
///     [--width 512] [--examples 1000] [--threads 1] [--seed 1] [--every 100]
/// </code>
/// Builds one <see cref="AutogradHessianOperator"/> on the tanh MLP 784-W-W-10 with synthetic data
/// (as the <c>hvp</c> mode without files), runs the warm-up products, records the resident set size
/// (VmRSS), then runs <c>--count</c> products feeding each output back as the next input (normalised, as
/// power iteration does) and prints a JSON line with RSS every <c>--every</c> products and a summary
/// with the start and end RSS and the growth.
/// </summary>
internal static class HvpMemory
{
    public const string CommandName = "hvp-memory";

    private const string Usage = "usage: hvp-memory [--count 1000] [--warmup 20] [--dtype float64|float32] [--width 512] [--examples 1000] [--threads 1] [--seed 1] [--every 100]";

    public static int Run(ReadOnlySpan<string> args)
    {
        int count, warmup, width, examples, threads, every;
        ScalarType dtype;
        ulong seed;
        try
        {
            var o = HvpCommon.ParsePairs(args, "count", "warmup", "dtype", "width", "examples", "threads", "seed", "every");
            count = HvpCommon.GetInt(o, "count", 1000);
            warmup = HvpCommon.GetInt(o, "warmup", 20);
            dtype = HvpCommon.ParseDType(HvpCommon.Get(o, "dtype", "float64"));
            width = HvpCommon.GetInt(o, "width", 512);
            examples = HvpCommon.GetInt(o, "examples", 1000);
            threads = HvpCommon.GetInt(o, "threads", 1);
            every = HvpCommon.GetInt(o, "every", 100);
            seed = ulong.Parse(HvpCommon.Get(o, "seed", "1"), System.Globalization.CultureInfo.InvariantCulture);
            if (count < 1 || warmup < 0 || width < 1 || examples < 1 || every < 1)
            {
                throw new ArgumentException("--count, --width, --examples, --every must be ≥ 1, --warmup ≥ 0.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"hvp-memory: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        HvpCommon.SetThreads(threads);
        using var scope = NewDisposeScope();
        using var model = HvpCommon.Network(width, Activation.Tanh, ScalarType.Float64, seed);
        var (inputs, targets) = HvpCommon.SyntheticData(examples, seed);
        using var op = new AutogradHessianOperator(model, LossFunction.HalfSquaredError, inputs, targets, batchSize: examples, precision: dtype);
        double[] v = HvpCommon.RandomUnit(op.Size, seed, 2000);
        var hv = new double[op.Size];

        void Step()
        {
            op.Apply(v, hv);
            double norm = Math.Sqrt(HvpCommon.Dot(hv, hv));
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = hv[i] / norm;
            }
        }

        for (int i = 0; i < warmup; i++)
        {
            Step();
        }

        long start = HvpCommon.ResidentBytes();
        long peak = start;
        long managedStart = GC.GetTotalMemory(forceFullCollection: false);
        var clock = Stopwatch.StartNew();
        for (int i = 1; i <= count; i++)
        {
            Step();
            long rss = HvpCommon.ResidentBytes();
            peak = Math.Max(peak, rss);
            if (i % every == 0)
            {
                int done = i;
                HvpCommon.WriteJson(json =>
                {
                    json.WriteNumber("products", done);
                    json.WriteNumber("rss_mib", rss / 1048576.0);
                    json.WriteNumber("managed_mib", GC.GetTotalMemory(forceFullCollection: false) / 1048576.0);
                    json.WriteNumber("seconds", clock.Elapsed.TotalSeconds);
                });
            }
        }

        long end = HvpCommon.ResidentBytes();
        long managedEnd = GC.GetTotalMemory(forceFullCollection: false);
        HvpCommon.WriteJson(json =>
        {
            json.WriteString("summary", "hvp-memory");
            json.WriteString("dtype", HvpCommon.DTypeName(dtype));
            json.WriteNumber("width", width);
            json.WriteNumber("examples", examples);
            json.WriteNumber("parameters", op.Size);
            json.WriteNumber("threads", torch.get_num_threads());
            json.WriteNumber("warmup", warmup);
            json.WriteNumber("products", count);
            json.WriteNumber("rss_start_mib", start / 1048576.0);
            json.WriteNumber("rss_end_mib", end / 1048576.0);
            json.WriteNumber("rss_peak_mib", peak / 1048576.0);
            json.WriteNumber("rss_growth", (double)(end - start) / start);
            json.WriteNumber("managed_start_mib", managedStart / 1048576.0);
            json.WriteNumber("managed_end_mib", managedEnd / 1048576.0);
            json.WriteNumber("matvecs", op.MatVecCount);
            json.WriteNumber("seconds", clock.Elapsed.TotalSeconds);
        });
        return 0;
    }
}
