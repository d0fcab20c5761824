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
        Assert.Equal("'/nonexistent/settings.json' does not exist.", Assert.Throws<ConfigFileException>(() => ConfigFile.Load("/nonexistent/settings.json")).Message);

    [Theory]
    [InlineData("a: &a {b: *a}\n", "alias '*a'")]
    [InlineData("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n", "alias '*a'")]
    [InlineData("width: 3\nwidth: 4\n", "the key 'width' is given twice")]
    [InlineData("a: 1\n---\nb: 2\n", "more than one YAML document")]
    public void HostileYamlIsRefusedWithoutExpandingAnything(string text, string expected)
    {
        var error = Assert.Throws<ConfigFileException>(() => ConfigFile.Load(Write(".yaml", text)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(".toml", "width = 3\nwidth = 4\n", "already defined")]
    [InlineData(".toml", "[grid]\nx = [1]\n[grid]\ny = [2]\n", "already defined")]
    [InlineData(".json", "{\"width\": 3, \"width\": 4}", "Duplicate property")]
    public void AKeyGivenTwiceIsAnError(string extension, string text, string expected)
    {
        var error = Assert.Throws<ConfigFileException>(() => ConfigFile.Load(Write(extension, text)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(".json")]
    [InlineData(".toml")]
    [InlineData(".yaml")]
    public void DeepNestingStopsAtTheDepthLimit(string extension)
    {
        string nested = new string('[', 100_000) + new string(']', 100_000);
        string text = extension == ".json" ? "{\"a\": " + nested + "}" : extension == ".toml" ? "a = " + nested + "\n" : "a: " + nested + "\n";
        Assert.Throws<ConfigFileException>(() => ConfigFile.Load(Write(extension, text)));
    }

    [Fact]
    public void DevZeroAFolderAndLatin1AreRefusedInPlainWords()
    {
        string link = Path.Combine(Path.GetTempPath(), $"config-{Guid.NewGuid():N}.toml");
        File.CreateSymbolicLink(link, "/dev/zero");
        Assert.Contains("is a device", Assert.Throws<ConfigFileException>(() => ConfigFile.Load(link)).Message, StringComparison.Ordinal);

        string folder = Path.Combine(Path.GetTempPath(), $"config-{Guid.NewGuid():N}.json");
        Directory.CreateDirectory(folder);
        Assert.Equal($"'{folder}' is a folder, not a settings file.", Assert.Throws<ConfigFileException>(() => ConfigFile.Load(folder)).Message);

        string latin1 = Path.Combine(Path.GetTempPath(), $"config-{Guid.NewGuid():N}.toml");
        File.WriteAllBytes(latin1, [(byte)'p', (byte)'=', (byte)'"', 0xE9, (byte)'"', (byte)'\n']);
        Assert.Contains("is not UTF-8 text", Assert.Throws<ConfigFileException>(() => ConfigFile.Load(latin1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotedYamlScalarsStayStrings()
    {
        var yaml = ConfigFile.Load(Write(".yaml", "a: '1'\nb: 1\nc: ~\nd: \"true\"\n"));
        Assert.Equal("1", yaml["a"]!.GetValue<string>());
        Assert.Equal(1L, yaml["b"]!.GetValue<long>());
        Assert.Null(yaml["c"]);
        Assert.Equal("true", yaml["d"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("widht", "width")]
    [InlineData("lr-const", "lr-constant")]
    [InlineData("sed", "seed")]
    public void ClosestMatchSuggestsTheIntendedKey(string typo, string expected) =>
        Assert.Equal(expected, ConfigFile.ClosestMatch(typo, ["width", "lr", "lr-constant", "seed", "steps", "target"]));
}
