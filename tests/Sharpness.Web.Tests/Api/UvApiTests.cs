using System.Text.Json;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;
using Sharpness.Web.Tests.TestSupport;

namespace Sharpness.Web.Tests.Api;

public sealed class UvApiTests : IAsyncLifetime
{
    private readonly TempFolder _runs = new();
    private InMemoryExplorer _server = null!;

    public Task InitializeAsync()
    {
        _server = new InMemoryExplorer(_runs.Path);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _runs.Dispose();
    }

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    [Theory]
    [InlineData(0.5, 1.0, 0.2, 1000)]
    [InlineData(1.1, 1.0, 0.2, 1000)]
    [InlineData(1.35, 0.7, 0.31, 5000)]
    [InlineData(0.9, 2.9, -0.4, 300)]
    [InlineData(0.9, 3.1, -0.4, 300)]
    public async Task TrajectoryIsTheExactScaledMapToTheLastDigit(double r, double x0, double g0, int steps)
    {
        string url = FormattableString.Invariant($"/api/uv/trajectory?r={r:R}&x0={x0:R}&g0={g0:R}&steps={steps}");
        var (status, body) = await _server.GetJsonAsync(url);

        Assert.Equal(200, status);
        double[] g = Doubles(body.GetProperty("g"));
        double[] x = Doubles(body.GetProperty("x"));
        double[] lrSharpness = Doubles(body.GetProperty("lr_sharpness"));
        // N + 1 states (step 0 included), or up to the step at which the run diverged.
        int expected = body.GetProperty("diverged_at_step").ValueKind == JsonValueKind.Null ? steps + 1 : body.GetProperty("diverged_at_step").GetInt32() + 1;
        Assert.Equal(expected, g.Length);
        Assert.Equal(expected, x.Length);
        Assert.Equal(expected, lrSharpness.Length);
        var state = new UvScaledState(g0, x0);
        for (int t = 0; t < expected; t++)
        {
            // Bit for bit: the JSON numbers read back to the very doubles of the library's map.
            Assert.Equal(BitConverter.DoubleToInt64Bits(state.G), BitConverter.DoubleToInt64Bits(g[t]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(state.X), BitConverter.DoubleToInt64Bits(x[t]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(UvSharpness.ScaledHessian(state, r, 2)), BitConverter.DoubleToInt64Bits(lrSharpness[t]));
            state = UvScaledMap.Step(state, r);
        }
    }

    [Fact]
    public async Task TrajectoryReportsThePeriodAndLyapunovExponentOfItsTail()
    {
        // r = 1.1 settles on the closed-form 2-cycle of docs/uv-model.md section 6 (stable for 1 < r < √5 − 1).
        var (_, twoCycle) = await _server.GetJsonAsync("/api/uv/trajectory?r=1.1&x0=1&g0=0.2&steps=4000");
        Assert.Equal(2, twoCycle.GetProperty("period").GetInt32());
        Assert.True(twoCycle.GetProperty("lyapunov").GetDouble() < 0);
        var (plus, minus) = UvFixedPoints.TwoCycle(1.1);
        double[] x = Doubles(twoCycle.GetProperty("x"));
        var tail = new[] { x[^1], x[^2] }.Order().ToArray();
        Assert.Equal(minus.X, tail[0], 10);
        Assert.Equal(plus.X, tail[1], 10);

        // r = 1.8 is chaotic on the manifold: a positive exponent and no period.
        var (_, chaos) = await _server.GetJsonAsync("/api/uv/trajectory?r=1.8&x0=1&g0=0.2&steps=20000");
        Assert.Equal(JsonValueKind.Null, chaos.GetProperty("period").ValueKind);
        Assert.True(chaos.GetProperty("lyapunov").GetDouble() > 0.01);
        Assert.Contains("chaos", chaos.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public async Task PhysicalStartMatchesParameterSpaceGradientDescent()
    {
        // Second path: the weights trained in parameter space must follow the scaled map from the start the API reports.
        var (status, start) = await _server.GetJsonAsync("/api/uv/physical?width=64&param=mup&init_scale=1&target=1&seed=3&lr_constant=1.8");
        Assert.Equal(200, status);
        double r = start.GetProperty("r").GetDouble();
        double x0 = start.GetProperty("x0").GetDouble();
        double g0 = start.GetProperty("g0").GetDouble();
        double eta = start.GetProperty("learning_rate").GetDouble();
        var physical = UvGradientDescent.Run(
            new UvModelConfig { Width = 64, Parameterisation = Parameterisation.MuP, Seed = 3 },
            new UvTrainingConfig { LearningRate = LearningRateSpec.RelativeToInitialSharpness(1.8), Steps = 60 });
        Assert.Equal(physical.LearningRate, eta, 12);
        var (_, trajectory) = await _server.GetJsonAsync(FormattableString.Invariant($"/api/uv/trajectory?r={r:R}&x0={x0:R}&g0={g0:R}&steps=60"));
        double[] x = Doubles(trajectory.GetProperty("x"));
        double[] lrSharpness = Doubles(trajectory.GetProperty("lr_sharpness"));
        for (int t = 0; t <= 60; t++)
        {
            Assert.Equal(physical.Records[t].LrNtk, x[t], 1e-9 * Math.Max(1, Math.Abs(x[t])));
            Assert.Equal(physical.Records[t].LrSharpness, lrSharpness[t], 1e-9 * Math.Max(1, Math.Abs(x[t])));
        }
    }

    [Fact]
    public async Task OrbitDiagramBinsEveryKeptStateAndFindsTheTwoCycle()
    {
        var (status, body) = await _server.GetJsonAsync("/api/uv/orbit?r_min=1.05&r_max=1.2&points=16&transient=3000&keep=64&rows=397&v_min=0&v_max=4");
        Assert.Equal(200, status);
        double[] r = Doubles(body.GetProperty("r"));
        Assert.Equal(16, r.Length);
        Assert.Equal(1.05, r[0], 15);
        Assert.Equal(1.2, r[^1], 15);
        var columns = body.GetProperty("columns").EnumerateArray().Select(c => c.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        for (int i = 0; i < r.Length; i++)
        {
            int[] pairs = columns[i];
            int total = 0;
            for (int k = 1; k < pairs.Length; k += 2)
            {
                total += pairs[k];
            }

            Assert.Equal(64, total);
            Assert.Equal(2, body.GetProperty("period")[i].GetInt32());
            // The two rows hit are those of the closed-form cycle x± = 2g±.
            var (plus, minus) = UvFixedPoints.TwoCycle(r[i]);
            int Row(double v) => (int)(v * (397 / 4.0));
            Assert.Equal(new[] { Row(minus.X), Row(plus.X) }, new[] { pairs[0], pairs[2] });
        }
    }

    [Fact]
    public async Task VectorFieldIsOneStepOfTheMapAndFixedPointsHaveTheirClosedFormMultipliers()
    {
        var (_, body) = await _server.GetJsonAsync("/api/uv/field?r=1.1&g_min=-1&g_max=2&x_min=0&x_max=4&grid=7");
        double[] g = Doubles(body.GetProperty("g"));
        double[] x = Doubles(body.GetProperty("x"));
        double[] dg = Doubles(body.GetProperty("dg"));
        double[] dx = Doubles(body.GetProperty("dx"));
        for (int j = 0; j < 7; j++)
        {
            for (int i = 0; i < 7; i++)
            {
                var next = UvScaledMap.Step(new UvScaledState(g[i], x[j]), 1.1);
                Assert.Equal(next.G - g[i], dg[(j * 7) + i]);
                Assert.Equal(next.X - x[j], dx[(j * 7) + i]);
            }
        }

        var cycle = body.GetProperty("fixed_points").EnumerateArray().Single(p => p.GetProperty("period").GetInt32() == 2);
        // Along the manifold the 2-cycle's multiplier is 9 − 2(1 + r)² (docs/uv-model.md section 6).
        double expected = 9 - (2 * 2.1 * 2.1);
        var multipliers = cycle.GetProperty("multipliers").EnumerateArray().Select(m => m[0].GetDouble()).ToArray();
        Assert.Contains(multipliers, m => Math.Abs(m - expected) < 1e-8);
        Assert.True(cycle.GetProperty("stable").GetBoolean());
    }

    [Fact]
    public async Task CascadeStartsAtTheClosedFormFlipPoints()
    {
        var (status, body) = await _server.GetJsonAsync("/api/uv/cascade?max_period=16");
        Assert.Equal(200, status);
        var flips = body.GetProperty("flips").EnumerateArray().ToArray();
        Assert.Equal(1.0, flips[0].GetProperty("r").GetDouble(), 10);
        Assert.Equal(Math.Sqrt(5) - 1, flips[1].GetProperty("r").GetDouble(), 10);
        Assert.Equal(16, flips[^1].GetProperty("to").GetInt32());
    }

    [Fact]
    public async Task PhaseDiagramMarksUnrealisableCellsAndLabelsTheOthers()
    {
        var (status, body) = await _server.GetJsonAsync("/api/uv/phase?c_min=0.1&c_max=3.9&c_points=4&r_min=0.1&r_max=0.5&r_points=2&output_ratio=1&steps=500");
        Assert.Equal(200, status);
        double[] c = Doubles(body.GetProperty("c"));
        double[] r = Doubles(body.GetProperty("r"));
        int[] cells = body.GetProperty("categories").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        for (int i = 0; i < r.Length; i++)
        {
            for (int j = 0; j < c.Length; j++)
            {
                // Cauchy–Schwarz: no weights give x0 < 2|g0| with g0 = r (f0 = y).
                Assert.Equal(c[j] < 2 * r[i], cells[(i * c.Length) + j] == -1);
            }
        }
    }

    [Theory]
    [InlineData("/api/uv/trajectory?r=abc", "r: expected a number")]
    [InlineData("/api/uv/trajectory?r=NaN", "r: must be finite")]
    [InlineData("/api/uv/trajectory?x0=Infinity", "x0: must be finite")]
    [InlineData("/api/uv/trajectory?steps=1000001", "steps: must be an integer in [0, 1000000]")]
    [InlineData("/api/uv/trajectory?steps=-1", "steps: must be an integer in [0, 1000000]")]
    [InlineData("/api/uv/trajectory?steps=1.5", "steps: expected an integer")]
    [InlineData("/api/uv/trajectory?step=10", "step: unknown parameter")]
    [InlineData("/api/uv/trajectory?r=1&r=2", "r: given 2 times")]
    [InlineData("/api/uv/orbit?points=4001", "points: must be an integer in [2, 4000]")]
    [InlineData("/api/uv/orbit?points=4000&transient=1000000", "points: points x (transient + keep)")]
    [InlineData("/api/uv/orbit?r_min=2&r_max=1", "r_max: must exceed r_min")]
    [InlineData("/api/uv/orbit?quantity=y", "quantity: expected x or lr_sharpness or g")]
    [InlineData("/api/uv/field?grid=1000", "grid: must be an integer in [2, 101]")]
    [InlineData("/api/uv/phase?c_points=4000&r_points=4000", "c_points: c_points x r_points")]
    [InlineData("/api/uv/cascade?max_period=12", "max_period: must be a power of two")]
    [InlineData("/api/uv/physical?param=xyz", "param: expected ntp, mup, sp or s=VALUE")]
    public async Task InvalidParametersGet400WithOneLineNamingThem(string url, string expected)
    {
        using var response = await _server.Client.GetAsync(url);
        string text = await response.Content.ReadAsStringAsync();

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.DoesNotContain('\n', text);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        string error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthReportsTheVersion()
    {
        var (status, body) = await _server.GetJsonAsync("/api/health");
        Assert.Equal(200, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(Sharpness.Runs.ToolkitInfo.Version, body.GetProperty("version").GetString());
    }
}
