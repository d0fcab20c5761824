using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;

namespace Sharpness.Experiments.Uv;

/// <summary>Figures of a <c>uv simulate</c> run: trajectory.png from trajectory.csv.</summary>
public static class UvSimulateFigures
{
    /// <summary>λ_H, λ and 2/η against step, the loss below (PNG only).</summary>
    /// <param name="run">The run: configuration width and param, results learning_rate and r, trajectory.csv.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        int width = run.Configuration.Integer("width");
        string param = run.Configuration.Text("param");
        double eta = run.Results.Number("learning_rate");
        double r = run.Results.Number("r");
        var columns = run.ReadNumbers(UvSimulateWriter.TrajectoryFile, "step", "sharpness", "ntk", "loss");
        var figure = TrajectoryFigure.Render(new TrajectoryFigureData
        {
            Title = FormattableString.Invariant($"UV model, n = {width}, {param}, η = {eta:G4}, r = η/η_c = {r:G4}"),
            Steps = columns[0],
            Sharpness = columns[1],
            Ntk = columns[2],
            Loss = columns[3],
            LearningRate = eta,
        });
        return [new NamedFigure(Path.GetFileNameWithoutExtension(UvSimulateWriter.FigureFile), figure)];
    }
}
