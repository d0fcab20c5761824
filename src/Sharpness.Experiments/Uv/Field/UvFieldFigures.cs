using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// Figures of a <c>uv field</c> run: field.png and .svg. The trajectories come from
/// trajectories.csv; the arrows, the wedge, the manifold and the fixed points are closed-form
/// functions of r and the plotted window in the manifest, evaluated again when drawing, as the
/// command does.
/// </summary>
public static class UvFieldFigures
{
    /// <summary>The trajectories file.</summary>
    public const string TrajectoriesFile = "trajectories.csv";

    /// <summary>The vector field with the trajectories.</summary>
    /// <param name="run">The run: configuration r, plane, window, grid and trajectories; trajectories.csv.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var config = run.Configuration;
        int count = config.Array("trajectories").Count;
        var columns = run.ReadNumbers(TrajectoriesFile, "trajectory", "g", "x");
        var trajectories = Enumerable.Range(0, count).Select(_ => new List<UvScaledState>()).ToArray();
        for (int row = 0; row < columns[0].Length; row++)
        {
            double k = columns[0][row];
            if (!(k >= 0 && k < count && k == Math.Floor(k)))
            {
                throw new RunDataException($"'{run.DataFile(TrajectoriesFile)}' row {row + 1}: trajectory {k} is not one of the {count} its manifest lists.");
            }

            trajectories[(int)k].Add(new UvScaledState(columns[1][row], columns[2][row]));
        }

        var figure = VectorFieldFigure.Render(new VectorFieldData
        {
            R = config.Number("r"),
            HorizontalRange = (config.Number("h_min"), config.Number("h_max")),
            VerticalRange = (config.Number("x_min"), config.Number("x_max")),
            Grid = config.Integer("grid"),
            RelativeOutput = config.Text("plane") == "relative",
            Trajectories = trajectories,
        });
        return [new NamedFigure("field", figure)];
    }
}
