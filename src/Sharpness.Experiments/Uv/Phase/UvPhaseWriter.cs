using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Writes a <see cref="UvPhaseResult"/> as a run folder: phase.csv (one row per cell, bottom row
/// first, each row left to right), phase.png and .svg (drawn from the CSV just written) and
/// manifest.json, last.
/// </summary>
public static class UvPhaseWriter
{
    /// <summary>The CSV of the cells.</summary>
    public const string CsvFile = "phase.csv";

    /// <summary>The files of a run besides the manifest.</summary>
    public static IReadOnlyList<string> Files { get; } = [CsvFile, "phase.png", "phase.svg"];

    /// <summary>Checks that <paramref name="path"/> can take the run, before it starts.</summary>
    /// <param name="path">The run folder (new or empty).</param>
    /// <exception cref="InvalidOptionException">It cannot (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path) => RunFolder.Prepare(path, [.. Files]);

    /// <summary>Writes the run's files and its manifest; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The diagram.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    public static IReadOnlyList<string> Write(RunFolder folder, UvPhaseResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        var cells = result.Categories;
        int rows = cells.GetLength(0), columns = cells.GetLength(1);
        if (options.Mode == PhaseMode.Scaled)
        {
            folder.WriteCsv(CsvFile, ["c", "r", "category", "labels"], writer =>
            {
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j < columns; j++)
                    {
                        writer.WriteRow([CsvTable.Format(result.XValues[j]), CsvTable.Format(result.RValues![i]), UvPhaseFigures.CsvName(cells[i, j]), result.Labels![i, j]]);
                    }
                }
            });
        }
        else
        {
            string seeds = options.Seeds.ToString(CultureInfo.InvariantCulture);
            folder.WriteCsv(CsvFile, [options.XAxisName, options.YAxisName, "seeds", "majority", "fraction"], writer =>
            {
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j < columns; j++)
                    {
                        writer.WriteRow([CsvTable.Format(result.XValues[j]), options.YValues[i], seeds, UvPhaseFigures.CsvName(cells[i, j]), CsvTable.Format(result.Fractions![i, j])]);
                    }
                }
            });
        }

        var configuration = Configuration(result);
        var summary = Results(result);
        var files = new List<string> { CsvFile };
        files.AddRange(folder.WriteFigures(UvPhaseFigures.Render(SavedRun.Writing(folder.Path, UvPhaseExperiment.Command, configuration, summary))));
        folder.Complete(new RunRecord(UvPhaseExperiment.Command, arguments ?? [], configuration, result.BaseModel?.Seed ?? 0, result.StartedUtc, summary), files);
        return files;
    }

    /// <summary>The complete effective configuration, as the manifest records it.</summary>
    /// <param name="result">The diagram.</param>
    public static JsonObject Configuration(UvPhaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        if (options.Mode == PhaseMode.Scaled)
        {
            return new JsonObject
            {
                ["mode"] = "scaled",
                ["c_min"] = options.CMin,
                ["c_max"] = options.CMax,
                ["c_points"] = options.CPoints,
                ["r_min"] = options.RMin,
                ["r_max"] = options.RMax,
                ["r_points"] = options.RPoints,
                ["output_ratio"] = options.OutputRatio,
                ["steps"] = options.Steps,
            };
        }

        var configuration = options.Model.ToJson(result.BaseModel!);
        configuration["mode"] = "physical";
        configuration["x_axis"] = options.XAxisName;
        configuration["x_min"] = options.CMin;
        configuration["x_max"] = options.CMax;
        configuration["x_points"] = options.CPoints;
        configuration["log_x"] = options.LogX;
        configuration["y_axis"] = options.YAxisName;
        configuration["y_values"] = new JsonArray(options.YValues.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
        configuration["seeds"] = options.Seeds;
        configuration["steps"] = options.Steps;
        return configuration;
    }

    /// <summary>The summary results as the manifest records them: the number of cells and the cells per category.</summary>
    /// <param name="result">The diagram.</param>
    public static JsonObject Results(UvPhaseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var counts = new JsonObject();
        foreach (var (category, cells) in result.CategoryCounts)
        {
            counts[category] = cells;
        }

        return new JsonObject { ["cells"] = result.Categories.Length, ["category_counts"] = counts };
    }
}
