using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sharpness.Runs;

/// <summary>
/// JSON conventions of the toolkit's outputs: indented, UTF-8 without escaping of non-ASCII
/// letters, non-finite numbers written as the strings "NaN", "Infinity", "-Infinity".
/// </summary>
public static class JsonOutput
{
    /// <summary>Serializer options for manifests and summaries.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>A JSON value for a double; non-finite values become the strings "NaN", "Infinity" or "-Infinity".</summary>
    /// <param name="value">The number.</param>
    public static JsonNode Number(double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");

    /// <summary>A JSON value for an optional double (null stays null).</summary>
    /// <param name="value">The number or null.</param>
    public static JsonNode? Number(double? value) => value is double v ? Number(v) : null;
}
