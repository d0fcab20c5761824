using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Bench;

/// <summary>
/// Plain timing mode of the cold-started orbit-diagram sweep, for comparisons with other
/// implementations:
/// <code>
/// dotnet Sharpness.Bench.dll orbit-sweep --points P --transient T [--repeats R] [--threads K]
///     [--r-min 0.8] [--r-max 1.6] [--g0 0.2] [--x0 1] [--warmup-seconds 1] [--final FILE]
/// </code>
/// Runs <see cref="OrbitDiagram.ComputeIndependent"/> on P values of r evenly spaced in
/// [r-min, r-max] (ends included, r_i = r_min + ((r_max − r_min)·i)/(P − 1), the grid of
/// <c>sharpness uv orbit</c>), every value started from (g0, x0), with T transient steps and one
/// kept step, so each value is iterated T + 1 times and the kept state is the final one. After a
/// warm-up of at least the given wall time it times R sweeps and prints one JSON object with the
/// median wall time, the map steps per second derived from it, and a checksum of the final states.
/// </summary>
/// <remarks>
/// <para>K = maxDegreeOfParallelism (default: all cores). Map steps = P·(T + 1).</para>
/// <para>Checksum: <c>final_g_finite_sum</c> is the sum of the final g over the values that did not
/// diverge (|g| and x stayed within 1e6), in index order; <c>diverged</c> counts the others.</para>
/// <para>With <c>--final FILE</c> the final states are written as raw little-endian float64: g for
/// every value (P numbers), then x (P numbers); diverged values are NaN.</para>
/// </remarks>
internal static class OrbitSweep
{
    public const string CommandName = "orbit-sweep";

    private const string Usage = "usage: orbit-sweep --points P --transient T [--repeats R] [--threads K] [--r-min 0.8] [--r-max 1.6] [--g0 0.2] [--x0 1] [--warmup-seconds 1] [--final FILE]";

    private sealed class Options
    {
        public int Points { get; set; } = 4096;
        public int Transient { get; set; } = 20_000;
        public int Repeats { get; set; } = 11;
        public int Threads { get; set; } = -1;
        public double RMin { get; set; } = 0.8;
        public double RMax { get; set; } = 1.6;
        public double G0 { get; set; } = 0.2;
        public double X0 { get; set; } = 1.0;
        public double WarmupSeconds { get; set; } = 1.0;
        public string? FinalFile { get; set; }
    }

    public static int Run(ReadOnlySpan<string> args)
    {
        Options options;
        try
        {
            options = Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"{CommandName}: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var points = Grid(options);
        var finalG = new double[points.Length];
        var finalX = new double[points.Length];
        int diverged = 0;
        void Sink(OrbitSamples samples)
        {
            finalG[samples.Index] = samples.G[^1];
            finalX[samples.Index] = samples.X[^1];
            if (samples.DivergedAtStep is not null)
            {
                diverged++;
            }
        }

        void Sweep()
        {
            diverged = 0;
            OrbitDiagram.ComputeIndependent(points, options.Transient, 1, Sink, maxDegreeOfParallelism: options.Threads);
        }

        // Warm-up: whole sweeps until the wall-time budget is spent (at least two).
        var warmup = Stopwatch.StartNew();
        for (int i = 0; i < 2 || warmup.Elapsed.TotalSeconds < options.WarmupSeconds; i++)
        {
            Sweep();
        }

        var seconds = new double[options.Repeats];
        for (int r = 0; r < options.Repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            Sweep();
            seconds[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        double finiteSum = 0;
        for (int i = 0; i < finalG.Length; i++)
        {
            if (double.IsFinite(finalG[i]) && double.IsFinite(finalX[i]))
            {
                finiteSum += finalG[i];
            }
        }

        if (options.FinalFile is not null)
        {
            WriteFinal(options.FinalFile, finalG, finalX);
        }

        Array.Sort(seconds);
        double median = Median(seconds);
        long mapSteps = (long)points.Length * (options.Transient + 1);
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteNumber("points", points.Length);
            json.WriteNumber("transient", options.Transient);
            json.WriteNumber("keep", 1);
            json.WriteNumber("map_steps", mapSteps);
            json.WriteNumber("threads", options.Threads > 0 ? options.Threads : Environment.ProcessorCount);
            json.WriteNumber("repeats", options.Repeats);
            json.WriteNumber("seconds_median", median);
            json.WriteNumber("seconds_min", seconds[0]);
            json.WriteNumber("seconds_max", seconds[^1]);
            json.WriteNumber("map_steps_per_second", mapSteps / median);
            json.WriteNumber("r_min", options.RMin);
            json.WriteNumber("r_max", options.RMax);
            json.WriteNumber("g0", options.G0);
            json.WriteNumber("x0", options.X0);
            json.WriteNumber("final_g_finite_sum", finiteSum);
            json.WriteNumber("diverged", diverged);
            json.WriteBoolean("vector512_hardware_accelerated", System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated);
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        return 0;
    }

    /// <summary>The r grid of <c>sharpness uv orbit</c>, every value started from (g0, x0).</summary>
    private static OrbitPoint[] Grid(Options o)
    {
        int count = o.Points;
        var points = new OrbitPoint[count];
        for (int i = 0; i < count; i++)
        {
            double r = count == 1 ? o.RMin : o.RMin + ((o.RMax - o.RMin) * i / (count - 1));
            points[i] = new OrbitPoint(r, o.G0, o.X0);
        }

        return points;
    }

    private static void WriteFinal(string path, double[] g, double[] x)
    {
        var bytes = new byte[(g.Length + x.Length) * sizeof(double)];
        for (int i = 0; i < g.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * sizeof(double)), g[i]);
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan((g.Length + i) * sizeof(double)), x[i]);
        }

        File.WriteAllBytes(path, bytes);
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);

    private static Options Parse(ReadOnlySpan<string> args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            string value = args[++i];
            switch (name)
            {
                case "--points":
                    o.Points = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--transient":
                    o.Transient = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--repeats":
                    o.Repeats = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--threads":
                    o.Threads = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--r-min":
                    o.RMin = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--r-max":
                    o.RMax = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--g0":
                    o.G0 = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--x0":
                    o.X0 = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--warmup-seconds":
                    o.WarmupSeconds = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--final":
                    o.FinalFile = value;
                    break;
                default:
                    throw new ArgumentException($"unknown option {name}.");
            }
        }

        if (o.Points < 1 || o.Transient < 0 || o.Repeats < 1 || o.Threads == 0 || o.Threads < -1 || !(o.WarmupSeconds >= 0))
        {
            throw new ArgumentException("--points must be ≥ 1, --transient ≥ 0, --repeats ≥ 1, --threads ≥ 1 (or -1 for all cores), --warmup-seconds ≥ 0.");
        }

        if (!double.IsFinite(o.RMin) || !double.IsFinite(o.RMax) || o.RMin > o.RMax || !double.IsFinite(o.G0) || !double.IsFinite(o.X0))
        {
            throw new ArgumentException("--r-min ≤ --r-max, --g0 and --x0 must be finite.");
        }

        return o;
    }
}
