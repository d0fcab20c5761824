using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sharpness.Web.Api;

/// <summary>
/// How the API writes JSON: snake_case names (as in the CSV files and manifests), numbers in the
/// shortest form that reads back to the same double (so a client gets every digit), and null for
/// values that JSON cannot hold (NaN, ±∞: an unmeasured or diverged value).
/// </summary>
public static class ApiJson
{
    /// <summary>The serializer options of every answer.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            WriteIndented = false,
            // Readable quotes in messages; safe because every answer is served as application/json with nosniff.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new FiniteDoubleConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Writes finite doubles as round-trip numbers and non-finite ones as null.</summary>
    private sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
