using System.Text.Json.Nodes;
using Sharpness.Experiments.Runs;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Writes a <see cref="UvFieldResult"/> as a run folder: trajectories.csv, field.png and .svg (drawn
/// from the CSV just written and the manifest's r and window) and manifest.json, last.
/// </summary>
public static class UvFieldWriter
{
    /// <summary>The files of a run besides the manifest.</summary>
    public static IReadOnlyList<string> Files { get; } = ["field.png", "field.svg", UvFieldFigures.TrajectoriesFile];

    /// <summary>Checks that <paramref name="path"/> can take the run, before it starts.</summary>
    /// <param name="path">The run folder (new or empty).</param>
    /// <exception cref="InvalidOptionException">It cannot (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path) => RunFolder.Prepare(path, [.. Files]);

    /// <summary>Writes the run's files and its manifest; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The field's trajectories.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    public static IReadOnlyList<string> Write(RunFolder folder, UvFieldResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        double r = result.Options.R;
        folder.WriteCsv(UvFieldFigures.TrajectoriesFile, ["trajectory", "step", "g", "x", "lr_sharpness"], writer =>
        {
            for (int k = 0; k < result.Trajectories.Count; k++)
            {
                for (int t = 0; t < result.Trajectories[k].Count; t++)
                {
                    var s = result.Trajectories[k][t];
                    writer.WriteRow([k, t, s.G, s.X, UvSharpness.ScaledHessian(s, r, 2)]);
                }
            }
        });
        var configuration = Configuration(result);
        var results = new JsonObject { ["trajectories"] = result.Trajectories.Count };
        var files = new List<string>(folder.WriteFigures(UvFieldFigures.Render(SavedRun.Writing(folder.Path, UvFieldExperiment.Command, configuration, results)))) { UvFieldFigures.TrajectoriesFile };
        folder.Complete(new RunRecord(UvFieldExperiment.Command, arguments ?? [], configuration, 0, result.StartedUtc, results), files);
        return files;
    }

    /// <summary>The complete effective configuration, as the manifest records it.</summary>
    /// <param name="result">The field's trajectories.</param>
    public static JsonObject Configuration(UvFieldResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var options = result.Options;
        return new JsonObject
        {
            ["r"] = options.R,
            ["plane"] = options.PlaneName,
            ["h_min"] = result.HMin,
            ["h_max"] = result.HMax,
            ["x_min"] = options.XMin,
            ["x_max"] = options.XMax,
            ["grid"] = options.Grid,
            ["trajectories"] = new JsonArray(options.Trajectories.Select(s => (JsonNode?)new JsonArray(s.G, s.X)).ToArray()),
            ["trajectory_steps"] = options.TrajectorySteps,
        };
    }
}
