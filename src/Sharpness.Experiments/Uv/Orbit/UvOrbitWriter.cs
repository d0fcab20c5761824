using System.Text.Json.Nodes;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Writes a <see cref="UvOrbitResult"/> as a run folder: orbit.csv (every finite kept iterate),
/// orbit.png (drawn from the CSV just written) and manifest.json, last.
/// </summary>
public static class UvOrbitWriter
{
    /// <summary>The CSV file of kept iterates.</summary>
    public const string CsvFile = "orbit.csv";

    /// <summary>The files of a run besides the manifest.</summary>
    public static IReadOnlyList<string> Files { get; } = [CsvFile, "orbit.png"];

    /// <summary>Checks that <paramref name="path"/> can take the run, before it starts.</summary>
    /// <param name="path">The run folder (new or empty).</param>
    /// <exception cref="InvalidOptionException">It cannot (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path) => RunFolder.Prepare(path, [.. Files]);

    /// <summary>Writes the run's files and its manifest; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The diagram.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    public static IReadOnlyList<string> Write(RunFolder folder, UvOrbitResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        bool physical = options.Axis != OrbitAxis.R;
        var columns = new List<string> { "r", "step", "lr_ntk", "lr_sharpness", "g" };
        if (physical)
        {
            columns.Add(options.AxisName);
        }

        if (options.TwoPasses)
        {
            columns.Add("pass");
        }

        folder.WriteCsv(CsvFile, columns, writer =>
        {
            var row = new double[columns.Count];
            foreach (var samples in result.Samples)
            {
                double r = samples.Point.R;
                int finite = UvOrbitResult.FiniteCount(samples);
                for (int k = 0; k < finite; k++)
                {
                    double g = samples.G[k], x = samples.X[k];
                    row[0] = r;
                    row[1] = options.Transient + k + 1;
                    row[2] = x;
                    row[3] = OrbitDiagram.LrSharpness(g, x, r);
                    row[4] = g;
                    if (physical)
                    {
                        row[5] = result.Grid[samples.Index];
                    }

                    if (options.TwoPasses)
                    {
                        row[^1] = samples.Pass;
                    }

                    writer.WriteRow(row);
                }
            }
        });
        var configuration = Configuration(result);
        var results = Results(result);
        var files = new List<string> { CsvFile };
        files.AddRange(folder.WriteFigures(UvOrbitFigures.Render(SavedRun.Writing(folder.Path, UvOrbitExperiment.Command, configuration, results))));
        folder.Complete(new RunRecord(UvOrbitExperiment.Command, arguments ?? [], configuration, result.Model?.Seed ?? 0, result.StartedUtc, results), files);
        return files;
    }

    /// <summary>The complete effective configuration, as the manifest records it.</summary>
    /// <param name="result">The diagram.</param>
    public static JsonObject Configuration(UvOrbitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        bool scaled = options.Axis == OrbitAxis.R;
        return new JsonObject
        {
            ["axis"] = options.AxisName,
            ["min"] = options.Min,
            ["max"] = options.Max,
            ["points"] = options.Points,
            ["transient"] = options.Transient,
            ["keep"] = options.Keep,
            ["x0"] = scaled ? options.X0 ?? UvOrbitOptions.DefaultX0 : null,
            ["g0"] = scaled ? options.G0 ?? UvOrbitOptions.DefaultG0 : null,
            ["warm_start"] = options.WarmStart,
            ["direction"] = options.WarmStart ? (options.Direction ?? SweepDirection.Up).ToString().ToLowerInvariant() : null,
            ["value_min"] = JsonOutput.Number(options.ValueMin),
            ["value_max"] = JsonOutput.Number(options.ValueMax),
            ["divergence_threshold"] = options.DivergenceThreshold,
            ["model"] = result.Model is null ? null : options.Model.ToJson(result.Model),
            ["sharpness"] = "lr_sharpness = eta*lambda_H, closed form for width n >= 2",
        };
    }

    /// <summary>The summary results, as the manifest records them.</summary>
    /// <param name="result">The diagram.</param>
    public static JsonObject Results(UvOrbitResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var initial = result.ModelInitial;
        return new JsonObject
        {
            ["rows"] = result.Rows,
            ["diverged_values"] = result.DivergedValues,
            ["map_steps"] = result.MapSteps,
            ["seconds"] = result.Seconds,
            ["map_steps_per_second"] = result.MapSteps / Math.Max(result.Seconds, 1e-9),
            ["flip_points_marked"] = new JsonArray(result.FlipPoints.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
            ["plotted_points"] = result.PlottedPoints,
            ["model_initial"] = initial is null ? null : new JsonObject { ["f"] = initial.Output, ["ntk"] = initial.Ntk, ["normaliser"] = initial.Normaliser, ["target"] = initial.Target },
        };
    }
}
