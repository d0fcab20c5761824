using System.Globalization;
using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;

namespace Sharpness.Experiments.Nets;

/// <summary>The figures of a <c>net fit-uv</c> run, from fit.csv and the manifest's fit results: fit.png/.svg and effective.png/.svg.</summary>
public static class NetFitUvFigures
{
    /// <summary>Measured λ_H with the UV fits and the linear baseline; the projected residual f − y with the fits'.</summary>
    /// <param name="run">The run (results: learning_rate, fit_from, fit_to, free.r, anchored.r or null).</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        if (run.Results.OptionalText("fit_skipped") is not null)
        {
            return [];
        }

        double eta = run.Results.Number("learning_rate");
        int fitFrom = run.Results.Integer("fit_from"), fitTo = run.Results.Integer("fit_to");
        var free = run.Results.OptionalSection("free") ?? throw new RunDataException($"'{SavedRun.ManifestPath(run.Folder)}' has no free fit.");
        var anchored = run.Results.OptionalSection("anchored");
        var c = run.ReadNumbers(NetFitUvWriter.FitFile, "step", "sharpness", "uv_sharpness", "uv_sharpness_anchored", "baseline_linear", "output", "target", "uv_output_ratio", "uv_output_ratio_anchored");
        double[] steps = c[0];
        var series = new List<Series>
        {
            new("measured λ_H", steps, c[1], Markers: true),
            new($"UV fit, free (r = {G(free.Number("r"))})", steps, c[2]),
        };
        if (anchored is not null)
        {
            series.Add(new($"UV fit, anchored (r = {G(anchored.Number("r"))})", steps, c[3]));
        }

        series.Add(new("linear baseline", steps, c[4]));
        var fit = LineFigure.Render(new LineFigureData
        {
            Title = $"UV model fitted to λ_H (steps {fitFrom}–{fitTo}; held out after)",
            XLabel = "step",
            YLabel = "Hessian sharpness λ_H",
            Series = series,
            HorizontalLines = [(2 / eta, "2/η")],
            VerticalLines = [fitTo],
            VerticalLinesLabel = "end of fit window",
        });

        // The UV model's residual is (g/r − 1)·y with y the effective target at the window's first step.
        int first = Array.FindIndex(steps, s => s == fitFrom);
        double target = first >= 0 ? c[6][first] : double.NaN;
        var residual = new List<Series> { new("measured f − y (projected)", steps, c[5].Zip(c[6], (f, y) => f - y).ToArray(), Markers: true) };
        if (double.IsFinite(target))
        {
            residual.Add(new("UV fit, free", steps, c[7].Select(ratio => (ratio - 1) * target).ToArray()));
            if (anchored is not null)
            {
                residual.Add(new("UV fit, anchored", steps, c[8].Select(ratio => (ratio - 1) * target).ToArray()));
            }
        }

        var effective = LineFigure.Render(new LineFigureData
        {
            Title = "Residual along the projection direction",
            XLabel = "step",
            YLabel = "f − y (effective variables)",
            Series = residual,
            HorizontalLines = [(0, "f = y")],
            VerticalLines = [fitTo],
            VerticalLinesLabel = "end of fit window",
        });
        return [new NamedFigure("fit", fit), new NamedFigure("effective", effective)];
    }

    private static string G(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
