using System.Globalization;
using System.Text.Json;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Cli.Tests.Commands;

public class UvDynamicsCommandTests
{
    private static JsonDocument Json(params string[] args)
    {
        var (code, output, error) = CliRunner.Run(args);
        Assert.True(code == 0, error);
        return JsonDocument.Parse(output);
    }

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        return lines.Skip(1).Select(line => header.Zip(line.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    private static double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void CascadeReportsTheFlipPointsFeigenbaumRatiosAndTheCrisis()
    {
        using var json = Json("uv", "cascade", "--json");
        var root = json.RootElement;
        var flips = root.GetProperty("flip_points").EnumerateArray().ToArray();

        Assert.Equal([2, 4, 8, 16, 32, 64], flips.Select(f => f.GetProperty("to").GetInt32()));
        Assert.Equal(1.0, flips[0].GetProperty("r").GetDouble(), 10);
        Assert.Equal(Math.Sqrt(5) - 1, flips[1].GetProperty("r").GetDouble(), 10);
        Assert.InRange(root.GetProperty("feigenbaum_ratios").EnumerateArray().Last().GetDouble(), 4.6, 4.75);
        Assert.InRange(root.GetProperty("accumulation").GetDouble(), 1.302, 1.3025);
        Assert.Equal(UvFixedPoints.ManifoldCrisis, root.GetProperty("bounded_until").GetDouble(), 6);
    }

    [Fact]
    public void FullMapCascadeAgreesWithTheManifold()
    {
        using var manifold = Json("uv", "cascade", "--json", "--max-period", "16");
        using var full = Json("uv", "cascade", "--json", "--max-period", "16", "--full-map");
        double[] a = manifold.RootElement.GetProperty("flip_points").EnumerateArray().Select(f => f.GetProperty("r").GetDouble()).ToArray();
        double[] b = full.RootElement.GetProperty("flip_points").EnumerateArray().Select(f => f.GetProperty("r").GetDouble()).ToArray();

        Assert.Equal(a.Length, b.Length);
        for (int k = 0; k < a.Length; k++)
        {
            Assert.Equal(a[k], b[k], 9);
        }
    }

    [Theory]
    [InlineData("--max-period", "3")]
    [InlineData("--max-period", "2")]
    [InlineData("--g0", "-1")]
    public void CascadeRejectsBadOptions(string option, string value)
    {
        var (code, _, error) = CliRunner.Run("uv", "cascade", option, value);

        Assert.Equal(2, code);
        Assert.Contains(option, error);
    }

    [Fact]
    public void LyapunovAtOneRAndOverASweep()
    {
        using var chaos = Json("uv", "lyapunov", "--r", "1.4", "--json");
        using var cycle = Json("uv", "lyapunov", "--r", "1.1", "--json");
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "lyapunov", "--r-min", "0.9", "--r-max", "1.5", "--points", "13", "--out", dir);

        Assert.Equal("chaos", chaos.RootElement.GetProperty("label").GetString());
        Assert.True(chaos.RootElement.GetProperty("exponents")[0].GetDouble() > 0.1);
        Assert.Equal(2, cycle.RootElement.GetProperty("period").GetInt32());
        double expected = 0.5 * Math.Log(Math.Abs(UvFixedPoints.TwoCycleMultiplier(1.1)));
        Assert.True(cycle.RootElement.GetProperty("exponents")[1].GetDouble() < cycle.RootElement.GetProperty("exponents")[0].GetDouble());
        // Averages over 10 000 steps converge like 1/steps.
        Assert.True(Math.Abs(expected - cycle.RootElement.GetProperty("exponents")[1].GetDouble()) < 1e-3);
        Assert.True(code == 0, error);
        var rows = ReadCsv(Path.Combine(dir, "lyapunov.csv"));
        Assert.Equal(13, rows.Count);
        Assert.Equal(["r", "lambda1", "lambda2", "period", "label"], rows[0].Keys);
        Assert.True(File.Exists(Path.Combine(dir, "lyapunov.png")));
        Assert.True(File.Exists(Path.Combine(dir, "manifest.json")));
    }

    [Fact]
    public void LyapunovNeedsEitherOneROrASweep()
    {
        Assert.Equal(2, CliRunner.Run("uv", "lyapunov").ExitCode);
        Assert.Equal(2, CliRunner.Run("uv", "lyapunov", "--r", "1", "--r-min", "0.5").ExitCode);
        Assert.Equal(2, CliRunner.Run("uv", "lyapunov", "--r-min", "1", "--r-max", "0.5").ExitCode);
    }

    [Fact]
    public void OrbitWritesEveryKeptStateAndMatchesTheClosedFormTwoCycle()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "orbit", "--r-min", "1.05", "--r-max", "1.2", "--points", "4", "--transient", "3000", "--keep", "6", "--out", dir);

        Assert.True(code == 0, error);
        var rows = ReadCsv(Path.Combine(dir, "orbit.csv"));
        Assert.Equal(24, rows.Count);
        Assert.Equal(["r", "step", "lr_ntk", "lr_sharpness", "g"], rows[0].Keys);
        foreach (var group in rows.GroupBy(row => row["r"]))
        {
            var (plus, minus) = UvFixedPoints.TwoCycle(D(group.Key));
            Assert.Equal(plus.X, group.Max(row => D(row["lr_ntk"])), 9);
            Assert.Equal(minus.X, group.Min(row => D(row["lr_ntk"])), 9);
            Assert.All(group, row => Assert.Equal(UvSharpness.ScaledHessian(new UvScaledState(D(row["g"]), D(row["lr_ntk"])), D(row["r"]), 2), D(row["lr_sharpness"]), 12));
        }

        Assert.Equal([3001.0, 3002, 3003, 3004, 3005, 3006], rows.Take(6).Select(row => D(row["step"])));
        Assert.True(new FileInfo(Path.Combine(dir, "orbit.png")).Length > 1000);
    }

    [Fact]
    public void WarmStartedOrbitInBothDirectionsRecordsThePass()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "orbit", "--r-min", "0.2", "--r-max", "0.8", "--points", "5", "--keep", "1", "--warm-start", "--direction", "both", "--out", dir);

        Assert.True(code == 0, error);
        var rows = ReadCsv(Path.Combine(dir, "orbit.csv"));
        Assert.Equal(10, rows.Count);
        Assert.Equal(["0", "1"], rows.Select(row => row["pass"]).Distinct().Order());
    }

    [Fact]
    public void OrbitAgainstTheLearningRateOfAModelUsesItsScaledTarget()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "orbit", "--axis", "eta", "--min", "0.5", "--max", "2", "--points", "4", "--keep", "2", "--transient", "10", "--width", "16", "--target", "2", "--out", dir);

        Assert.True(code == 0, error);
        var rows = ReadCsv(Path.Combine(dir, "orbit.csv"));
        // NTP at width 16: s = 4, so r = 2 eta / 4.
        Assert.All(rows, row => Assert.Equal(D(row["eta"]) * 2 / 4, D(row["r"]), 12));
    }

    [Theory]
    [InlineData("--direction", "both")]
    [InlineData("--points", "0")]
    [InlineData("--axis", "q")]
    [InlineData("--keep", "0")]
    public void OrbitRejectsBadOptions(string option, string value)
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "orbit", option, value, "--out", dir);

        Assert.Equal(2, code);
        Assert.Contains(option, error);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void FixedPointsReportTheirMultipliers()
    {
        const double r = 1.1;
        using var json = Json("uv", "fixed-points", "--r", "1.1", "--json");
        var orbits = json.RootElement.GetProperty("orbits").EnumerateArray().ToArray();
        double[] Multipliers(JsonElement orbit) => orbit.GetProperty("multipliers").EnumerateArray().Select(m => m.GetProperty("re").GetDouble()).ToArray();

        var origin = orbits.Single(o => o.GetProperty("kind").GetString()!.StartsWith("origin", StringComparison.Ordinal));
        Assert.Equal([(1 + r) * (1 + r), (1 - r) * (1 - r)], Multipliers(origin), new Close(1e-12));
        var cycle = orbits.Single(o => o.GetProperty("period").GetInt32() == 2);
        Assert.Contains(Multipliers(cycle), m => Math.Abs(m - UvFixedPoints.TwoCycleMultiplier(r)) < 1e-9);
        Assert.True(cycle.GetProperty("stable").GetBoolean());
    }

    [Fact]
    public void ScaledPhaseDiagramHasCatapultAndDivergenceWhereTheTheoryPutsThem()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "phase", "--c-min", "0.5", "--c-max", "4.5", "--c-points", "5", "--r-min", "0.01", "--r-max", "0.05", "--r-points", "2", "--steps", "500", "--out", dir);

        Assert.True(code == 0, error);
        var rows = ReadCsv(Path.Combine(dir, "phase.csv"));
        Assert.Equal(10, rows.Count);
        Assert.All(rows.Where(row => D(row["c"]) == 3.5), row => Assert.Equal("catapult", row["category"]));
        Assert.All(rows.Where(row => D(row["c"]) == 4.5), row => Assert.Equal("divergence", row["category"]));
        Assert.True(File.Exists(Path.Combine(dir, "phase.png")));
    }

    [Fact]
    public void PhysicalPhaseDiagramCountsSeedsPerCell()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "phase", "--mode", "physical", "--c-min", "1", "--c-max", "5", "--c-points", "3", "--y-axis", "param", "--y-values", "ntp,mup", "--seeds", "2", "--steps", "300", "--out", dir);

        Assert.True(code == 0, error);
        var rows = ReadCsv(Path.Combine(dir, "phase.csv"));
        Assert.Equal(6, rows.Count);
        Assert.All(rows, row => Assert.Equal("2", row["seeds"]));
        Assert.All(rows.Where(row => D(row["c"]) == 5), row => Assert.Equal("divergence", row["majority"]));
    }

    [Fact]
    public void FieldWritesTheFigureAndTrajectories()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "field", "--r", "0.5", "--trajectory", "0.05,1.2", "--trajectory-steps", "10", "--out", dir);

        Assert.True(code == 0, error);
        var rows = ReadCsv(Path.Combine(dir, "trajectories.csv"));
        Assert.Equal(11, rows.Count);
        var second = UvScaledMap.Step(new UvScaledState(0.05, 1.2), 0.5);
        Assert.Equal(second.G, D(rows[1]["g"]), 14);
        Assert.True(File.Exists(Path.Combine(dir, "field.png")));
        Assert.True(File.Exists(Path.Combine(dir, "field.svg")));
    }

    [Theory]
    [InlineData("1.0,0.5")]
    [InlineData("abc")]
    public void FieldRejectsUnrealisableOrMalformedTrajectories(string start)
    {
        var (code, _, error) = CliRunner.Run("uv", "field", "--trajectory", start, "--out", CliRunner.NewTemporaryFolder());

        Assert.Equal(2, code);
        Assert.Contains("--trajectory", error);
    }

    private sealed class Close(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
