using System.Globalization;
using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;

namespace Sharpness.Experiments.Nets;

/// <summary>Figures of a <c>net train</c> run: sharpness.png and lr_sharpness.png/.svg from metrics.csv.</summary>
public static class NetTrainFigures
{
    /// <summary>λ_H with 2/η against step and the loss below; ηλ_H at the measured steps with the line 2.</summary>
    /// <param name="run">The run: configuration model, dataset, lr and loss; metrics.csv (a measured step has a matvecs count).</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        string model = run.Configuration.Text("model"), dataset = run.Configuration.Text("dataset"), loss = run.Configuration.Text("loss");
        double eta = run.Configuration.Number("lr");
        var columns = run.ReadNumbers(NetTrainWriter.MetricsFile, "step", "loss", "sharpness", "matvecs", "lr_sharpness");
        double[] steps = columns[0];
        var measured = Enumerable.Range(0, steps.Length).Where(i => !double.IsNaN(columns[3][i])).ToArray();
        var sharpness = TrajectoryFigure.Render(new TrajectoryFigureData
        {
            Title = $"{model} on {dataset}, η = {eta.ToString("G4", CultureInfo.InvariantCulture)}, loss {loss}",
            Steps = steps,
            Sharpness = columns[2],
            Loss = columns[1],
            LearningRate = eta,
        });
        var scaled = LineFigure.Render(new LineFigureData
        {
            Title = "Sharpness in units of the stability threshold",
            XLabel = "step",
            YLabel = "η λ_H (Hessian sharpness times learning rate)",
            Series = [new Series("η λ_H", measured.Select(i => steps[i]).ToArray(), measured.Select(i => columns[4][i]).ToArray(), Markers: measured.Length < 50)],
            HorizontalLines = [(2, "2 (λ_H = 2/η)")],
        });
        return [new NamedFigure("sharpness", sharpness), new NamedFigure("lr_sharpness", scaled)];
    }
}
