using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Bench;

/// <summary>
/// Orbit-diagram sweeps of the UV model's scaled map g' = (g − x·Δg) + Δg²·g,
/// x' = (x − 4g·Δg) + Δg²·x with Δg = g − r, over r evenly spaced in [0.8, 1.6] (the grid of
/// <c>sharpness uv orbit</c>), every value started from (g, x) = (0.2, 1), with
/// <see cref="Transient"/> transient steps and one kept step.
/// </summary>
/// <remarks>
/// <para><see cref="AllCores"/>: <see cref="OrbitDiagram.ComputeIndependent"/> on <see cref="Points"/>
/// values, Vector512 lanes in chunks of 64 values, all cores (the baseline).</para>
/// <para><see cref="SingleThread"/>: the same with maxDegreeOfParallelism = 1, to show the parallel
/// speed-up.</para>
/// <para><see cref="WarmStarted"/>: <see cref="OrbitDiagram.ComputeWarmStarted"/> (scalar,
/// sequential: each value starts from the previous one's final state) on
/// <see cref="WarmPoints"/> values of the same interval, for context.</para>
/// The "Map steps/s" column is (values × (transient + 1)) / median time.
/// </remarks>
[Config(typeof(Config))]
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[MaxColumn]
public class OrbitDiagramBenchmarks
{
    public const int WarmPoints = 256;
    private const double RMin = 0.8;
    private const double RMax = 1.6;
    private const double G0 = 0.2;
    private const double X0 = 1.0;

    private OrbitPoint[] _points = null!;
    private OrbitPoint[] _warmPoints = null!;
    private double _sum;

    /// <summary>Values of r in the independent sweeps.</summary>
    [Params(4096)]
    public int Points { get; set; }

    /// <summary>Transient steps per value (one more step is kept).</summary>
    [Params(20_000)]
    public int Transient { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _points = Grid(Points);
        _warmPoints = Grid(WarmPoints);
    }

    [Benchmark(Baseline = true, Description = "ComputeIndependent, all cores")]
    public double AllCores()
    {
        _sum = 0;
        OrbitDiagram.ComputeIndependent(_points, Transient, 1, Sink);
        return _sum;
    }

    [Benchmark(Description = "ComputeIndependent, 1 thread")]
    public double SingleThread()
    {
        _sum = 0;
        OrbitDiagram.ComputeIndependent(_points, Transient, 1, Sink, maxDegreeOfParallelism: 1);
        return _sum;
    }

    [Benchmark(Description = "ComputeWarmStarted (up), 256 values")]
    public double WarmStarted()
    {
        _sum = 0;
        OrbitDiagram.ComputeWarmStarted(_warmPoints, Transient, 1, SweepDirection.Up, Sink);
        return _sum;
    }

    /// <summary>Map steps done by one invocation of the named benchmark method.</summary>
    internal static long MapSteps(string method, int points, int transient) =>
        (long)(method == nameof(WarmStarted) ? WarmPoints : points) * (transient + 1);

    private static OrbitPoint[] Grid(int count)
    {
        var points = new OrbitPoint[count];
        for (int i = 0; i < count; i++)
        {
            double r = count == 1 ? RMin : RMin + ((RMax - RMin) * i / (count - 1));
            points[i] = new OrbitPoint(r, G0, X0);
        }

        return points;
    }

    private void Sink(OrbitSamples samples)
    {
        double g = samples.G[^1];
        if (double.IsFinite(g))
        {
            _sum += g;
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new MapStepsPerSecondColumn());
    }

    /// <summary>Map steps per second from the median time of a benchmark case.</summary>
    private sealed class MapStepsPerSecondColumn : IColumn
    {
        public string Id => nameof(MapStepsPerSecondColumn);

        public string ColumnName => "Map steps/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Map steps per invocation (values × (transient + 1)) divided by the median time";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            if (statistics is null || !(statistics.Median > 0))
            {
                return "NA";
            }

            int points = Convert.ToInt32(benchmarkCase.Parameters[nameof(Points)], CultureInfo.InvariantCulture);
            int transient = Convert.ToInt32(benchmarkCase.Parameters[nameof(Transient)], CultureInfo.InvariantCulture);
            long steps = MapSteps(benchmarkCase.Descriptor.WorkloadMethod.Name, points, transient);
            double perSecond = steps / (statistics.Median * 1e-9);
            return perSecond.ToString("0.000e+0", CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
