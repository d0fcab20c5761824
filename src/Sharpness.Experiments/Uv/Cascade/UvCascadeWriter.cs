using System.Text.Json.Nodes;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;

namespace Sharpness.Experiments.Uv;

/// <summary>Writes a <see cref="UvCascadeResult"/> as a run folder: cascade.csv (one row per flip point) and manifest.json, last.</summary>
public static class UvCascadeWriter
{
    /// <summary>The CSV of flip points.</summary>
    public const string CsvFile = "cascade.csv";

    /// <summary>The files of a run besides the manifest.</summary>
    public static IReadOnlyList<string> Files { get; } = [CsvFile];

    /// <summary>Checks that <paramref name="path"/> can take the run, before it starts.</summary>
    /// <param name="path">The run folder (new or empty).</param>
    /// <exception cref="InvalidOptionException">It cannot (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path) => RunFolder.Prepare(path, [.. Files]);

    /// <summary>Writes the run's files and its manifest; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The cascade.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    public static IReadOnlyList<string> Write(RunFolder folder, UvCascadeResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        folder.WriteCsv(CsvFile, ["from", "to", "r", "bracket"], writer =>
        {
            foreach (var f in result.Flips)
            {
                writer.WriteRow([f.From, f.To, f.R, f.Bracket]);
            }
        });
        folder.Complete(new RunRecord(UvCascadeExperiment.Command, arguments ?? [], Configuration(result), 0, result.StartedUtc, Results(result)), Files);
        return Files;
    }

    /// <summary>The complete effective configuration, as the manifest records it.</summary>
    /// <param name="result">The cascade.</param>
    public static JsonObject Configuration(UvCascadeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        return new JsonObject
        {
            ["max_period"] = options.MaxPeriod,
            ["full_map"] = options.FullMap,
            ["x0"] = options.FullMap ? options.X0 : null,
            ["g0"] = options.G0,
            ["escape_search_end"] = options.EscapeSearchEnd,
        };
    }

    /// <summary>The summary results, as the manifest (and <c>--json</c>) records them.</summary>
    /// <param name="result">The cascade.</param>
    public static JsonObject Results(UvCascadeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new JsonObject
        {
            ["map"] = result.Options.FullMap ? "full" : "manifold",
            ["flip_points"] = new JsonArray(result.Flips.Select(f => (JsonNode?)new JsonObject
            {
                ["from"] = f.From,
                ["to"] = f.To,
                ["r"] = f.R,
                ["bracket"] = f.Bracket,
                ["method"] = f.Method,
            }).ToArray()),
            ["feigenbaum_ratios"] = new JsonArray(result.Ratios.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
            ["accumulation"] = JsonOutput.Number(result.Accumulation),
            ["bounded_until"] = JsonOutput.Number(result.BoundedUntil),
            ["bounded_until_bracket"] = new JsonArray(JsonOutput.Number(result.LastBounded), JsonOutput.Number(result.FirstEscaping)),
            ["complete"] = result.Complete,
            ["seconds"] = result.Seconds,
        };
    }
}
