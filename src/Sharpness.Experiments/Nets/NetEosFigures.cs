using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;

namespace Sharpness.Experiments.Nets;

/// <summary>The figure of a <c>net eos</c> run: eos.png (sharpness of every η with its 2/η line, the losses below) and eos.svg (the top panel).</summary>
public static class NetEosFigures
{
    /// <summary>Draws from the manifest's per-η results (folder, lr, threshold) and each sub-folder's metrics.csv.</summary>
    /// <param name="run">The run.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        var runs = new List<EdgeOfStabilityRun>();
        foreach (var node in run.Results.Array("runs"))
        {
            var entry = node!.AsObject();
            string folder = entry["folder"]!.GetValue<string>();
            var columns = run.ReadNumbers(folder + "/" + NetTrainWriter.MetricsFile, "step", "sharpness", "loss");
            runs.Add(new EdgeOfStabilityRun(entry["lr"]!.GetValue<double>(), entry["threshold"]!.GetValue<double>(), columns[0], columns[1], columns[2]));
        }

        string title = $"{run.Configuration.Text("model")} on {run.Configuration.Text("dataset")} ({run.Configuration.Integer("train_size")} examples), full-batch GD, loss {run.Configuration.Text("loss")}";
        return [new NamedFigure("eos", EdgeOfStabilityFigure.Render(title, runs))];
    }
}
