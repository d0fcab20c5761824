using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Plots;

namespace Sharpness.Cli.Figures;

/// <summary>The figure of a <c>net eos</c> run: eos.png (sharpness of every η with its 2/η line, the losses below) and eos.svg (the top panel).</summary>
internal static class NetEosFigures
{
    /// <summary>Every figure of the run: each learning rate's sub-folder (as a net train run), then eos.png/.svg.</summary>
    /// <param name="run">The run.</param>
    public static IReadOnlyList<RenderedFile> RenderWithSubRuns(SavedRun run)
    {
        var files = new List<RenderedFile>();
        foreach (var node in run.Results.Array("runs"))
        {
            string folder = node?["folder"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty;
            files.AddRange(RunFigures.Render(SavedRun.Load(run.SubFolder(folder, "results.runs[].folder"))).Select(f => f with { Path = folder + "/" + f.Path }));
        }

        files.AddRange(RunFigures.Figures(Render)(run));
        return files;
    }

    /// <summary>Draws from the manifest's per-η results (folder, lr, threshold) and each sub-folder's metrics.csv.</summary>
    /// <param name="run">The run.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        var runs = new List<EdgeOfStabilityRun>();
        foreach (var node in run.Results.Array("runs"))
        {
            var entry = node!.AsObject();
            string folder = entry["folder"]!.GetValue<string>();
            var columns = run.ReadNumbers(folder + "/" + Commands.NetRun.MetricsFile, "step", "sharpness", "loss");
            runs.Add(new EdgeOfStabilityRun(entry["lr"]!.GetValue<double>(), entry["threshold"]!.GetValue<double>(), columns[0], columns[1], columns[2]));
        }

        string title = $"{run.Configuration.Text("model")} on {run.Configuration.Text("dataset")} ({run.Configuration.Integer("train_size")} examples), full-batch GD, loss {run.Configuration.Text("loss")}";
        return [new NamedFigure("eos", EdgeOfStabilityFigure.Render(title, runs))];
    }
}
