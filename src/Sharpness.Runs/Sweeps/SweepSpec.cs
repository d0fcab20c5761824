using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Runs.Configuration;

namespace Sharpness.Runs.Sweeps;

/// <summary>A sweep specification is malformed; the message names the key and what was expected.</summary>
public sealed class SweepSpecException(string message) : Exception(message);

/// <summary>One axis of a sweep: an option name and the values it takes.</summary>
/// <param name="Name">Option name without dashes (for example "lr-constant").</param>
/// <param name="Values">The values, in order.</param>
public sealed record SweepAxis(string Name, IReadOnlyList<JsonNode> Values);

/// <summary>
/// A sweep: a command, settings shared by every point (<c>base</c>), axes (<c>grid</c>) crossed
/// with each other except groups listed in <c>zip</c>, which move together.
/// </summary>
/// <remarks>
/// Axis values are a list, or one of <c>{"range": [start, stop, step]}</c> (stop excluded, step 1 by
/// default), <c>{"linspace": [a, b, n]}</c>, <c>{"logspace": [a, b, n]}</c> (n values from a to b,
/// evenly spaced in log), or <c>{"values": [...]}</c>.
/// </remarks>
public sealed record SweepSpec
{
    private static readonly string[] Keys = ["command", "base", "grid", "zip", "out"];

    // Integers up to 2^53 are exact in a double, so a range of them can be written as integers.
    private const double MaxExactInteger = 9007199254740992;

    /// <summary>The command, for example "uv simulate".</summary>
    public required string Command { get; init; }

    /// <summary>Settings shared by every point (option names as keys).</summary>
    public required JsonObject Base { get; init; }

    /// <summary>The axes, in the order given.</summary>
    public required IReadOnlyList<SweepAxis> Axes { get; init; }

    /// <summary>Groups of axis names that move together (equal lengths).</summary>
    public required IReadOnlyList<IReadOnlyList<string>> Zipped { get; init; }

    /// <summary>The results folder named in the spec, if any.</summary>
    public string? Out { get; init; }

    /// <summary>Reads a spec file (JSON, TOML or YAML).</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="SweepSpecException">The file cannot be read or the spec is malformed.</exception>
    public static SweepSpec Load(string path)
    {
        try
        {
            return Parse(ConfigFile.Load(path), path);
        }
        catch (ConfigFileException e)
        {
            throw new SweepSpecException(e.Message);
        }
    }

    /// <summary>Checks and interprets a spec.</summary>
    /// <param name="spec">The spec as a JSON object.</param>
    /// <param name="source">Where it came from (for messages).</param>
    /// <exception cref="SweepSpecException">The spec is malformed.</exception>
    public static SweepSpec Parse(JsonObject spec, string source)
    {
        ArgumentNullException.ThrowIfNull(spec);
        foreach (var (key, _) in spec)
        {
            if (!Keys.Contains(key))
            {
                throw new SweepSpecException($"'{source}': unknown key '{key}'; did you mean '{ConfigFile.ClosestMatch(key, Keys)}'? (a spec has command, base, grid, zip, out)");
            }
        }

        string command = spec["command"] is JsonValue c && c.GetValueKind() == JsonValueKind.String
            ? c.GetValue<string>().Trim()
            : throw new SweepSpecException($"'{source}': \"command\" must name the command to sweep, for example \"uv simulate\".");
        var baseSettings = spec["base"] switch
        {
            null => new JsonObject(),
            JsonObject o => (JsonObject)o.DeepClone(),
            _ => throw new SweepSpecException($"'{source}': \"base\" must be a table of settings."),
        };
        if (spec["grid"] is not JsonObject grid || grid.Count == 0)
        {
            throw new SweepSpecException($"'{source}': \"grid\" must be a non-empty table of axes (option name = list of values).");
        }

        var axes = grid.Select(kv => new SweepAxis(Normalise(kv.Key), Values(kv.Key, kv.Value, source))).ToList();
        foreach (var name in axes.Select(a => a.Name).Concat(baseSettings.Select(kv => Normalise(kv.Key))))
        {
            if (name == "out")
            {
                throw new SweepSpecException($"'{source}': \"out\" is set by the sweep for each point; give the results folder as the spec's top-level \"out\" or --out.");
            }
        }

        var duplicate = axes.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new SweepSpecException($"'{source}': axis '{duplicate.Key}' appears twice in \"grid\".");
        }

        foreach (var (key, value) in baseSettings)
        {
            CheckScalar(value, $"base setting '{key}'", source);
            if (value is JsonArray list)
            {
                foreach (var item in list)
                {
                    CheckScalar(item, $"base setting '{key}'", source);
                }
            }
        }

        var duplicateBase = baseSettings.GroupBy(kv => Normalise(kv.Key)).FirstOrDefault(g => g.Count() > 1);
        if (duplicateBase is not null)
        {
            throw new SweepSpecException($"'{source}': \"base\" sets '{duplicateBase.Key}' twice ({string.Join(" and ", duplicateBase.Select(kv => kv.Key))}).");
        }

        var zipped = ParseZip(spec["zip"], axes, source);
        CheckDistinctPoints(axes, zipped, source);
        string? outFolder = spec["out"] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => throw new SweepSpecException($"'{source}': \"out\" must be a folder path."),
        };
        return new SweepSpec { Command = command, Base = baseSettings, Axes = axes, Zipped = zipped, Out = outFolder };
    }

    private static string Normalise(string key) => key.TrimStart('-').Replace('_', '-');

    // Two equal points would share one run folder (and, in shards, write it twice): every axis
    // outside a zip group must hold distinct values, every zip group distinct tuples. Values are
    // compared as the command would see them (256 and 256.0 are one point).
    private static void CheckDistinctPoints(List<SweepAxis> axes, IReadOnlyList<IReadOnlyList<string>> zipped, string source)
    {
        foreach (var axis in axes.Where(a => !zipped.Any(g => g.Contains(a.Name))))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var value in axis.Values)
            {
                if (!seen.Add(Text(value)))
                {
                    throw new SweepSpecException($"'{source}': axis '{axis.Name}' holds the value {Text(value)} twice; every point must differ (they would share one run folder).");
                }
            }
        }

        foreach (var group in zipped)
        {
            var members = group.Select(name => axes.First(a => a.Name == name)).ToList();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < members[0].Values.Count; i++)
            {
                string tuple = string.Join('\n', members.Select(m => Text(m.Values[i])));
                if (!seen.Add(tuple))
                {
                    throw new SweepSpecException($"'{source}': zip group [{string.Join(", ", group)}] holds ({tuple.Replace('\n', ',')}) twice; every point must differ.");
                }
            }
        }
    }

    private static IReadOnlyList<IReadOnlyList<string>> ParseZip(JsonNode? zip, List<SweepAxis> axes, string source)
    {
        if (zip is null)
        {
            return [];
        }

        if (zip is not JsonArray groups)
        {
            throw new SweepSpecException($"'{source}': \"zip\" must be a list of groups of axis names, for example [[\"lr\", \"width\"]].");
        }

        var result = new List<IReadOnlyList<string>>();
        var used = new HashSet<string>();
        foreach (var group in groups)
        {
            if (group is not JsonArray names || names.Count < 2)
            {
                throw new SweepSpecException($"'{source}': each \"zip\" group must list at least two axis names.");
            }

            var list = names.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Normalise(v.GetValue<string>()) : throw new SweepSpecException($"'{source}': \"zip\" groups hold axis names.")).ToList();
            foreach (string name in list)
            {
                var axis = axes.FirstOrDefault(a => a.Name == name) ?? throw new SweepSpecException($"'{source}': \"zip\" names '{name}', which is not an axis of \"grid\".");
                if (!used.Add(name))
                {
                    throw new SweepSpecException($"'{source}': axis '{name}' is in two \"zip\" groups.");
                }

                int length = axes.First(a => a.Name == list[0]).Values.Count;
                if (axis.Values.Count != length)
                {
                    throw new SweepSpecException($"'{source}': zipped axes must have equal lengths ('{list[0]}' has {length} values, '{name}' has {axis.Values.Count}).");
                }
            }

            result.Add(list);
        }

        return result;
    }

    private static IReadOnlyList<JsonNode> Values(string key, JsonNode? node, string source)
    {
        List<JsonNode> values = node switch
        {
            JsonArray array => array.Select(v => v?.DeepClone() ?? throw new SweepSpecException($"'{source}': axis '{key}' has a null value.")).ToList(),
            JsonObject form when form.Count == 1 => Generated(key, form.First().Key, form.First().Value, source),
            JsonValue => throw new SweepSpecException($"'{source}': axis '{key}' must be a list of values (a single value belongs in \"base\")."),
            _ => throw new SweepSpecException($"'{source}': axis '{key}' must be a list or one of {{range|linspace|logspace|values: [...]}}."),
        };
        if (values.Count == 0)
        {
            throw new SweepSpecException($"'{source}': axis '{key}' is empty.");
        }

        if (values.Any(v => v is not JsonValue))
        {
            throw new SweepSpecException($"'{source}': axis '{key}' values must be numbers, strings or true/false.");
        }

        foreach (var value in values)
        {
            CheckScalar(value, $"axis '{key}'", source);
        }

        return values;
    }

    /// <summary>
    /// Refuses a value no command could take: a number that is not finite (NaN or an infinity,
    /// which TOML and YAML can write) or a string holding a control character (a NUL byte, a line
    /// break); the message names where the value is.
    /// </summary>
    /// <param name="value">A JSON scalar.</param>
    /// <param name="where">Where it is, for the message ("axis 'lr'", "base setting 'steps'").</param>
    /// <param name="source">The spec file.</param>
    /// <exception cref="SweepSpecException">The value is not usable.</exception>
    public static void CheckScalar(JsonNode? value, string where, string source)
    {
        if (value is not JsonValue scalar)
        {
            return;
        }

        switch (scalar.GetValueKind())
        {
            case JsonValueKind.Number when !double.IsFinite(Number(scalar)):
                throw new SweepSpecException($"'{source}': {where} holds {Number(scalar).ToString(CultureInfo.InvariantCulture)}; values must be finite numbers.");
            case JsonValueKind.String when scalar.GetValue<string>().Any(char.IsControl):
                throw new SweepSpecException($"'{source}': {where} holds the text '{Safety.PathSegment.Printable(scalar.GetValue<string>())}' with a control character; values must be plain text.");
        }
    }

    private static List<JsonNode> Generated(string key, string form, JsonNode? arguments, string source)
    {
        double[] a = arguments is JsonArray array && array.All(v => v is JsonValue x && x.GetValueKind() == JsonValueKind.Number)
            ? array.Select(v => Number((JsonValue)v!)).ToArray()
            : form == "values" && arguments is JsonArray raw ? [] : throw new SweepSpecException($"'{source}': axis '{key}': \"{form}\" takes a list of numbers.");
        if (a.Any(v => !double.IsFinite(v)))
        {
            throw new SweepSpecException($"'{source}': axis '{key}': \"{form}\" takes finite numbers, got [{string.Join(", ", a.Select(v => v.ToString(CultureInfo.InvariantCulture)))}].");
        }
        switch (form)
        {
            case "values":
                return ((JsonArray)arguments!).Select(v => v!.DeepClone()).ToList();
            case "range" when a.Length is 2 or 3:
            {
                double step = a.Length == 3 ? a[2] : 1;
                if (!(step != 0) || !double.IsFinite(step) || Math.Abs((a[1] - a[0]) / step) > 1e6)
                {
                    throw new SweepSpecException($"'{source}': axis '{key}': range step must be nonzero and give at most a million values.");
                }

                var list = new List<JsonNode>();
                bool integral = a.All(v => v == Math.Floor(v) && Math.Abs(v) <= MaxExactInteger);
                for (int i = 0; step > 0 ? a[0] + (i * step) < a[1] : a[0] + (i * step) > a[1]; i++)
                {
                    double v = a[0] + (i * step);
                    list.Add(integral && Math.Abs(v) <= MaxExactInteger ? JsonValue.Create((long)v) : JsonValue.Create(v));
                }

                return list;
            }

            case "linspace" or "logspace" when a.Length == 3 && a[2] >= 1 && a[2] == Math.Floor(a[2]) && a[2] <= 1e6:
            {
                int n = (int)a[2];
                if (form == "logspace" && !(a[0] > 0 && a[1] > 0))
                {
                    throw new SweepSpecException($"'{source}': axis '{key}': logspace needs positive ends.");
                }

                return Enumerable.Range(0, n).Select(i =>
                {
                    double t = n == 1 ? 0 : (double)i / (n - 1);
                    double v = form == "linspace" ? a[0] + ((a[1] - a[0]) * t) : a[0] * Math.Pow(a[1] / a[0], t);
                    return (JsonNode)JsonValue.Create(v);
                }).ToList();
            }

            default:
                throw new SweepSpecException($"'{source}': axis '{key}': expected range [start, stop, step?], linspace [a, b, n], logspace [a, b, n] or values [...], got \"{form}\" with {a.Length} numbers.");
        }
    }

    private static double Number(JsonValue value) =>
        value.TryGetValue(out double d) ? d : value.TryGetValue(out long l) ? l : value.TryGetValue(out int i) ? i : double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);

    /// <summary>Formats a value for a folder name or a message.</summary>
    /// <param name="value">A JSON scalar.</param>
    public static string Text(JsonNode value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var v = (JsonValue)value;
        return v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.TryGetValue(out long l) ? l.ToString(CultureInfo.InvariantCulture) : Number(v).ToString("R", CultureInfo.InvariantCulture),
            _ => v.ToJsonString(),
        };
    }
}
