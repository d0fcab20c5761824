using System.Text.Json.Nodes;
using Sharpness.Runs.Configuration;

namespace Sharpness.Runs.Tests.Configuration;

public class ConfigFileTests
{
    private static string Write(string extension, string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"config-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void JsonTomlAndYamlMeanTheSameThing()
    {
        var json = ConfigFile.Load(Write(".json", """{"width": 50, "lr": 0.25, "param": "mup", "json": true, "values": [1, 2.5], "grid": {"seed": {"range": [0, 3]}}}"""));
        var toml = ConfigFile.Load(Write(".toml", "width = 50\nlr = 0.25\nparam = \"mup\"\njson = true\nvalues = [1, 2.5]\n[grid]\nseed = { range = [0, 3] }\n"));
        var yaml = ConfigFile.Load(Write(".yaml", "width: 50\nlr: 0.25\nparam: mup\njson: true\nvalues: [1, 2.5]\ngrid:\n  seed: {range: [0, 3]}\n"));

        Assert.True(JsonNode.DeepEquals(json, toml), $"{json.ToJsonString()} vs {toml.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(json, yaml), $"{json.ToJsonString()} vs {yaml.ToJsonString()}");
    }

    [Theory]
    [InlineData(".json", "{not json")]
    [InlineData(".toml", "width = = 3")]
    [InlineData(".yaml", "a: [1, 2")]
    [InlineData(".json", "[1, 2]")]
    [InlineData(".ini", "width=3")]
    public void MalformedOrWrongShapeIsAClearError(string extension, string text)
    {
        string path = Write(extension, text);

        var error = Assert.Throws<ConfigFileException>(() => ConfigFile.Load(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void MissingFileIsAClearError() =>
        Assert.Contains("cannot read", Assert.Throws<ConfigFileException>(() => ConfigFile.Load("/nonexistent/settings.json")).Message);

    [Theory]
    [InlineData("widht", "width")]
    [InlineData("lr-const", "lr-constant")]
    [InlineData("sed", "seed")]
    public void ClosestMatchSuggestsTheIntendedKey(string typo, string expected) =>
        Assert.Equal(expected, ConfigFile.ClosestMatch(typo, ["width", "lr", "lr-constant", "seed", "steps", "target"]));
}
