using System.Globalization;
using System.Text.Json;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Cli.Tests.Commands;

public class UvSimulateCommandTests
{
    [Fact]
    public void WritesTheTrajectoryAtFullPrecisionAndACompleteManifest()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run("uv", "simulate", "--width", "50", "--param", "mup", "--lr", "0.7", "--steps", "40", "--seed", "3", "--out", dir);

        Assert.True(code == 0, error);
        Assert.Contains("regimes (lambda_H):", output);
        string[] lines = File.ReadAllLines(Path.Combine(dir, "trajectory.csv"));
        Assert.Equal("step,loss,f,residual,ntk,sharpness,lr_ntk,lr_sharpness,q", lines[0]);
        Assert.Equal(42, lines.Length);

        // The same run through the library: every number must round-trip exactly.
        var expected = UvGradientDescent.Run(
            new UvModelConfig { Width = 50, Parameterisation = Parameterisation.MuP, Seed = 3 },
            new UvTrainingConfig { LearningRate = LearningRateSpec.Absolute(0.7), Steps = 40 });
        for (int t = 0; t <= 40; t++)
        {
            double[] row = lines[t + 1].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var r = expected.Records[t];
            Assert.Equal([t, r.Loss, r.Output, r.Residual, r.Ntk, r.Sharpness, r.LrNtk, r.LrSharpness, r.Q], row);
        }

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        var root = manifest.RootElement;
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal("uv simulate", root.GetProperty("command").GetString());
        Assert.Equal(3UL, root.GetProperty("seed").GetUInt64());
        var configuration = root.GetProperty("configuration");
        Assert.Equal(50, configuration.GetProperty("width").GetInt32());
        Assert.Equal("mup", configuration.GetProperty("param").GetString());
        Assert.Equal(0.7, configuration.GetProperty("lr").GetDouble());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("results").GetProperty("labels").ValueKind);
        Assert.False(root.GetProperty("results").GetProperty("diverged").GetBoolean());
        Assert.True(DateTimeOffset.Parse(root.GetProperty("started_utc").GetString()!, CultureInfo.InvariantCulture) <= DateTimeOffset.Parse(root.GetProperty("finished_utc").GetString()!, CultureInfo.InvariantCulture));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("toolkit").GetProperty("version").GetString()));
        Assert.Empty(Directory.GetFiles(dir, "*.partial"));
    }

    [Fact]
    public void JsonSummaryReportsTheTwoCycleOfTestVectorThree()
    {
        string init = Path.Combine(Path.GetTempPath(), $"tv3-{Guid.NewGuid():N}.json");
        File.WriteAllText(init, """{"u": [1, 1, 1, 1], "v": [1, 1, 1, 1]}""");

        var (code, output, error) = CliRunner.Run("uv", "simulate", "--init-file", init, "--normalizer", "2", "--lr", "2.1", "--steps", "300", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.Equal(1.05, results.GetProperty("r").GetDouble(), 12);
        Assert.Equal(2, results.GetProperty("period").GetInt32());
        Assert.Contains("eos-period-2", results.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(4, json.RootElement.GetProperty("configuration").GetProperty("width").GetInt32());
    }

    [Fact]
    public void LearningRateConstantSetsEtaFromTheInitialHessianSharpness()
    {
        var (code, output, error) = CliRunner.Run("uv", "simulate", "--lr-constant", "1.5", "--steps", "5", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(1.5, json.RootElement.GetProperty("results").GetProperty("initial").GetProperty("lr_sharpness").GetDouble(), 12);
    }

    [Fact]
    public void GeneralInitFileWithMatrixAndInputIsAccepted()
    {
        string init = Path.Combine(Path.GetTempPath(), $"init-{Guid.NewGuid():N}.json");
        File.WriteAllText(init, """{"U": [[0.5, 0.1], [-0.3, 0.2], [0.8, 0.0]], "v": [0.2, 0.4, -0.6], "x": [1.0, 2.0]}""");

        var (code, output, error) = CliRunner.Run("uv", "simulate", "--init-file", init, "--steps", "3", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var configuration = json.RootElement.GetProperty("configuration");
        Assert.Equal(2, configuration.GetProperty("input_dim").GetInt32());
        // f₀ = vᵀUx / S with S = √3 (NTP, n = 3).
        double f0 = ((0.2 * 0.7) + (0.4 * 0.1) + (-0.6 * 0.8)) / Math.Sqrt(3);
        Assert.Equal(f0, json.RootElement.GetProperty("results").GetProperty("initial").GetProperty("f").GetDouble(), 14);
    }

    [Fact]
    public void DivergedRunIsAResultWithItsDataKept()
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run("uv", "simulate", "--lr-constant", "6", "--target", "0", "--steps", "500", "--out", dir, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var results = json.RootElement.GetProperty("results");
        Assert.True(results.GetProperty("diverged").GetBoolean());
        int divergedAt = results.GetProperty("diverged_at_step").GetInt32();
        Assert.Contains("divergence", results.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        string[] lines = File.ReadAllLines(Path.Combine(dir, "trajectory.csv"));
        Assert.InRange(lines.Length - 1, 2, divergedAt + 1);
        Assert.True(File.Exists(Path.Combine(dir, "manifest.json")));
    }

    [Theory]
    [InlineData("--width", "0", "--width")]
    [InlineData("--width", "-3", "--width")]
    [InlineData("--width", "abc", "--width")]
    [InlineData("--lr", "0", "--lr")]
    [InlineData("--lr", "-1", "--lr")]
    [InlineData("--lr", "NaN", "--lr")]
    [InlineData("--lr", "Infinity", "--lr")]
    [InlineData("--lr-constant", "0", "--lr-constant")]
    [InlineData("--param", "ntk", "--param")]
    [InlineData("--param", "s=2", "--param")]
    [InlineData("--init-scale", "0", "--init-scale")]
    [InlineData("--normalizer", "-2", "--normalizer")]
    [InlineData("--target", "NaN", "--target")]
    [InlineData("--weight-decay", "-0.1", "--weight-decay")]
    [InlineData("--steps", "-1", "--steps")]
    [InlineData("--input-dim", "0", "--input-dim")]
    [InlineData("--divergence-threshold", "0", "--divergence-threshold")]
    public void InvalidOptionExitsWithTwoNamingTheOptionAndWritesNothing(string option, string value, string named)
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, output, error) = CliRunner.Run("uv", "simulate", option, value, "--out", dir);

        Assert.Equal(2, code);
        Assert.Contains(named, error);
        Assert.Equal(string.Empty, output);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void BothLearningRateOptionsAreRejected()
    {
        var (code, _, error) = CliRunner.Run("uv", "simulate", "--lr", "0.1", "--lr-constant", "1");

        Assert.Equal(2, code);
        Assert.Contains("--lr", error);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"u": [1, 2], "v": [1, 2, 3]}""", "same length")]
    [InlineData("""{"u": [1, "a"], "v": [1, 2]}""", "finite number")]
    [InlineData("""{"v": [1, 2]}""", "exactly one of")]
    [InlineData("""{"U": [[1, 2], [3]], "v": [1, 2], "x": [1, 1]}""", "row 1")]
    [InlineData("""{"U": [[1, 2], [3, 4]], "v": [1, 2]}""", "\"x\" is required")]
    [InlineData("""[1, 2]""", "JSON object")]
    [InlineData("""{"u": [], "v": []}""", "at least one")]
    public void MalformedInitFileExitsWithTwo(string content, string expected)
    {
        string init = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(init, content);
        string dir = CliRunner.NewTemporaryFolder();

        var (code, _, error) = CliRunner.Run("uv", "simulate", "--init-file", init, "--out", dir);

        Assert.Equal(2, code);
        Assert.Contains("--init-file", error);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void MissingInitFileAndWidthMismatchExitWithTwo()
    {
        var missing = CliRunner.Run("uv", "simulate", "--init-file", "/nonexistent/weights.json");
        string init = Path.Combine(Path.GetTempPath(), $"w-{Guid.NewGuid():N}.json");
        File.WriteAllText(init, """{"u": [1, 2], "v": [1, 2]}""");
        var mismatch = CliRunner.Run("uv", "simulate", "--init-file", init, "--width", "3");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--init-file", missing.Error);
        Assert.Equal(2, mismatch.ExitCode);
        Assert.Contains("--width", mismatch.Error);
    }

    [Fact]
    public void OutputFolderHoldingAnotherRunIsRefusedAndLeftUntouched()
    {
        string dir = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, CliRunner.Run("uv", "simulate", "--steps", "5", "--out", dir).ExitCode);
        string trajectory = File.ReadAllText(Path.Combine(dir, "trajectory.csv"));
        string manifest = File.ReadAllText(Path.Combine(dir, "manifest.json"));

        var (code, _, error) = CliRunner.Run("uv", "simulate", "--steps", "7", "--out", dir);

        Assert.Equal(2, code);
        Assert.Contains("--out", error);
        Assert.Equal(trajectory, File.ReadAllText(Path.Combine(dir, "trajectory.csv")));
        Assert.Equal(manifest, File.ReadAllText(Path.Combine(dir, "manifest.json")));
    }

    [Fact]
    public void OutputFolderWithForeignFilesIsRefused()
    {
        string dir = CliRunner.NewTemporaryFolder();
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "mine");

        var (code, _, error) = CliRunner.Run("uv", "simulate", "--out", dir);

        Assert.Equal(2, code);
        Assert.Contains("not empty", error);
        Assert.Equal(["notes.txt"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void SameSeedGivesIdenticalFiles()
    {
        string a = CliRunner.NewTemporaryFolder();
        string b = CliRunner.NewTemporaryFolder();
        CliRunner.Run("uv", "simulate", "--width", "300", "--seed", "8", "--out", a);
        CliRunner.Run("uv", "simulate", "--width", "300", "--seed", "8", "--out", b);

        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "trajectory.csv")), File.ReadAllBytes(Path.Combine(b, "trajectory.csv")));
    }

    [Fact]
    public void HelpListsEveryOptionAndExitsWithZero()
    {
        var (code, output, _) = CliRunner.Run("uv", "simulate", "--help");

        Assert.Equal(0, code);
        foreach (string option in new[] { "--width", "--input-dim", "--param", "--init-scale", "--normalizer", "--target", "--lr", "--lr-constant", "--weight-decay", "--steps", "--seed", "--init-file", "--divergence-threshold", "--out", "--json" })
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public void UnknownCommandExitsWithTwo()
    {
        var (code, _, error) = CliRunner.Run("uv", "simulat");

        Assert.Equal(2, code);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
