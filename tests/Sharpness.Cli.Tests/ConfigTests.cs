using System.Text.Json;

namespace Sharpness.Cli.Tests;

public class ConfigTests
{
    private static string Write(string extension, string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"cli-config-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void SettingsFromTheFileApplyAndTheCommandLineOverridesThem()
    {
        string config = Write(".toml", "width = 50\nparam = \"mup\"\nlr_constant = 1.5\nsteps = 30\njson = true\n");

        var (code, output, error) = CliRunner.Run("uv", "simulate", "--config", config, "--steps", "10");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var configuration = json.RootElement.GetProperty("configuration");
        Assert.Equal(50, configuration.GetProperty("width").GetInt32());
        Assert.Equal("mup", configuration.GetProperty("param").GetString());
        Assert.Equal(1.5, configuration.GetProperty("lr_constant").GetDouble());
        Assert.Equal(10, configuration.GetProperty("steps").GetInt32());
    }

    [Fact]
    public void ConfiguredRunEqualsTheSameRunFromFlags()
    {
        string a = CliRunner.NewTemporaryFolder();
        string b = CliRunner.NewTemporaryFolder();
        string config = Write(".yaml", $"width: 40\nseed: 3\nlr: 0.9\nout: {b}\n");

        Assert.Equal(0, CliRunner.Run("uv", "simulate", "--width", "40", "--seed", "3", "--lr", "0.9", "--out", a).ExitCode);
        Assert.Equal(0, CliRunner.Run("uv", "simulate", "--config", config).ExitCode);

        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "trajectory.csv")), File.ReadAllBytes(Path.Combine(b, "trajectory.csv")));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(b, "manifest.json")));
        Assert.Contains("--config", manifest.RootElement.GetProperty("arguments").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(40, manifest.RootElement.GetProperty("configuration").GetProperty("width").GetInt32());
    }

    [Fact]
    public void RepeatableOptionsTakeLists()
    {
        string dir = CliRunner.NewTemporaryFolder();
        string config = Write(".json", $$"""{"trajectory": ["0.1,1", "0.2,1.5"], "r": 0.7, "trajectory-steps": 3, "out": "{{dir}}"}""");

        var (code, _, error) = CliRunner.Run("uv", "field", "--config", config);

        Assert.True(code == 0, error);
        Assert.Equal(1 + (2 * 4), File.ReadAllLines(Path.Combine(dir, "trajectories.csv")).Length);
    }

    [Theory]
    [InlineData(".json", """{"widht": 5}""", "did you mean 'width'")]
    [InlineData(".json", """{"width": "abc"}""", "--width")]
    [InlineData(".json", """{"json": 3}""", "true or false")]
    [InlineData(".json", """{"width": {"a": 1}}""", "must be a number")]
    [InlineData(".toml", "width = [", "not valid TOML")]
    public void BadSettingsExitWithTwoNamingTheProblem(string extension, string text, string expected)
    {
        string dir = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "simulate", "--config", Write(extension, text), "--out", dir);

        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.False(Directory.Exists(dir));
    }
}
