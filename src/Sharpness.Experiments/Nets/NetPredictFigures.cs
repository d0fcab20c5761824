using System.Globalization;
using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// Figures of a <c>net predict</c> run: prediction_sharpness.png/.svg (λ_H(t)/λ_H(0) of every
/// configuration, coloured by its predicted regime) and, with the oscillation runs, oscillation.png
/// and oscillation_late.png (ηλ_H above, the loss below; whole runs and the late window).
/// </summary>
public static class NetPredictFigures
{
    /// <summary>Draws from predictions.csv, prediction_trajectories.csv, oscillation.csv, oscillation_trajectories.csv and the configuration's trend_tolerance and oscillation plan.</summary>
    /// <param name="run">The run.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        var figures = new List<NamedFigure> { new("prediction_sharpness", Predictions(run)) };
        if (run.Configuration.OptionalSection("oscillation") is { } plan)
        {
            var runs = OscillationRuns(run);
            int steps = plan.Integer("steps"), window = plan.Integer("window"), every = plan.Integer("sharpness_every");
            figures.Add(new NamedFigure("oscillation", new RenderedFigure(PredictionFigure.Oscillation(runs, steps, window, every, lateOnly: false), null)));
            figures.Add(new NamedFigure("oscillation_late", new RenderedFigure(PredictionFigure.Oscillation(runs, steps, window, every, lateOnly: true), null)));
        }

        return figures;
    }

    private static RenderedFigure Predictions(SavedRun run)
    {
        double tolerance = run.Configuration.Number("trend_tolerance");
        var predicted = new List<(string Config, string Regime)>();
        using (var table = run.OpenCsv(NetPredictWriter.PredictionsFile))
        {
            int config = table.Column("config"), regime = table.Column("predicted_regime");
            while (table.Read())
            {
                predicted.Add((table.Text(config), table.Text(regime)));
            }
        }

        var points = new Dictionary<string, List<(double Step, double Sharpness)>>(StringComparer.Ordinal);
        using (var table = run.OpenCsv(NetPredictWriter.PredictionTrajectoriesFile))
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
        return PredictionFigure.Render(series, predicted.Select(p => p.Regime).ToArray(), tolerance);
    }

    private static List<OscillationSeries> OscillationRuns(SavedRun run)
    {
        var runs = new List<OscillationSeries>();
        using (var table = run.OpenCsv(NetPredictWriter.OscillationFile))
        {
            int rate = table.Column("rate"), lr = table.Column("lr"), diverged = table.Column("diverged");
            while (table.Read())
            {
                runs.Add(new OscillationSeries(table.Text(rate), table.Number(lr), table.Text(diverged) == "1", [], [], []));
            }
        }

        var byName = runs.ToDictionary(r => r.Rate, StringComparer.Ordinal);
        using (var table = run.OpenCsv(NetPredictWriter.OscillationTrajectoriesFile))
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

}
