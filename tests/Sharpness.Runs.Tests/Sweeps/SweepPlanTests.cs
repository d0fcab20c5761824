using System.Text.Json.Nodes;
using Sharpness.Runs.Sweeps;

namespace Sharpness.Runs.Tests.Sweeps;

public class SweepPlanTests
{
    private static SweepSpec Spec(string json) => SweepSpec.Parse(JsonNode.Parse(json)!.AsObject(), "spec");

    [Fact]
    public void AxesAreCrossedWithTheLastVaryingFastest()
    {
        var points = SweepPlan.Expand(Spec("""{"command": "uv simulate", "base": {"steps": 5}, "grid": {"lr": [0.1, 0.2], "seed": {"range": [0, 3]}}}"""));

        Assert.Equal(6, points.Count);
        Assert.Equal(["0.1/0", "0.1/1", "0.1/2", "0.2/0", "0.2/1", "0.2/2"], points.Select(p => $"{SweepSpec.Text(p.Settings["lr"]!)}/{SweepSpec.Text(p.Settings["seed"]!)}"));
        Assert.All(points, p => Assert.Equal(5, p.Settings["steps"]!.GetValue<int>()));
        Assert.Equal(Enumerable.Range(0, 6), points.Select(p => p.Index));
    }

    [Fact]
    public void ZippedAxesMoveTogether()
    {
        var points = SweepPlan.Expand(Spec("""{"command": "c", "grid": {"lr": [1, 2, 3], "width": [10, 20, 30], "seed": [0, 1]}, "zip": [["lr", "width"]]}"""));

        Assert.Equal(6, points.Count);
        Assert.All(points, p => Assert.Equal(10 * p.Settings["lr"]!.GetValue<long>(), p.Settings["width"]!.GetValue<long>()));
    }

    [Fact]
    public void GeneratedAxes()
    {
        var spec = Spec("""{"command": "c", "grid": {"a": {"linspace": [0, 1, 5]}, "b": {"logspace": [10, 1000, 3]}, "c": {"range": [1, 2, 0.25]}, "d": {"values": ["ntp", "mup"]}}}""");

        Assert.Equal([0, 0.25, 0.5, 0.75, 1], spec.Axes[0].Values.Select(v => v.GetValue<double>()));
        Assert.Equal([10, 100, 1000], spec.Axes[1].Values.Select(v => v.GetValue<double>()), new Tolerance(1e-9));
        Assert.Equal([1, 1.25, 1.5, 1.75], spec.Axes[2].Values.Select(v => v.GetValue<double>()));
        Assert.Equal(["ntp", "mup"], spec.Axes[3].Values.Select(v => v.GetValue<string>()));
    }

    [Fact]
    public void ShardsAreDisjointAndCoverEveryPoint()
    {
        var points = SweepPlan.Expand(Spec("""{"command": "c", "grid": {"a": {"range": [0, 17]}}}"""));
        var shards = Enumerable.Range(0, 3).Select(i => SweepPlan.Shard(points, i, 3)).ToArray();

        Assert.Equal(points.Select(p => p.Index), shards.SelectMany(s => s).Select(p => p.Index).Order());
        Assert.Empty(shards[0].Select(p => p.Index).Intersect(shards[1].Select(p => p.Index)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SweepPlan.Shard(points, 3, 3));
    }

    [Fact]
    public void FolderNamesAreDeterministicAndDistinguishSettings()
    {
        var a = SweepPlan.Expand(Spec("""{"command": "uv simulate", "grid": {"lr": [0.1, 0.2]}}"""));
        var b = SweepPlan.Expand(Spec("""{"command": "uv simulate", "grid": {"lr": [0.1, 0.2]}}"""));
        var c = SweepPlan.Expand(Spec("""{"command": "uv simulate", "base": {"steps": 9}, "grid": {"lr": [0.1, 0.2]}}"""));

        Assert.Equal(a.Select(p => p.Directory), b.Select(p => p.Directory));
        Assert.NotEqual(a[0].Directory, a[1].Directory);
        Assert.NotEqual(a[0].Directory, c[0].Directory);
        Assert.StartsWith("lr=0.1-", a[0].Directory, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/absolute/path")]
    [InlineData("..")]
    [InlineData("a\\b")]
    [InlineData(".hidden")]
    [InlineData("very-long-value-very-long-value-very-long-value-very-long-value-very-long-value-very-long-value")]
    public void HostileValuesCannotLeaveTheResultsFolder(string value)
    {
        var spec = SweepSpec.Parse(new JsonObject { ["command"] = "c", ["grid"] = new JsonObject { ["param"] = new JsonArray(value) } }, "spec");
        string name = SweepPlan.Expand(spec)[0].Directory;
        string root = Path.Combine(Path.GetTempPath(), "results");

        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain('\\', name);
        Assert.DoesNotContain("..", name, StringComparison.Ordinal);
        Assert.False(name.StartsWith('.'));
        Assert.True(name.Length <= SweepPlan.MaxPrefixLength + 13);
        Assert.Equal(root, Path.GetDirectoryName(Path.GetFullPath(Path.Combine(root, name))));
    }

    [Theory]
    [InlineData("""{"grid": {"a": [1]}}""", "command")]
    [InlineData("""{"command": "c"}""", "grid")]
    [InlineData("""{"command": "c", "grid": {}}""", "grid")]
    [InlineData("""{"command": "c", "grid": {"a": []}}""", "empty")]
    [InlineData("""{"command": "c", "grid": {"a": 3}}""", "single value")]
    [InlineData("""{"command": "c", "grid": {"a": {"range": [0]}}}""", "range")]
    [InlineData("""{"command": "c", "grid": {"a": {"logspace": [0, 1, 3]}}}""", "positive")]
    [InlineData("""{"command": "c", "grid": {"a": {"between": [0, 1]}}}""", "expected range")]
    [InlineData("""{"command": "c", "grid": {"a": [1, 2], "b": [1]}, "zip": [["a", "b"]]}""", "equal lengths")]
    [InlineData("""{"command": "c", "grid": {"a": [1]}, "zip": [["a", "z"]]}""", "not an axis")]
    [InlineData("""{"command": "c", "grid": {"out": ["x"]}}""", "out")]
    [InlineData("""{"command": "c", "grid": {"a": [1]}, "gird": {}}""", "did you mean 'grid'")]
    [InlineData("""{"command": "c", "grid": {"a": [[1, 2]]}}""", "numbers, strings")]
    [InlineData("""{"command": "c", "grid": {"a": ["x\u0000y"]}}""", "control character")]
    [InlineData("""{"command": "c", "grid": {"a": [256, 256.0]}}""", "holds the value 256 twice")]
    [InlineData("""{"command": "c", "grid": {"a": {"linspace": [1, 1, 3]}}}""", "twice")]
    [InlineData("""{"command": "c", "grid": {"a": [1, 1], "b": [3, 3]}, "zip": [["a", "b"]]}""", "holds (1,3) twice")]
    [InlineData("""{"command": "c", "base": {"lr_constant": 1, "lr-constant": 2}, "grid": {"a": [1]}}""", "sets 'lr-constant' twice")]
    public void MalformedSpecsNameTheProblem(string json, string expected)
    {
        var error = Assert.Throws<SweepSpecException>(() => SweepPlan.Expand(Spec(json)));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void APointCountThatWouldOverflowIsRefusedWithTheAxisSizes()
    {
        var spec = Spec("""{"command": "c", "grid": {"a": {"range": [0, 65536]}, "b": {"range": [0, 65536]}, "c": {"range": [0, 65536]}, "d": {"range": [0, 65536]}}}""");

        var error = Assert.Throws<SweepSpecException>(() => SweepPlan.Count(spec));

        Assert.Contains("65536 x 65536 x 65536 x 65536 points", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PointsAreComputedOnDemandSoAShardNeverHoldsTheWholeGrid()
    {
        // 1000 x 1000 x 9 = 9 million points: materialising them would take gigabytes.
        var spec = Spec("""{"command": "c", "grid": {"a": {"range": [0, 1000]}, "b": {"range": [0, 1000]}, "c": {"range": [0, 9]}}}""");
        long before = GC.GetAllocatedBytesForCurrentThread();

        var shard = SweepPlan.ShardOf(spec, 4, 1_000_000).ToList();

        Assert.Equal(9, shard.Count);
        Assert.Equal([4L, 1_000_004, 2_000_004], shard.Take(3).Select(p => (long)p.Index));
        foreach (var point in shard)
        {
            // Mixed radix, the last axis fastest: index = (a * 1000 + b) * 9 + c.
            long k = point.Index;
            string[] expected = [$"{k / 9000}", $"{k / 9 % 1000}", $"{k % 9}"];
            Assert.Equal(expected, point.Varied.Select(v => SweepSpec.Text(v.Value)));
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000, "generating one shard allocated as much as the grid");
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonFiniteValuesAreRefused(double value)
    {
        var spec = new JsonObject { ["command"] = "c", ["grid"] = new JsonObject { ["lr"] = new JsonArray(JsonValue.Create(value), 1) } };
        Assert.Contains("finite", Assert.Throws<SweepSpecException>(() => SweepSpec.Parse(spec, "spec")).Message, StringComparison.Ordinal);
    }

    private sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a));

        public int GetHashCode(double value) => 0;
    }
}
