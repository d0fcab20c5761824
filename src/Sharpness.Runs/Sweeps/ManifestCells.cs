using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Sharpness.Runs.Sweeps;

/// <summary>What a flattened manifest value is.</summary>
internal enum CellKind
{
    Null,
    Number,
    NonFiniteNumber,
    Boolean,
    Text,
}

/// <summary>
/// One flattened manifest value. <see cref="Text"/> is the value as text: the JSON text of a
/// number as written, "NaN"/"Infinity"/"-Infinity" for the non-finite literals, "true"/"false",
/// the string itself, or the rendering of an array.
/// </summary>
internal readonly record struct Cell(CellKind Kind, double Number, bool Boolean, string? Text)
{
    public static readonly Cell Null = new(CellKind.Null, 0, false, null);
}

/// <summary>Type of a column of the results table.</summary>
internal enum ResultColumnType
{
    Double,
    Boolean,
    String,
}

/// <summary>A complete run as read from its manifest.</summary>
internal sealed record CompleteRun(string Name, string Folder, string? Command, ulong? Seed, IReadOnlyList<KeyValuePair<string, Cell>> Cells, IReadOnlyList<string> Files);

/// <summary>Reads manifests and flattens their configuration and results into named cells.</summary>
internal static class ManifestCells
{
    private static readonly JsonWriterOptions CompactJson = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Reads the manifest of <paramref name="folder"/>: the run, or the reason it is incomplete.</summary>
    public static (CompleteRun? Run, string? Problem) Read(string name, string folder)
    {
        string path = Path.Combine(folder, RunDirectory.ManifestFileName);
        if (Safety.UnixFiles.Stat(path, followLinks: false).Kind == Safety.FileKind.Missing)
        {
            bool empty = !Directory.EnumerateFileSystemEntries(folder).Any();
            return (null, empty
                ? $"empty folder, no {RunDirectory.ManifestFileName} (the run did not start or did not finish)"
                : $"no {RunDirectory.ManifestFileName} (the run did not finish)");
        }

        byte[] bytes;
        try
        {
            bytes = Safety.BoundedFile.ReadAllBytes(path, Safety.FileKindLimit.Manifest);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Safety.InputFileException)
        {
            return (null, $"{RunDirectory.ManifestFileName} could not be read: {e.Message}");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            return (null, $"{RunDirectory.ManifestFileName} is not valid JSON: {e.Message}");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, $"{RunDirectory.ManifestFileName} is not a JSON object");
            }

            if (!root.TryGetProperty("complete", out JsonElement complete) || complete.ValueKind != JsonValueKind.True)
            {
                string found = root.TryGetProperty("complete", out complete) ? $"\"complete\" is {complete.GetRawText()}" : "there is no \"complete\"";
                return (null, $"{RunDirectory.ManifestFileName} does not mark the run complete ({found})");
            }

            string? command = root.TryGetProperty("command", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            ulong? seed = root.TryGetProperty("seed", out JsonElement s) && s.ValueKind == JsonValueKind.Number && s.TryGetUInt64(out ulong value) ? value : null;
            var cells = new List<KeyValuePair<string, Cell>>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            if (root.TryGetProperty("configuration", out JsonElement configuration))
            {
                Flatten("config", configuration, cells, names);
            }

            if (root.TryGetProperty("results", out JsonElement results))
            {
                Flatten("result", results, cells, names);
            }

            var files = new List<string>();
            if (root.TryGetProperty("files", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement file in list.EnumerateArray())
                {
                    if (file.ValueKind == JsonValueKind.String)
                    {
                        files.Add(file.GetString()!);
                    }
                }
            }

            return (new CompleteRun(name, folder, command, seed, cells, files), null);
        }
    }

    /// <summary>
    /// Flattens <paramref name="element"/> under <paramref name="prefix"/>: objects recurse with
    /// dotted names, everything else becomes one cell. A name met twice keeps its first value.
    /// </summary>
    private static void Flatten(string prefix, JsonElement element, List<KeyValuePair<string, Cell>> cells, HashSet<string> names)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in element.EnumerateObject())
            {
                Flatten(prefix + "." + property.Name, property.Value, cells, names);
            }

            return;
        }

        if (names.Add(prefix))
        {
            cells.Add(new(prefix, ToCell(element)));
        }
    }

    private static Cell ToCell(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                string raw = element.GetRawText();
                double number = element.TryGetDouble(out double d) ? d : double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
                return new Cell(CellKind.Number, number, false, raw);
            case JsonValueKind.True:
            case JsonValueKind.False:
                bool b = element.ValueKind == JsonValueKind.True;
                return new Cell(CellKind.Boolean, 0, b, b ? "true" : "false");
            case JsonValueKind.String:
                string text = element.GetString()!;
                return text switch
                {
                    "NaN" => new Cell(CellKind.NonFiniteNumber, double.NaN, false, text),
                    "Infinity" => new Cell(CellKind.NonFiniteNumber, double.PositiveInfinity, false, text),
                    "-Infinity" => new Cell(CellKind.NonFiniteNumber, double.NegativeInfinity, false, text),
                    _ => new Cell(CellKind.Text, 0, false, text),
                };
            case JsonValueKind.Array:
                return new Cell(CellKind.Text, 0, false, RenderArray(element));
            default:
                return Cell.Null;
        }
    }

    /// <summary>An array of strings joined with ';'; any other array as compact JSON text.</summary>
    private static string RenderArray(JsonElement array)
    {
        if (array.EnumerateArray().All(item => item.ValueKind == JsonValueKind.String))
        {
            return string.Join(';', array.EnumerateArray().Select(item => item.GetString()));
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CompactJson))
        {
            array.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The type of a column from its cells (see <see cref="SweepMerger"/> for the rule).</summary>
    public static ResultColumnType TypeOf(IEnumerable<Cell> cells)
    {
        bool any = false, allNumbers = true, allBooleans = true;
        foreach (Cell cell in cells)
        {
            if (cell.Kind == CellKind.Null)
            {
                continue;
            }

            any = true;
            allNumbers &= cell.Kind is CellKind.Number or CellKind.NonFiniteNumber;
            allBooleans &= cell.Kind == CellKind.Boolean;
        }

        return !any ? ResultColumnType.String
            : allNumbers ? ResultColumnType.Double
            : allBooleans ? ResultColumnType.Boolean
            : ResultColumnType.String;
    }
}
