using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Runs;

namespace Sharpness.Experiments.Reproduction;

/// <summary>
/// Read access to the run folders of a reproduction, for the claims: each run's manifest results and
/// tables, and which experiments were skipped (with the reason).
/// </summary>
public sealed class ReproductionRuns
{
    private readonly IReadOnlyDictionary<string, string> _skipped;

    /// <summary>Reads the runs in <paramref name="folder"/>.</summary>
    /// <param name="folder">The reproduction's folder (one sub-folder per experiment).</param>
    /// <param name="skipped">Experiments that were not run, each with the reason ("--no-net", "install dataset-fashion-mnist").</param>
    public ReproductionRuns(string folder, IReadOnlyDictionary<string, string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        Folder = folder;
        _skipped = skipped ?? new Dictionary<string, string>();
    }

    /// <summary>The reproduction's folder.</summary>
    public string Folder { get; }

    /// <summary>Why <paramref name="run"/> was not run, or null when it was.</summary>
    /// <param name="run">Experiment name.</param>
    public string? SkipReason(string run) => _skipped.TryGetValue(run, out string? reason) ? reason : null;

    /// <summary>The "results" object of a run's manifest.</summary>
    /// <param name="run">Experiment name.</param>
    /// <exception cref="MissingRunDataException">The run has no manifest with results.</exception>
    public JsonObject Results(string run) => Manifest(run, "results");

    /// <summary>The "configuration" object of a run's manifest.</summary>
    /// <param name="run">Experiment name.</param>
    /// <exception cref="MissingRunDataException">The run has no manifest with a configuration.</exception>
    public JsonObject Configuration(string run) => Manifest(run, "configuration");

    private JsonObject Manifest(string run, string key)
    {
        string path = Path.Combine(Folder, run, RunDirectory.ManifestFileName);
        if (!File.Exists(path))
        {
            throw new MissingRunDataException($"{run}/{RunDirectory.ManifestFileName} does not exist");
        }

        try
        {
            return JsonNode.Parse(Sharpness.Runs.Safety.BoundedFile.ReadAllText(path, Sharpness.Runs.Safety.FileKindLimit.Manifest))?[key] as JsonObject
                ?? throw new MissingRunDataException($"{run}/{RunDirectory.ManifestFileName} has no {key}");
        }
        catch (JsonException e)
        {
            throw new MissingRunDataException($"{run}/{RunDirectory.ManifestFileName} is not valid JSON ({e.Message})");
        }
        catch (Sharpness.Runs.Safety.InputFileException e)
        {
            throw new MissingRunDataException($"{run}/{RunDirectory.ManifestFileName} cannot be read ({e.Message})");
        }
    }

    /// <summary>A CSV table of a run, each row a map from column name to cell text.</summary>
    /// <param name="run">Experiment name.</param>
    /// <param name="file">File inside the run's folder (may include a sub-folder, with '/').</param>
    /// <exception cref="MissingRunDataException">The file does not exist or has no header.</exception>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Table(string run, string file)
    {
        string path = Path.Combine(Folder, run, file);
        if (!File.Exists(path))
        {
            throw new MissingRunDataException($"{run}/{file} does not exist");
        }

        string[] lines;
        try
        {
            lines = Sharpness.Runs.Safety.BoundedFile.ReadAllText(path, Sharpness.Runs.Safety.FileKindLimit.Table).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        }
        catch (Sharpness.Runs.Safety.InputFileException e)
        {
            throw new MissingRunDataException($"{run}/{file} cannot be read ({e.Message})");
        }

        if (lines.Length > 0 && lines[^1].Length == 0)
        {
            lines = lines[..^1]; // the final line break, as File.ReadAllLines reads it
        }

        if (lines.Length == 0)
        {
            throw new MissingRunDataException($"{run}/{file} is empty");
        }

        string[] header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0)
            .Select(line => (IReadOnlyDictionary<string, string>)header.Zip(line.Split(',')).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))
            .ToList();
    }

    /// <summary>A number of a manifest or table: JSON numbers, the strings "NaN"/"Infinity"/"-Infinity" and numeric text; NaN for null or anything else.</summary>
    /// <param name="node">The JSON value.</param>
    public static double Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out string? s) => Number(s),
        _ => double.NaN,
    };

    /// <summary>A number from text (a CSV cell); NaN when it is not one.</summary>
    /// <param name="text">The text.</param>
    public static double Number(string? text) =>
        text is not null && CsvTableReader.TryParseNumber(text, out double value) ? value : double.NaN;

    /// <summary>An integer of a manifest, or null.</summary>
    /// <param name="node">The JSON value.</param>
    public static int? Integer(JsonNode? node) => node is JsonValue v && v.TryGetValue(out int i) ? i : null;

    /// <summary>A string of a manifest, or null.</summary>
    /// <param name="node">The JSON value.</param>
    public static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    /// <summary>A boolean of a manifest, or null.</summary>
    /// <param name="node">The JSON value.</param>
    public static bool? Flag(JsonNode? node) => node is JsonValue v && v.TryGetValue(out bool b) ? b : null;

    /// <summary>The strings of a JSON array (empty for none).</summary>
    /// <param name="node">The JSON array.</param>
    public static string[] Texts(JsonNode? node) => node is JsonArray a ? a.Select(Text).OfType<string>().ToArray() : [];

    /// <summary>A number for a table cell: four significant digits (ten with <paramref name="digits"/> = 10), "–" for NaN.</summary>
    /// <param name="value">The number.</param>
    /// <param name="digits">Significant digits (default 4).</param>
    public static string Format(double value, int digits = 4) =>
        double.IsNaN(value) ? "–" : value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

/// <summary>A file or value a claim needs is not in the run folders; the claim is then not decided.</summary>
/// <param name="message">What is missing, naming the file.</param>
public sealed class MissingRunDataException(string message) : Exception(message);
