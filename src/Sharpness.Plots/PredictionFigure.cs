using System.Globalization;

namespace Sharpness.Plots;

/// <summary>One oscillation run of <c>net predict</c>, as its figures draw it.</summary>
/// <param name="Rate">The rate's name (a=3.5 or eta=0.1).</param>
/// <param name="LearningRate">η.</param>
/// <param name="Diverged">Whether the run diverged.</param>
/// <param name="Steps">The steps.</param>
/// <param name="Loss">The training loss at each step.</param>
/// <param name="Sharpness">λ_H at each step (NaN where not measured).</param>
public sealed record OscillationSeries(string Rate, double LearningRate, bool Diverged, List<double> Steps, List<double> Loss, List<double> Sharpness);

/// <summary>The figures of <c>net predict</c>: the early λ_H(t)/λ_H(0) coloured by the predicted regime, and the oscillation runs.</summary>
public static class PredictionFigure
{
    /// <summary>λ_H(t)/λ_H(0) of every configuration, coloured by its predicted regime (one legend entry per regime), with the flat band.</summary>
    /// <param name="series">One series per configuration.</param>
    /// <param name="regimes">The predicted regime of each series (sharpness-reduction, progressive-sharpening or another label).</param>
    /// <param name="tolerance">The flat band's half-width.</param>
    public static RenderedFigure Render(IReadOnlyList<Series> series, IReadOnlyList<string> regimes, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(regimes);
        var plot = LineFigure.Build(new LineFigureData
        {
            Title = "Early λ_H, coloured by the growth-wedge prediction",
            XLabel = "step",
            YLabel = "λ_H(t) / λ_H(0)",
            Series = series,
            HorizontalLines = [(1 + tolerance, $"1 ± {tolerance.ToString("G3", CultureInfo.InvariantCulture)} (flat band)"), (1 - tolerance, string.Empty)],
        });

        // Colour by prediction; one legend entry per predicted regime.
        var lines = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length && i < regimes.Count; i++)
        {
            string regime = regimes[i];
            lines[i].Color = regime switch
            {
                "sharpness-reduction" => FigureStyle.Palette[1],
                "progressive-sharpening" => FigureStyle.Palette[0],
                _ => FigureStyle.Palette[7],
            };
            lines[i].LegendText = seen.Add(regime) ? $"predicted {regime}" : string.Empty;
        }

        return FigureStyle.Render(plot, series.Sum(s => s.X.Length));
    }

    /// <summary>ηλ_H above and the loss below, for whole runs or the late window only.</summary>
    /// <param name="runs">The runs.</param>
    /// <param name="steps">Steps per run.</param>
    /// <param name="window">The late window.</param>
    /// <param name="every">Sharpness interval before the window.</param>
    /// <param name="lateOnly">Only the late window.</param>
    public static byte[] Oscillation(IReadOnlyList<OscillationSeries> runs, int steps, int window, int every, bool lateOnly)
    {
        ArgumentNullException.ThrowIfNull(runs);
        int from = lateOnly ? steps - window + 1 : 0;

        // A diverged run's last measurements are off any useful scale: its sharpness is left out (its loss is shown).
        var sharpness = runs.Where(r => !r.Diverged).Select(r =>
        {
            var points = Enumerable.Range(0, r.Steps.Count).Where(i => r.Steps[i] >= from && double.IsFinite(r.Sharpness[i])).ToArray();
            return new Series($"{r.Rate}, η = {r.LearningRate.ToString("G3", CultureInfo.InvariantCulture)}", points.Select(i => r.Steps[i]).ToArray(), points.Select(i => r.LearningRate * r.Sharpness[i]).ToArray());
        }).ToList();
        var top = LineFigure.Build(new LineFigureData
        {
            Title = lateOnly ? $"Late window (last {window} steps): sharpness every step" : $"Sharpness at large learning rates (every {every} steps, then every step)",
            XLabel = "step",
            YLabel = "η λ_H",
            Series = sharpness,
            HorizontalLines = [(2, "2 (λ_H = 2/η)")],
        });
        var loss = runs.Where(r => !lateOnly || !r.Diverged).Select(r =>
        {
            var points = Enumerable.Range(0, r.Steps.Count).Where(i => r.Steps[i] >= from).ToArray();
            double scale = lateOnly ? points.Select(i => r.Loss[i]).Where(double.IsFinite).DefaultIfEmpty(1).Average() : 1;
            return new Series(r.Diverged ? $"{r.Rate} (diverged)" : r.Rate, points.Select(i => r.Steps[i]).ToArray(), points.Select(i => r.Loss[i] / scale).ToArray());
        }).ToList();
        var bottom = LineFigure.Build(new LineFigureData
        {
            Title = lateOnly ? "Late loss relative to its window mean" : "Training loss",
            XLabel = "step",
            YLabel = lateOnly ? "loss / window mean" : "loss",
            Series = loss,
            LogY = !lateOnly,
        });
        return FigureStyle.StackVertically([top, bottom]);
    }

}
