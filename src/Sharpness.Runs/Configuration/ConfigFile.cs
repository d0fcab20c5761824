using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tomlyn;
using Tomlyn.Model;

namespace Sharpness.Runs.Configuration;

/// <summary>A configuration file could not be read or has the wrong shape.</summary>
public sealed class ConfigFileException(string message) : Exception(message);

/// <summary>
/// Reads configuration files (JSON, TOML or YAML, chosen by the extension: .json, .toml,
/// .yaml/.yml) into a JSON object, so every format means the same thing. YAML scalars are typed
/// like JSON: true/false, integers and floating-point numbers become numbers and booleans, the rest
/// strings.
/// </summary>
public static class ConfigFile
{
    /// <summary>Loads a file whose top level is a table/object.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="ConfigFileException">Missing, unreadable, unknown extension, malformed, or not an object at the top level.</exception>
    public static JsonObject Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ConfigFileException($"cannot read '{path}': {e.Message}");
        }

        string extension = Path.GetExtension(path).ToLowerInvariant();
        try
        {
            JsonNode? node = extension switch
            {
                ".json" => JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }),
                ".toml" => FromToml(TomlSerializer.Deserialize<TomlTable>(text)),
                ".yaml" or ".yml" => FromYaml(new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(text)),
                _ => throw new ConfigFileException($"'{path}': unknown configuration format '{extension}'; use .json, .toml, .yaml or .yml."),
            };
            return node as JsonObject ?? throw new ConfigFileException($"'{path}' must hold a table of settings (an object at the top level).");
        }
        catch (ConfigFileException)
        {
            throw;
        }
        catch (Exception e) when (e is JsonException or TomlException or YamlDotNet.Core.YamlException or InvalidOperationException or FormatException)
        {
            throw new ConfigFileException($"'{path}' is not valid {extension.TrimStart('.').ToUpperInvariant()}: {e.Message}");
        }
    }

    /// <summary>The valid name closest to <paramref name="name"/> (Levenshtein distance), for "did you mean" messages.</summary>
    /// <param name="name">The unknown name.</param>
    /// <param name="candidates">Valid names.</param>
    public static string? ClosestMatch(string name, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return candidates.MinBy(c => Distance(name, c));
    }

    private static JsonNode? FromToml(object? value) => value switch
    {
        null => null,
        TomlTable table => new JsonObject(table.Select(kv => KeyValuePair.Create(kv.Key, FromToml(kv.Value)))),
        TomlArray array => new JsonArray(array.Select(FromToml).ToArray()),
        TomlTableArray tables => new JsonArray(tables.Select(t => FromToml(t)).ToArray()),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static JsonNode? FromYaml(object? value) => value switch
    {
        null => null,
        IDictionary<object, object> map => new JsonObject(map.Select(kv => KeyValuePair.Create(Convert.ToString(kv.Key, CultureInfo.InvariantCulture)!, FromYaml(kv.Value)))),
        IList<object> list => new JsonArray(list.Select(FromYaml).ToArray()),
        string s => Scalar(s),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private static JsonNode Scalar(string s)
    {
        if (s is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (s is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l))
        {
            return JsonValue.Create(l);
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? JsonValue.Create(d) : JsonValue.Create(s);
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
