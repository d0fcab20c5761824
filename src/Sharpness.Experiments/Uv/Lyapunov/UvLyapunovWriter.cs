using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Core.Dynamics;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Writes a <see cref="UvLyapunovResult"/> as a run folder: lyapunov.csv (one row per r), for a sweep
/// lyapunov.png and .svg (drawn from the CSV just written), and manifest.json, last.
/// </summary>
public static class UvLyapunovWriter
{
    /// <summary>The CSV of the exponents.</summary>
    public const string CsvFile = "lyapunov.csv";

    /// <summary>The files of a run besides the manifest: the figures only for a sweep.</summary>
    /// <param name="options">The run's options.</param>
    public static IReadOnlyList<string> Files(UvLyapunovOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.IsSweep ? [CsvFile, "lyapunov.png", "lyapunov.svg"] : [CsvFile];
    }

    /// <summary>Checks that <paramref name="path"/> can take the run, before it starts.</summary>
    /// <param name="path">The run folder (new or empty).</param>
    /// <param name="options">The run's options.</param>
    /// <exception cref="InvalidOptionException">It cannot (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path, UvLyapunovOptions options) => RunFolder.Prepare(path, [.. Files(options)]);

    /// <summary>Writes the run's files and its manifest; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The exponents.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    public static IReadOnlyList<string> Write(RunFolder folder, UvLyapunovResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        int dimension = result.Dimension;
        var columns = new List<string> { "r" };
        columns.AddRange(Enumerable.Range(1, dimension).Select(k => $"lambda{k}"));
        columns.AddRange(["period", "label"]);
        folder.WriteCsv(CsvFile, columns, writer =>
        {
            for (int i = 0; i < result.Grid.Count; i++)
            {
                var c = result.Classes[i];
                var cells = new List<string> { CsvTable.Format(result.Grid[i]) };
                cells.AddRange(Enumerable.Range(0, dimension).Select(k => CsvTable.Format(k < c.Exponents.Count ? c.Exponents[k] : double.NaN)));
                cells.Add(c.Period?.ToString(CultureInfo.InvariantCulture) ?? string.Empty);
                cells.Add(c.Label);
                writer.WriteRow(cells);
            }
        });
        var configuration = Configuration(result);
        var summary = Results(result);
        var files = new List<string> { CsvFile };
        files.AddRange(folder.WriteFigures(UvLyapunovFigures.Render(SavedRun.Writing(folder.Path, UvLyapunovExperiment.Command, configuration, summary))));
        folder.Complete(new RunRecord(UvLyapunovExperiment.Command, arguments ?? [], configuration, 0, result.StartedUtc, summary), files);
        return files;
    }

    /// <summary>The complete effective configuration, as the manifest records it.</summary>
    /// <param name="result">The exponents.</param>
    public static JsonObject Configuration(UvLyapunovResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        return new JsonObject
        {
            ["r"] = JsonOutput.Number(options.R),
            ["r_min"] = JsonOutput.Number(options.RMin),
            ["r_max"] = JsonOutput.Number(options.RMax),
            ["points"] = result.Grid.Count,
            ["x0"] = options.Manifold ? null : options.X0,
            ["g0"] = options.G0,
            ["transient"] = options.Transient,
            ["steps"] = options.Steps,
            ["map"] = options.Manifold ? "manifold" : "full",
        };
    }

    /// <summary>The summary results as the manifest records them: <c>{"values": [...]}</c>, one item per r (<see cref="Item"/>).</summary>
    /// <param name="result">The exponents.</param>
    public static JsonObject Results(UvLyapunovResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new JsonObject { ["values"] = new JsonArray(result.Grid.Select((r, i) => (JsonNode?)Item(r, result.Classes[i])).ToArray()) };
    }

    /// <summary>One r as JSON: r, exponents, their uncertainties, period and label.</summary>
    /// <param name="r">The scaled target.</param>
    /// <param name="c">Its long-run class.</param>
    public static JsonObject Item(double r, LongRunClass c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new JsonObject
        {
            ["r"] = r,
            ["exponents"] = new JsonArray(c.Exponents.Select(v => JsonOutput.Number(v)).ToArray()),
            ["uncertainties"] = new JsonArray(c.Uncertainties.Select(v => JsonOutput.Number(v)).ToArray()),
            ["period"] = c.Period,
            ["label"] = c.Label,
        };
    }
}
