using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Sharpness.Runs.Safety;

namespace Sharpness.Runs.Configuration;

/// <summary>A configuration file could not be read or has the wrong shape.</summary>
public sealed class ConfigFileException(string message) : Exception(message);

/// <summary>
/// Reads configuration files (JSON, TOML or YAML, chosen by the extension: .json, .toml,
/// .yaml/.yml) into a JSON object, so every format means the same thing. YAML plain scalars are
/// typed like JSON (true/false, null, integers and floating-point numbers; the rest strings);
/// quoted YAML scalars stay strings.
/// </summary>
/// <remarks>
/// Hostile files are refused, not expanded: the file must be a regular file of at most
/// <see cref="FileKindLimit.Settings"/>'s size and UTF-8 text; nesting is at most
/// <see cref="MaxDepth"/> levels in every format; a key given twice in one table is an error;
/// YAML aliases (<c>*name</c>) are refused, so recursive aliases and "billion laughs" documents
/// cannot expand; a YAML file holds one document.
/// </remarks>
public static class ConfigFile
{
    /// <summary>Deepest nesting of tables and lists accepted.</summary>
    public const int MaxDepth = 64;

    /// <summary>Loads a file whose top level is a table/object.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="ConfigFileException">Missing, not a regular file, too large, not UTF-8, unknown extension, malformed, or not an object at the top level.</exception>
    public static JsonObject Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            BoundedFile.Check(path, FileKindLimit.Settings);
        }
        catch (InputFileException e)
        {
            throw new ConfigFileException(e.Message);
        }

        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".json" or ".toml" or ".yaml" or ".yml"))
        {
            throw new ConfigFileException($"'{path}': unknown configuration format '{extension}'; use .json, .toml, .yaml or .yml.");
        }

        string text;
        try
        {
            text = BoundedFile.ReadAllText(path, FileKindLimit.Settings);
        }
        catch (InputFileException e)
        {
            throw new ConfigFileException(e.Message);
        }

        try
        {
            JsonNode? node = extension switch
            {
                ".json" => JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = MaxDepth, AllowDuplicateProperties = false }),
                ".toml" => FromToml(ParseToml(text, path)),
                _ => FromYaml(text, path),
            };
            return node as JsonObject ?? throw new ConfigFileException($"'{path}' must hold a table of settings (an object at the top level).");
        }
        catch (ConfigFileException)
        {
            throw;
        }
        catch (Exception e) when (e is JsonException or TomlException or YamlDotNet.Core.YamlException or InvalidOperationException or FormatException or ArgumentException)
        {
            string message = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
            throw new ConfigFileException($"'{path}' is not valid {extension.TrimStart('.').ToUpperInvariant().Replace("YML", "YAML", StringComparison.Ordinal)}: {message}");
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

    private static TomlTable ParseToml(string text, string path)
    {
        // The syntax pass rejects a key defined twice (the deserializer alone keeps the last one).
        SyntaxParser.ParseStrict(text, path, validate: true);
        return TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { MaxDepth = MaxDepth, SourceName = path })!;
    }

    // YAML is read event by event, so nothing is ever expanded: an alias is an error, not a copy.
    private static JsonNode? FromYaml(string text, string path)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(text));
        var stack = new Stack<(JsonNode Container, string? PendingKey)>();
        JsonNode? root = null;
        int documents = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            switch (current)
            {
                case YamlDotNet.Core.Events.DocumentStart:
                    if (++documents > 1)
                    {
                        throw new ConfigFileException($"'{path}' holds more than one YAML document; a settings file holds one.");
                    }

                    break;
                case YamlDotNet.Core.Events.AnchorAlias alias:
                    throw new ConfigFileException($"'{path}' uses the YAML alias '*{alias.Value}' (line {alias.Start.Line}); aliases are not allowed in settings files: write the values out.");
                case YamlDotNet.Core.Events.Scalar scalar when stack.Count > 0 && stack.Peek().Container is JsonObject && stack.Peek().PendingKey is null:
                {
                    var (container, _) = stack.Pop();
                    if (((JsonObject)container).ContainsKey(scalar.Value))
                    {
                        throw new ConfigFileException($"'{path}': the key '{scalar.Value}' is given twice (line {scalar.Start.Line}).");
                    }

                    stack.Push((container, scalar.Value));
                    break;
                }

                case YamlDotNet.Core.Events.Scalar scalar:
                    Add(YamlScalar(scalar));
                    break;
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (stack.Count > 0 && stack.Peek().Container is JsonObject && stack.Peek().PendingKey is null)
                    {
                        throw new ConfigFileException($"'{path}': a key must be a plain value, not a table or list (line {current.Start.Line}).");
                    }

                    if (stack.Count >= MaxDepth)
                    {
                        throw new ConfigFileException($"'{path}' nests tables and lists more than {MaxDepth} levels deep (line {current.Start.Line}).");
                    }

                    JsonNode container2 = current is YamlDotNet.Core.Events.MappingStart ? new JsonObject() : new JsonArray();
                    Add(container2);
                    stack.Push((container2, null));
                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    stack.Pop();
                    break;
            }
        }

        return root;

        void Add(JsonNode? node)
        {
            if (stack.Count == 0)
            {
                root = node;
                return;
            }

            var (container, key) = stack.Pop();
            if (container is JsonObject map)
            {
                map[key!] = node;
                stack.Push((container, null));
            }
            else
            {
                ((JsonArray)container).Add(node);
                stack.Push((container, key));
            }
        }
    }

    private static JsonNode? YamlScalar(YamlDotNet.Core.Events.Scalar scalar)
    {
        string s = scalar.Value;
        if (scalar.Style is not YamlDotNet.Core.ScalarStyle.Plain)
        {
            return JsonValue.Create(s);
        }

        if (s is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

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

        if (s is ".nan" or ".NaN" or ".NAN")
        {
            return JsonValue.Create(double.NaN);
        }

        if (s is ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF")
        {
            return JsonValue.Create(double.PositiveInfinity);
        }

        if (s is "-.inf" or "-.Inf" or "-.INF")
        {
            return JsonValue.Create(double.NegativeInfinity);
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && !double.IsNaN(d) && !double.IsInfinity(d)
            ? JsonValue.Create(d)
            : JsonValue.Create(s);
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
