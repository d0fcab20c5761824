using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Runs.Configuration;

namespace Sharpness.Cli;

/// <summary>
/// Turns a settings file into command-line tokens for one command: each key names an option
/// (without the leading dashes; "_" may stand for "-"), options already on the command line win,
/// unknown keys are an error naming the closest valid key.
/// </summary>
internal static class ConfigArguments
{
    /// <summary>The tokens the file adds to <paramref name="args"/> for <paramref name="command"/>.</summary>
    /// <exception cref="UsageException">The file cannot be read, or a key or value does not fit the command.</exception>
    public static IReadOnlyList<string> FromFile(string path, Command command, IReadOnlyList<string> args)
    {
        JsonObject settings;
        try
        {
            settings = ConfigFile.Load(path);
        }
        catch (ConfigFileException e)
        {
            throw new UsageException(Program.ConfigOptionName, e.Message);
        }

        return FromSettings(settings, path, command, args);
    }

    /// <summary>The tokens that <paramref name="settings"/> add to <paramref name="args"/> for <paramref name="command"/>.</summary>
    /// <param name="settings">Option names and values.</param>
    /// <param name="source">Where the settings came from (for messages).</param>
    /// <param name="command">The command they configure.</param>
    /// <param name="args">Tokens already on the command line (they win).</param>
    /// <param name="blame">The option or argument named in errors (default --config).</param>
    /// <exception cref="UsageException">A key or value does not fit the command.</exception>
    public static IReadOnlyList<string> FromSettings(JsonObject settings, string source, Command command, IReadOnlyList<string> args, string blame = Program.ConfigOptionName)
    {
        try
        {
            return Translate(settings, source, command, args);
        }
        catch (UsageException e) when (blame != Program.ConfigOptionName)
        {
            throw new UsageException(blame, e.Message);
        }
    }

    private static IReadOnlyList<string> Translate(JsonObject settings, string source, Command command, IReadOnlyList<string> args)
    {
        var options = command.Options.Where(o => o.Name is not ("--help" or "--version") && o.Name != Program.ConfigOptionName).ToArray();
        var byName = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            foreach (string alias in option.Aliases.Append(option.Name))
            {
                byName[alias.TrimStart('-')] = option;
            }
        }

        var tokens = new List<string>();
        var seen = new Dictionary<Option, string>();
        foreach (var (rawKey, value) in settings)
        {
            string key = rawKey.TrimStart('-').Replace('_', '-');
            if (!byName.TryGetValue(key, out var option))
            {
                string? closest = ConfigFile.ClosestMatch(key, options.Select(o => o.Name.TrimStart('-')));
                throw new UsageException(Program.ConfigOptionName, $"unknown key '{rawKey}' in '{source}' for '{CommandPath(command)}'" + (closest is null ? "." : $"; did you mean '{closest}'?"));
            }

            if (!seen.TryAdd(option, rawKey))
            {
                throw new UsageException(Program.ConfigOptionName, $"'{source}' sets {option.Name} twice (keys '{seen[option]}' and '{rawKey}').");
            }

            if (GivenOnCommandLine(option, args))
            {
                continue;
            }

            tokens.AddRange(Tokens(option, value, rawKey, source));
        }

        return tokens;
    }

    private static IEnumerable<string> Tokens(Option option, JsonNode? value, string key, string source)
    {
        string name = option.Name;
        bool isFlag = option.ValueType == typeof(bool);
        if (value is null)
        {
            throw new UsageException(Program.ConfigOptionName, $"key '{key}' in '{source}' has no value.");
        }

        if (isFlag)
        {
            if (value is JsonValue flag && flag.TryGetValue(out bool on))
            {
                return on ? [name] : [];
            }

            throw new UsageException(Program.ConfigOptionName, $"key '{key}' in '{source}' is a switch; expected true or false.");
        }

        if (value is JsonArray array)
        {
            string[] items = array.Select(item => Scalar(item, key, source)).ToArray();
            if (items.Length == 0)
            {
                throw new UsageException(Program.ConfigOptionName, $"key '{key}' in '{source}' is an empty list.");
            }

            // Repeatable options take one token per item; list-valued text options take them comma-separated.
            return option.ValueType.IsArray ? items.SelectMany(item => new[] { name, item }) : [name, string.Join(',', items)];
        }

        return [name, Scalar(value, key, source)];
    }

    private static string Scalar(JsonNode? node, string key, string source)
    {
        if (node is not JsonValue value)
        {
            throw new UsageException(Program.ConfigOptionName, $"key '{key}' in '{source}' must be a number, a string, true/false or a list of them.");
        }

        if (value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Any(char.IsControl))
        {
            throw new UsageException(Program.ConfigOptionName, $"key '{key}' in '{source}' holds a control character ('{Runs.Safety.PathSegment.Printable(value.GetValue<string>())}'); values are plain text.");
        }

        if (value.GetValueKind() == JsonValueKind.Number && value.TryGetValue(out double number) && !double.IsFinite(number))
        {
            throw new UsageException(Program.ConfigOptionName, $"key '{key}' in '{source}' is {number.ToString(CultureInfo.InvariantCulture)}; numbers must be finite.");
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.TryGetValue(out long l) ? l.ToString(CultureInfo.InvariantCulture) : value.TryGetValue(out double d) ? d.ToString("R", CultureInfo.InvariantCulture) : value.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw new UsageException(Program.ConfigOptionName, $"key '{key}' in '{source}' has an unsupported value."),
        };
    }

    private static bool GivenOnCommandLine(Option option, IReadOnlyList<string> args)
    {
        var names = option.Aliases.Append(option.Name).ToHashSet(StringComparer.Ordinal);
        return args.Any(a => names.Contains(a) || names.Any(n => a.StartsWith(n + "=", StringComparison.Ordinal) || a.StartsWith(n + ":", StringComparison.Ordinal)));
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
        {
            names.Add(c is RootCommand ? "sharpness" : c.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
