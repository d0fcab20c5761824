using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sharpness.Runs;

/// <summary>
/// The JSON record of what ran: command, arguments, complete configuration, seed, toolkit
/// version and commit, runtime, start and end times (UTC, ISO 8601), results and files. Written
/// last into a run folder; its presence marks the run complete.
/// </summary>
public sealed record RunManifest
{
    /// <summary>Schema identifier written as "schema".</summary>
    public const string Schema = "sharpness.run/1";

    /// <summary>The command, for example "uv simulate".</summary>
    public required string Command { get; init; }

    /// <summary>The command-line arguments as given.</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>The complete effective configuration (every option with its value, defaults included).</summary>
    public required JsonObject Configuration { get; init; }

    /// <summary>The seed of every random draw of the run.</summary>
    public required ulong Seed { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>When the run finished (UTC).</summary>
    public required DateTimeOffset FinishedUtc { get; init; }

    /// <summary>Summary results (labels, final values, diverged flag...).</summary>
    public required JsonObject Results { get; init; }

    /// <summary>Files of the run folder besides the manifest.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>Serialises the manifest as indented JSON.</summary>
    public string ToJson() => ToJson(null);

    /// <summary>Serialises the manifest as indented JSON, with the size and SHA-256 of data files under "file_digests".</summary>
    /// <param name="fileDigests">File name → <c>{"bytes", "sha256"}</c> (see <see cref="FileDigest"/>), or null for none.</param>
    public string ToJson(JsonObject? fileDigests)
    {
        var toolkit = new JsonObject
        {
            ["version"] = ToolkitInfo.Version,
            ["commit"] = ToolkitInfo.Commit,
            ["runtime"] = ToolkitInfo.Runtime,
            ["platform"] = ToolkitInfo.Platform,
            ["processors"] = ToolkitInfo.Processors,
        };
        var root = new JsonObject
        {
            ["schema"] = Schema,
            ["command"] = Command,
            ["arguments"] = new JsonArray(Arguments.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["seed"] = Seed,
            ["configuration"] = Configuration.DeepClone(),
            ["toolkit"] = toolkit,
            ["started_utc"] = StartedUtc.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["finished_utc"] = FinishedUtc.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["results"] = Results.DeepClone(),
            ["files"] = new JsonArray(Files.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
        };
        if (fileDigests is { Count: > 0 })
        {
            root["file_digests"] = fileDigests.DeepClone();
        }

        root["complete"] = true;
        return root.ToJsonString(JsonOutput.Options) + "\n";
    }
}
