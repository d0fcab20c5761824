using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;

namespace Sharpness.Bench;

/// <summary>
/// Plain timing mode for comparisons with other implementations:
/// <code>
/// dotnet Sharpness.Bench.dll side-by-side --width N --steps T [--repeats R] [--eta 0.5]
///     [--target 1] [--seed 1] [--weights FILE] [--warmup-seconds 1]
/// </code>
/// Runs T steps of (GD step, then f, λ and the closed-form λ_H) from the same initial weights R
/// times, after a warm-up of at least the given wall time, and prints one JSON object with the
/// median seconds per step over the repeats and the state (f, λ, λ_H) after the T steps.
/// </summary>
/// <remarks>
/// The model is the reduced UV model with s = √n (NTP, x = [1]). Without <c>--weights</c> the
/// weights are the toolkit's own draw for the seed; with it, FILE holds raw little-endian
/// float64 u (n values) then v (n values), and n is taken from the file size (it must agree with
/// <c>--width</c> when both are given).
/// </remarks>
internal static class SideBySide
{
    public const string CommandName = "side-by-side";

    private sealed class Options
    {
        public int Width { get; set; }
        public int Steps { get; set; } = 100;
        public int Repeats { get; set; } = 11;
        public double LearningRate { get; set; } = 0.5;
        public double Target { get; set; } = 1.0;
        public ulong Seed { get; set; } = 1;
        public string? WeightsFile { get; set; }
        public double WarmupSeconds { get; set; } = 1.0;
    }

    public static int Run(ReadOnlySpan<string> args)
    {
        Options options;
        UvNetwork initial;
        try
        {
            options = Parse(args);
            initial = CreateNetwork(options);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or OverflowException)
        {
            Console.Error.WriteLine($"side-by-side: {e.Message}");
            Console.Error.WriteLine("usage: side-by-side --width N --steps T [--repeats R] [--eta 0.5] [--target 1] [--seed 1] [--weights FILE] [--warmup-seconds 1]");
            return 2;
        }

        // Warm-up: whole runs on copies until the wall-time budget is spent (at least two), so the
        // JIT has tiered up everything on the path before anything is timed.
        var warmup = Stopwatch.StartNew();
        for (int i = 0; i < 2 || warmup.Elapsed.TotalSeconds < options.WarmupSeconds; i++)
        {
            Train(initial.Clone(), options.Steps, options.LearningRate, options.Target);
        }

        var secondsPerStep = new double[options.Repeats];
        double sharpness = double.NaN;
        UvNetwork last = initial;
        for (int r = 0; r < options.Repeats; r++)
        {
            var net = initial.Clone();
            long start = Stopwatch.GetTimestamp();
            sharpness = Train(net, options.Steps, options.LearningRate, options.Target);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            secondsPerStep[r] = seconds / Math.Max(options.Steps, 1);
            last = net;
        }

        double initialSharpness = UvSharpness.Hessian(new UvFunctionState(initial.Output, initial.Ntk), options.Target, initial.Normaliser, initial.Width);
        if (options.Steps == 0)
        {
            sharpness = initialSharpness;
        }

        Array.Sort(secondsPerStep);
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteNumber("width", initial.Width);
            json.WriteNumber("steps", options.Steps);
            json.WriteNumber("repeats", options.Repeats);
            json.WriteNumber("seconds_per_step_median", Median(secondsPerStep));
            json.WriteNumber("seconds_per_step_min", secondsPerStep[0]);
            json.WriteNumber("seconds_per_step_max", secondsPerStep[^1]);
            json.WriteNumber("learning_rate", options.LearningRate);
            json.WriteNumber("target", options.Target);
            json.WriteNumber("normaliser", initial.Normaliser);
            json.WriteNumber("initial_output", initial.Output);
            json.WriteNumber("initial_ntk", initial.Ntk);
            json.WriteNumber("initial_sharpness", initialSharpness);
            json.WriteNumber("output", last.Output);
            json.WriteNumber("ntk", last.Ntk);
            json.WriteNumber("sharpness", sharpness);
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        return 0;
    }

    /// <summary>T steps of the simulation's per-step work; returns λ_H after the last step.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Train(UvNetwork net, int steps, double eta, double target)
    {
        double s = net.Normaliser;
        int n = net.Width;
        double sharpness = double.NaN;
        for (int t = 0; t < steps; t++)
        {
            net.Step(eta, target);
            sharpness = UvSharpness.Hessian(new UvFunctionState(net.Output, net.Ntk), target, s, n);
        }

        return sharpness;
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);

    private static UvNetwork CreateNetwork(Options options)
    {
        if (options.WeightsFile is null)
        {
            if (options.Width < 1)
            {
                throw new ArgumentException("--width N (N ≥ 1) is required without --weights.");
            }

            return UvNetwork.Create(new UvModelConfig { Width = options.Width, Seed = options.Seed, Target = options.Target });
        }

        byte[] bytes = File.ReadAllBytes(options.WeightsFile);
        if (bytes.Length == 0 || bytes.Length % (2 * sizeof(double)) != 0)
        {
            throw new ArgumentException($"{options.WeightsFile}: {bytes.Length} bytes is not 2n float64 values (u then v).");
        }

        int n = bytes.Length / (2 * sizeof(double));
        if (options.Width != 0 && options.Width != n)
        {
            throw new ArgumentException($"{options.WeightsFile} holds width {n} but --width is {options.Width}.");
        }

        var u = new double[n];
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            u[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * sizeof(double), sizeof(double)));
            v[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan((n + i) * sizeof(double), sizeof(double)));
        }

        return new UvNetwork(u, v, Math.Sqrt(n));
    }

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
                case "--width":
                    o.Width = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--steps":
                    o.Steps = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--repeats":
                    o.Repeats = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--eta":
                    o.LearningRate = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--target":
                    o.Target = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--seed":
                    o.Seed = ulong.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--weights":
                    o.WeightsFile = value;
                    break;
                case "--warmup-seconds":
                    o.WarmupSeconds = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"unknown option {name}.");
            }
        }

        if (o.Steps < 0 || o.Repeats < 1 || !(o.LearningRate > 0) || !double.IsFinite(o.Target) || !(o.WarmupSeconds >= 0))
        {
            throw new ArgumentException("--steps must be ≥ 0, --repeats ≥ 1, --eta > 0, --target finite, --warmup-seconds ≥ 0.");
        }

        return o;
    }
}
