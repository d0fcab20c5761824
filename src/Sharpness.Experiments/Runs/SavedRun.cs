using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Experiments.Runs;

/// <summary>
/// A run as its figure renderers see it: the manifest's command, configuration and results, and
/// the data files of its folder. The commands build one from what they are about to write in the
/// manifest (after writing their data), <c>sharpness plot</c> loads one from manifest.json, so both
/// draw from exactly the same values.
/// </summary>
public sealed class SavedRun
{
    private readonly JsonObject? _digests;

    private SavedRun(string folder, string command, JsonObject configuration, JsonObject results, IReadOnlyList<string> files, JsonObject? digests = null)
    {
        _digests = digests;
        Folder = folder;
        Command = command;
        Configuration = new ManifestSection(configuration, "configuration", folder);
        Results = new ManifestSection(results, "results", folder);
        Files = files;
    }

    /// <summary>Absolute path of the run folder.</summary>
    public string Folder { get; }

    /// <summary>The command that made the run, for example "uv simulate".</summary>
    public string Command { get; }

    /// <summary>The manifest's "configuration".</summary>
    public ManifestSection Configuration { get; }

    /// <summary>The manifest's "results".</summary>
    public ManifestSection Results { get; }

    /// <summary>The files the manifest lists (empty for a run still being written).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Path of manifest.json in <paramref name="folder"/>.</summary>
    public static string ManifestPath(string folder) => Path.Combine(folder, RunDirectory.ManifestFileName);

    /// <summary>Loads a complete run from its folder.</summary>
    /// <param name="folder">The run folder.</param>
    /// <exception cref="RunDataException">No folder, no manifest, an unreadable or incomplete manifest.</exception>
    public static SavedRun Load(string folder)
    {
        string full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            throw new RunDataException($"'{folder}' is not a folder.");
        }

        string path = ManifestPath(full);
        if (!File.Exists(path))
        {
            throw new RunDataException($"'{path}' does not exist: '{folder}' is not a run folder (or its run was interrupted before the manifest, which is written last).");
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(BoundedFile.ReadAllText(path, FileKindLimit.Manifest)) as JsonObject ?? throw new RunDataException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new RunDataException($"'{path}' is not valid JSON: {e.Message}");
        }
        catch (InputFileException e)
        {
            throw new RunDataException(e.Message);
        }

        if (root["complete"] is not JsonValue complete || complete.GetValueKind() != JsonValueKind.True)
        {
            throw new RunDataException($"'{path}' does not say \"complete\": true; the run is not complete.");
        }

        string command = root["command"] is JsonValue c && c.GetValueKind() == JsonValueKind.String
            ? c.GetValue<string>()
            : throw new RunDataException($"'{path}' has no \"command\": it does not say which command made the run.");
        var configuration = root["configuration"] as JsonObject ?? throw new RunDataException($"'{path}' has no \"configuration\" object.");
        var results = root["results"] as JsonObject ?? throw new RunDataException($"'{path}' has no \"results\" object.");
        string[] files = root["files"] is JsonArray array
            ? array.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty).Where(f => f.Length > 0).ToArray()
            : [];
        if (files.FirstOrDefault(f => f.Split('/').Any(part => !PathSegment.IsSafe(part))) is { } unsafeName)
        {
            throw new RunDataException($"'{path}': files lists '{PathSegment.Printable(unsafeName)}', which is not a plain file name inside the run folder.");
        }

        return new SavedRun(full, command, configuration, results, files, root["file_digests"] as JsonObject);
    }

    /// <summary>
    /// The run a command is writing: its configuration and results pass through the same JSON text
    /// the manifest will hold, so the renderers read the same values as <c>sharpness plot</c> later.
    /// </summary>
    /// <param name="folder">The run folder (data files already written).</param>
    /// <param name="command">The command, for example "uv simulate".</param>
    /// <param name="configuration">The configuration the manifest will record.</param>
    /// <param name="results">The results the manifest will record.</param>
    public static SavedRun Writing(string folder, string command, JsonObject configuration, JsonObject results) =>
        new(Path.GetFullPath(folder), command, RoundTrip(configuration), RoundTrip(results), []);

    private static JsonObject RoundTrip(JsonObject value) => JsonNode.Parse(value.ToJsonString(JsonOutput.Options))!.AsObject();

    /// <summary>
    /// Full path of a data file of the run, which must exist and, when the manifest recorded its
    /// size and SHA-256, still match them (a table cut or edited after the run is not drawn from).
    /// </summary>
    /// <param name="fileName">A file name in the run folder, or "sub-folder/name"; every part must be a plain name.</param>
    /// <exception cref="RunDataException">The name leaves the folder, or the file is missing or changed.</exception>
    public string DataFile(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        string[] parts = fileName.Split('/');
        if (parts.Any(part => !PathSegment.IsSafe(part)))
        {
            throw new RunDataException($"'{ManifestPath(Folder)}': the data file '{PathSegment.Printable(fileName)}' is not a plain name inside the run folder.");
        }

        string path = Path.Combine([Folder, .. parts]);
        if (!File.Exists(path))
        {
            throw new RunDataException($"'{path}' is missing: the {Command} run's figures are drawn from it.");
        }

        try
        {
            BoundedFile.Check(path, FileKindLimit.Table);
        }
        catch (InputFileException e)
        {
            throw new RunDataException(e.Message);
        }

        return FileDigest.Mismatch(path, parts.Length == 1 ? _digests?[fileName] : null) is { } changed ? throw new RunDataException(changed) : path;
    }

    /// <summary>A sub-folder of the run named in its manifest, which must be one plain name (never "..", a separator or an absolute path).</summary>
    /// <param name="name">The name read from the manifest.</param>
    /// <param name="key">Where in the manifest it was read, for the message (for example "results.runs[].name").</param>
    /// <exception cref="RunDataException">The name is not a plain name inside the folder.</exception>
    public string SubFolder(string name, string key)
    {
        try
        {
            return PathSegment.Combine(Folder, name, $"'{ManifestPath(Folder)}': {key}");
        }
        catch (InvalidDataException e)
        {
            throw new RunDataException(e.Message);
        }
    }

    /// <summary>Reads a file of the run (see <see cref="DataFile"/>) whole, within the size limit of its kind.</summary>
    /// <param name="fileName">A file name in the run folder, or "sub-folder/name".</param>
    /// <param name="kind">What the file is.</param>
    /// <exception cref="RunDataException">The file is missing, changed, not a regular file or too large.</exception>
    public byte[] ReadBytes(string fileName, FileKindLimit kind)
    {
        try
        {
            return BoundedFile.ReadAllBytes(DataFile(fileName), kind);
        }
        catch (InputFileException e)
        {
            throw new RunDataException(e.Message);
        }
    }

    /// <summary>Opens a CSV data file of the run.</summary>
    /// <param name="fileName">A file name in the run folder.</param>
    /// <exception cref="RunDataException">The file is missing or has no header.</exception>
    public CsvTableReader OpenCsv(string fileName)
    {
        try
        {
            return new CsvTableReader(DataFile(fileName));
        }
        catch (InvalidDataException e)
        {
            throw new RunDataException(e.Message);
        }
    }

    /// <summary>Reads numeric columns of a CSV data file (see <see cref="CsvTableReader.ReadNumbers"/>).</summary>
    /// <param name="fileName">A file name in the run folder.</param>
    /// <param name="columns">The columns.</param>
    /// <exception cref="RunDataException">The file or a column is missing, or a cell is not a number.</exception>
    public double[][] ReadNumbers(string fileName, params string[] columns)
    {
        double[][] values;
        try
        {
            values = CsvTableReader.ReadNumbers(DataFile(fileName), columns);
        }
        catch (InvalidDataException e)
        {
            throw new RunDataException(e.Message);
        }

        // A figure's axis spans its data: values near the limit of doubles (±1e308) make the span
        // overflow. No run writes them (they would have diverged long before); a table edited to hold them is refused.
        for (int c = 0; c < values.Length; c++)
        {
            int row = Array.FindIndex(values[c], v => double.IsFinite(v) && Math.Abs(v) > MaxDrawable);
            if (row >= 0)
            {
                throw new RunDataException(string.Create(CultureInfo.InvariantCulture, $"'{Path.Combine(Folder, fileName)}', column '{columns[c]}', row {row + 1}: {values[c][row]:R} is too large to draw (beyond ±{MaxDrawable:G3})."));
            }
        }

        return values;
    }

    /// <summary>Largest magnitude of a finite value a figure draws.</summary>
    public const double MaxDrawable = 1e300;
}

/// <summary>A section of a manifest ("configuration" or "results") with typed reads whose errors name the key and the file.</summary>
public sealed class ManifestSection
{
    private readonly JsonObject _values;
    private readonly string _name;
    private readonly string _folder;

    /// <summary>Wraps a section.</summary>
    /// <param name="values">The section's JSON object.</param>
    /// <param name="name">Its name in messages ("configuration", "results.model_initial").</param>
    /// <param name="folder">The run folder, whose manifest the messages name.</param>
    public ManifestSection(JsonObject values, string name, string folder)
    {
        _values = values;
        _name = name;
        _folder = folder;
    }

    /// <summary>The raw values.</summary>
    public JsonObject Values => _values;

    /// <summary>A number (the strings "NaN", "Infinity", "-Infinity" included).</summary>
    /// <exception cref="RunDataException">The key is absent or not a number.</exception>
    public double Number(string key) => OptionalNumber(key) ?? throw Error(key, "is null; a number is needed");

    /// <summary>A number or null.</summary>
    /// <exception cref="RunDataException">The key is absent (a run made before the key was recorded) or holds something else.</exception>
    public double? OptionalNumber(string key) => ToNumber(Node(key), key);

    /// <summary>An integer.</summary>
    /// <exception cref="RunDataException">The key is absent or not an integer.</exception>
    public int Integer(string key)
    {
        double value = Number(key);
        return value == Math.Floor(value) && value is >= int.MinValue and <= int.MaxValue ? (int)value : throw Error(key, "is not an integer");
    }

    /// <summary>A string.</summary>
    /// <exception cref="RunDataException">The key is absent or not a string.</exception>
    public string Text(string key) => OptionalText(key) ?? throw Error(key, "is null; a string is needed");

    /// <summary>A string or null.</summary>
    /// <exception cref="RunDataException">The key is absent or holds something else.</exception>
    public string? OptionalText(string key) => Node(key) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw Error(key, "is not a string"),
    };

    /// <summary>A boolean.</summary>
    /// <exception cref="RunDataException">The key is absent or not true/false.</exception>
    public bool Flag(string key) => Node(key) switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.False => false,
        _ => throw Error(key, "is not true or false"),
    };

    /// <summary>An array of numbers.</summary>
    /// <exception cref="RunDataException">The key is absent or not an array of numbers.</exception>
    public double[] Numbers(string key) => Node(key) is JsonArray array
        ? array.Select(n => ToNumber(n, key) ?? throw Error(key, "holds a null")).ToArray()
        : throw Error(key, "is not an array");

    /// <summary>An array of strings.</summary>
    /// <exception cref="RunDataException">The key is absent or not an array of strings.</exception>
    public string[] Texts(string key) => Node(key) is JsonArray array
        ? array.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Error(key, "holds something other than a string")).ToArray()
        : throw Error(key, "is not an array");

    /// <summary>An array (of objects, or anything).</summary>
    /// <exception cref="RunDataException">The key is absent or not an array.</exception>
    public JsonArray Array(string key) => Node(key) as JsonArray ?? throw Error(key, "is not an array");

    /// <summary>A nested object, or null.</summary>
    /// <exception cref="RunDataException">The key is absent or holds something else.</exception>
    public ManifestSection? OptionalSection(string key) => Node(key) switch
    {
        null => null,
        JsonObject o => new ManifestSection(o, $"{_name}.{key}", _folder),
        _ => throw Error(key, "is not an object"),
    };

    private JsonNode? Node(string key) => _values.TryGetPropertyValue(key, out var node)
        ? node
        : throw new RunDataException($"'{SavedRun.ManifestPath(_folder)}' has no {_name}.{key} (the run was made by an older version that did not record it; run it again to draw its figures).");

    private double? ToNumber(JsonNode? node, string key)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                return v.GetValue<double>();
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "NaN" or "Infinity" or "-Infinity":
                return double.Parse(v.GetValue<string>(), CultureInfo.InvariantCulture);
            default:
                throw Error(key, "is not a number");
        }
    }

    private RunDataException Error(string key, string problem) => new($"'{SavedRun.ManifestPath(_folder)}': {_name}.{key} {problem}.");
}

/// <summary>A run's saved data cannot be read or does not hold what its figures need; the message names the file.</summary>
/// <param name="message">What is wrong, naming the file.</param>
public sealed class RunDataException(string message) : Exception(message);
