using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Sharpness.Core.Random;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Bench;

/// <summary>
/// Shared pieces of the Hessian-vector-product benchmarks (<see cref="HvpTiming"/>,
/// <see cref="HvpTracking"/>, <see cref="HvpMemory"/>): option parsing, the fully connected
/// network, raw float64 files and process statistics.
/// </summary>
/// <remarks>
/// File formats (all raw little-endian float64, no header):
/// <list type="bullet">
/// <item>weights: the flat parameter vector in the <see cref="ParameterVector"/> layout, i.e. the
/// parameters sorted by name — layers.0.bias, layers.0.weight ([out, in], row-major),
/// layers.1.bias, layers.1.weight, layers.2.bias, layers.2.weight;</item>
/// <item>data: the inputs [N, 784] row-major, then the targets [N, 10] row-major (N from the size);</item>
/// <item>vector / output: one vector of the parameter count.</item>
/// </list>
/// </remarks>
internal static class HvpCommon
{
    public const int InputDimension = 784;
    public const int OutputDimension = 10;
    public const int Depth = 3;

    /// <summary>Parses <c>--name value</c> pairs; every name must be in <paramref name="known"/>.</summary>
    public static Dictionary<string, string> ParsePairs(ReadOnlySpan<string> args, params string[] known)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || Array.IndexOf(known, name[2..]) < 0)
            {
                throw new ArgumentException($"unknown option {name}.");
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value.");
            }

            result[name[2..]] = args[++i];
        }

        return result;
    }

    public static string Get(Dictionary<string, string> o, string name, string fallback) =>
        o.TryGetValue(name, out string? value) ? value : fallback;

    public static int GetInt(Dictionary<string, string> o, string name, int fallback) =>
        o.TryGetValue(name, out string? value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public static double GetDouble(Dictionary<string, string> o, string name, double fallback) =>
        o.TryGetValue(name, out string? value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public static ScalarType ParseDType(string value) => value switch
    {
        "float64" or "double" => ScalarType.Float64,
        "float32" or "float" => ScalarType.Float32,
        _ => throw new ArgumentException($"--dtype must be float32 or float64, got {value}."),
    };

    public static Activation ParseActivation(string value) => value switch
    {
        "tanh" => Activation.Tanh,
        "relu" => Activation.Relu,
        _ => throw new ArgumentException($"--activation must be tanh or relu, got {value}."),
    };

    public static string DTypeName(ScalarType dtype) => dtype == ScalarType.Float64 ? "float64" : "float32";

    /// <summary>The 784-width-width-10 network (depth 3, bias) in <paramref name="dtype"/>, drawn from the seed.</summary>
    public static FullyConnectedNetwork Network(int width, Activation activation, ScalarType dtype, ulong seed) =>
        new(new FullyConnectedConfig
        {
            InputDimension = InputDimension,
            OutputDimension = OutputDimension,
            Depth = Depth,
            Width = width,
            Activation = activation,
            Bias = true,
            Seed = seed,
            DType = dtype,
        });

    public static double[] ReadDoubles(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length % sizeof(double) != 0)
        {
            throw new ArgumentException($"{path}: {bytes.Length} bytes is not a whole number of float64 values.");
        }

        var values = new double[bytes.Length / sizeof(double)];
        MemoryMarshal.Cast<byte, double>(bytes).CopyTo(values);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Raw float64 files are little-endian.");
        }

        return values;
    }

    public static void WriteDoubles(string path, ReadOnlySpan<double> values) =>
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Inputs [N, 784] and targets [N, 10] as float64 tensors from a data file.</summary>
    public static (Tensor Inputs, Tensor Targets) ReadData(string path)
    {
        double[] values = ReadDoubles(path);
        int row = InputDimension + OutputDimension;
        if (values.Length == 0 || values.Length % row != 0)
        {
            throw new ArgumentException($"{path}: {values.Length} values is not N·(784 + 10).");
        }

        int n = values.Length / row;
        Tensor inputs = tensor(values.AsSpan(0, n * InputDimension).ToArray(), [n, InputDimension], ScalarType.Float64);
        Tensor targets = tensor(values.AsSpan(n * InputDimension).ToArray(), [n, OutputDimension], ScalarType.Float64);
        return (inputs, targets);
    }

    /// <summary>Synthetic data: Gaussian inputs, one-hot targets of a random class, from the seed.</summary>
    public static (Tensor Inputs, Tensor Targets) SyntheticData(int examples, ulong seed)
    {
        var x = new double[examples * InputDimension];
        DeterministicRandom.ForStream(seed, 1000).FillGaussian(x);
        var y = new double[examples * OutputDimension];
        var random = DeterministicRandom.ForStream(seed, 1001);
        for (int i = 0; i < examples; i++)
        {
            y[(i * OutputDimension) + (int)(random.NextUInt64() % OutputDimension)] = 1.0;
        }

        return (tensor(x, [examples, InputDimension], ScalarType.Float64), tensor(y, [examples, OutputDimension], ScalarType.Float64));
    }

    public static double[] RandomUnit(int size, ulong seed, ulong stream)
    {
        var v = new double[size];
        DeterministicRandom.ForStream(seed, stream).FillGaussian(v);
        double norm = Math.Sqrt(Dot(v, v));
        for (int i = 0; i < size; i++)
        {
            v[i] /= norm;
        }

        return v;
    }

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);

    public static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
    }

    /// <summary>Resident set size of this process in bytes (VmRSS from /proc/self/status).</summary>
    public static long ResidentBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }

    public static void SetThreads(int threads)
    {
        if (threads < 1)
        {
            throw new ArgumentException("--threads must be ≥ 1.");
        }

        torch.set_num_threads(threads);
    }

    public static void WriteJson(Action<Utf8JsonWriter> body)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }

    public static double Seconds(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
}
