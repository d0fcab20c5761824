using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;

namespace Sharpness.Experiments.Uv;

/// <summary>Figures of a <c>uv lyapunov</c> sweep: lyapunov.png and .svg from lyapunov.csv (a single r has none).</summary>
public static class UvLyapunovFigures
{
    /// <summary>The exponents against r, with zero and the flip points of the manifold cascade (recomputed: a property of the map, not of the run).</summary>
    /// <param name="run">The run: configuration r and map, lyapunov.csv.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Configuration.OptionalNumber("r") is not null)
        {
            return [];
        }

        bool manifold = run.Configuration.Text("map") == "manifold";
        var columns = manifold
            ? run.ReadNumbers(UvLyapunovWriter.CsvFile, "r", "lambda1")
            : run.ReadNumbers(UvLyapunovWriter.CsvFile, "r", "lambda1", "lambda2");
        double[] grid = columns[0];
        if (grid.Length == 0)
        {
            throw new RunDataException($"'{run.DataFile(UvLyapunovWriter.CsvFile)}' has no rows.");
        }

        var cascade = UvOrbitExperiment.ManifoldCascade();
        var series = new List<Series> { new("largest exponent λ₁", grid, columns[1], Markers: true) };
        if (!manifold)
        {
            series.Add(new Series("second exponent λ₂", grid, columns[2], Markers: true));
        }

        var figure = LineFigure.Render(new LineFigureData
        {
            Title = manifold ? "Lyapunov exponent on the EoS manifold" : "Lyapunov spectrum of the UV model's scaled map",
            XLabel = "r = η/η_c (scaled target)",
            YLabel = "exponent (natural log per step)",
            Series = series,
            HorizontalLines = [(0, "zero")],
            VerticalLines = cascade.FlipPoints.Select(f => f.Parameter).Where(r => r >= grid[0] && r <= grid[^1]).ToArray(),
            VerticalLinesLabel = "flip points",
        });
        return [new NamedFigure("lyapunov", figure)];
    }
}
