using System.Globalization;
using Sharpness.Cli.Commands;
using Sharpness.Plots;

namespace Sharpness.Cli.Figures;

/// <summary>
/// Figures of a <c>net predict</c> run: prediction_sharpness.png/.svg (λ_H(t)/λ_H(0) of every
/// configuration, coloured by its predicted regime) and, with the oscillation runs, oscillation.png
/// and oscillation_late.png (ηλ_H above, the loss below; whole runs and the late window).
/// </summary>
internal static class NetPredictFigures
{
    /// <summary>Draws from predictions.csv, prediction_trajectories.csv, oscillation.csv, oscillation_trajectories.csv and the configuration's trend_tolerance and oscillation plan.</summary>
    /// <param name="run">The run.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        var figures = new List<NamedFigure> { new("prediction_sharpness", PredictionFigure(run)) };
        if (run.Configuration.OptionalSection("oscillation") is { } plan)
        {
            var runs = OscillationRuns(run);
            int steps = plan.Integer("steps"), window = plan.Integer("window"), every = plan.Integer("sharpness_every");
            figures.Add(new NamedFigure("oscillation", new RenderedFigure(OscillationFigure(runs, steps, window, every, lateOnly: false), null)));
            figures.Add(new NamedFigure("oscillation_late", new RenderedFigure(OscillationFigure(runs, steps, window, every, lateOnly: true), null)));
        }

        return figures;
    }

    private static RenderedFigure PredictionFigure(SavedRun run)
    {
        double tolerance = run.Configuration.Number("trend_tolerance");
        var predicted = new List<(string Config, string Regime)>();
        using (var table = run.OpenCsv(NetPredictCommand.PredictionsFile))
        {
            int config = table.Column("config"), regime = table.Column("predicted_regime");
            while (table.Read())
            {
                predicted.Add((table.Text(config), table.Text(regime)));
            }
        }

        var points = new Dictionary<string, List<(double Step, double Sharpness)>>(StringComparer.Ordinal);
        using (var table = run.OpenCsv(NetPredictCommand.PredictionTrajectoriesFile))
        {
            int config = table.Column("config"), step = table.Column("step"), sharpness = table.Column("sharpness");
            while (table.Read())
            {
                string key = table.Text(config);
                if (!points.TryGetValue(key, out var list))
                {
                    points[key] = list = [];
                }

                list.Add((table.Number(step), table.Number(sharpness)));
            }
        }

        var series = predicted.Select(p =>
        {
            var list = points.TryGetValue(p.Config, out var found) ? found : [];
            double first = list.Count > 0 ? list[0].Sharpness : double.NaN;
            return new Series($"{p.Config} (predicted {p.Regime})", list.Select(x => x.Step).ToArray(), list.Select(x => x.Sharpness / first).ToArray());
        }).ToList();
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
        for (int i = 0; i < lines.Length && i < predicted.Count; i++)
        {
            string regime = predicted[i].Regime;
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

    private static List<OscillationSeries> OscillationRuns(SavedRun run)
    {
        var runs = new List<OscillationSeries>();
        using (var table = run.OpenCsv(NetPredictCommand.OscillationFile))
        {
            int rate = table.Column("rate"), lr = table.Column("lr"), diverged = table.Column("diverged");
            while (table.Read())
            {
                runs.Add(new OscillationSeries(table.Text(rate), table.Number(lr), table.Text(diverged) == "1", [], [], []));
            }
        }

        var byName = runs.ToDictionary(r => r.Rate, StringComparer.Ordinal);
        using (var table = run.OpenCsv(NetPredictCommand.OscillationTrajectoriesFile))
        {
            int rate = table.Column("rate"), step = table.Column("step"), loss = table.Column("loss"), sharpness = table.Column("sharpness");
            while (table.Read())
            {
                if (byName.TryGetValue(table.Text(rate), out var series))
                {
                    series.Steps.Add(table.Number(step));
                    series.Loss.Add(table.Number(loss));
                    series.Sharpness.Add(table.Number(sharpness));
                }
            }
        }

        return runs;
    }

    private static byte[] OscillationFigure(IReadOnlyList<OscillationSeries> runs, int steps, int window, int every, bool lateOnly)
    {
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

    private sealed record OscillationSeries(string Rate, double LearningRate, bool Diverged, List<double> Steps, List<double> Loss, List<double> Sharpness);
}
