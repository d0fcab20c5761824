using ScottPlot;

namespace Sharpness.Plots;

/// <summary>One training run of an edge-of-stability figure.</summary>
/// <param name="LearningRate">η of the run (its threshold line is drawn at <paramref name="Threshold"/>).</param>
/// <param name="Threshold">The stability threshold (2 + 2β)/η.</param>
/// <param name="Steps">Recorded steps.</param>
/// <param name="Sharpness">λ_H per step, NaN where not measured.</param>
/// <param name="Loss">Training loss per step.</param>
public sealed record EdgeOfStabilityRun(double LearningRate, double Threshold, double[] Steps, double[] Sharpness, double[] Loss);

/// <summary>
/// The figure of the edge-of-stability literature: the sharpness of every run against step with its
/// threshold 2/η as a dashed line of the same colour (top), and the training losses on a log scale below.
/// </summary>
public static class EdgeOfStabilityFigure
{
    /// <summary>Renders both panels into one PNG, and the sharpness panel alone as SVG when the point count allows.</summary>
    /// <param name="title">Title of the top panel.</param>
    /// <param name="runs">The runs, one colour each.</param>
    public static RenderedFigure Render(string title, IReadOnlyList<EdgeOfStabilityRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        double last = runs.Count == 0 ? 1 : runs.Max(r => r.Steps.Length > 0 ? r.Steps[^1] : 1);
        var top = BuildSharpness(title, runs, last);
        var bottom = LineFigure.Build(new LineFigureData
        {
            Title = "training loss",
            XLabel = "step",
            YLabel = "loss (log scale)",
            Series = runs.Select(r => new Series($"η = {FigureStyle.FormatNumber(r.LearningRate)}", r.Steps, r.Loss)).ToArray(),
            LogY = true,
            XRange = (0, last),
        });
        var figure = FigureStyle.Stack([top, bottom]);
        int points = runs.Sum(r => r.Sharpness.Count(double.IsFinite));
        string? svg = points <= FigureStyle.SvgPointLimit ? FigureStyle.Svg(BuildSharpness(title, runs, last)) : null;
        return figure with { Svg = svg };
    }

    private static Plot BuildSharpness(string title, IReadOnlyList<EdgeOfStabilityRun> runs, double last)
    {
        // The thresholds are drawn here, each in its run's colour, so that the legend can sit clear of them.
        var plot = LineFigure.Build(new LineFigureData
        {
            Title = title,
            XLabel = "step",
            YLabel = "λ_H (top Hessian eigenvalue of the training loss)",
            Series = runs.Select(r => new Series($"η = {FigureStyle.FormatNumber(r.LearningRate)}", r.Steps, r.Sharpness)).ToArray(),
            XRange = (0, last),
            PlaceLegend = false,
        });
        for (int i = 0; i < runs.Count; i++)
        {
            var line = plot.Add.HorizontalLine(runs[i].Threshold);
            line.Color = FigureStyle.Palette[i % FigureStyle.Palette.Count];
            line.LinePattern = FigureStyle.Dashed;
            line.LineWidth = 1.5f;
            line.LegendText = i == 0 ? "2/η (dashed, same colour)" : string.Empty;
        }

        FigureStyle.PlaceLegendInEmptiestCorner(plot);
        return plot;
    }
}
