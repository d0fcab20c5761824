using ScottPlot;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Plots;

/// <summary>What an orbit-diagram figure shows.</summary>
public sealed record OrbitFigureData
{
    /// <summary>Horizontal axis label, for example "r = η/η_c".</summary>
    public required string AxisLabel { get; init; }

    /// <summary>Horizontal coordinate of every kept point.</summary>
    public required double[] Axis { get; init; }

    /// <summary>ηλ (NTK, scaled) of every kept point.</summary>
    public required double[] LrNtk { get; init; }

    /// <summary>ηλ_H (Hessian sharpness, scaled) of every kept point.</summary>
    public required double[] LrSharpness { get; init; }

    /// <summary>The swept values: horizontal coordinate and the scaled target r there (for the closed-form 2-cycle).</summary>
    public required IReadOnlyList<(double Axis, double R)> Grid { get; init; }

    /// <summary>Flip points to mark, in horizontal-axis units (may be empty).</summary>
    public IReadOnlyList<double> FlipPoints { get; init; } = [];

    /// <summary>Horizontal zoom window, or null for the whole sweep.</summary>
    public (double Min, double Max)? AxisWindow { get; init; }

    /// <summary>Vertical zoom window (ηλ units), or null for automatic.</summary>
    public (double Min, double Max)? ValueWindow { get; init; }

    /// <summary>Title line.</summary>
    public string Title { get; init; } = "Orbit diagram of the UV model";
}

/// <summary>
/// The orbit (bifurcation) diagram: ηλ (top) and ηλ_H (bottom) of the kept iterates against the
/// swept parameter, with the stability threshold ηλ = 2, the closed-form period-2 branches
/// x± = 2g±, g± = [(1 + r) ± √((1 + r)² − 4)]/2 for r ≥ 1, and the flip points.
/// </summary>
public static class OrbitDiagramFigure
{
    /// <summary>Renders the figure (PNG only: orbit diagrams are dense).</summary>
    /// <param name="data">What to draw.</param>
    public static RenderedFigure Render(OrbitFigureData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var top = new Plot();
        var bottom = new Plot();
        Draw(top, data, data.LrNtk, "ηλ (NTK λ, scaled by η)", FigureStyle.Palette[0], data.Title, closedForm: true);
        Draw(bottom, data, data.LrSharpness, "ηλ_H (Hessian sharpness, scaled)", FigureStyle.Palette[1], "Hessian sharpness of the same iterates", closedForm: false);
        return FigureStyle.Stack([top, bottom]);
    }

    private static void Draw(Plot plot, OrbitFigureData data, double[] values, string yLabel, Color color, string title, bool closedForm)
    {
        FigureStyle.Apply(plot, title, data.AxisLabel, yLabel);
        var cloud = new PointCloud(data.Axis, values) { Color = color.WithAlpha(0.6), PointSize = 1.5f };
        plot.Add.Plottable(cloud);

        // The cloud's own points are too small for a legend sample.
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "kept iterates", MarkerShape = MarkerShape.FilledCircle, MarkerSize = 6, MarkerColor = color, Index = 0 });

        var threshold = plot.Add.HorizontalLine(2);
        threshold.Color = FigureStyle.ThresholdColor;
        threshold.LinePattern = FigureStyle.Dashed;
        threshold.LineWidth = 1.5f;
        threshold.LegendText = "stability threshold = 2";

        if (closedForm)
        {
            var branch = data.Grid.Where(p => p.R >= 1).OrderBy(p => p.Axis).ToArray();
            if (branch.Length >= 2)
            {
                var cycles = branch.Select(p => UvFixedPoints.TwoCycle(p.R)).ToArray();
                var plus = plot.Add.ScatterLine(branch.Select(p => p.Axis).ToArray(), cycles.Select(c => c.Plus.X).ToArray());
                var minus = plot.Add.ScatterLine(branch.Select(p => p.Axis).ToArray(), cycles.Select(c => c.Minus.X).ToArray());
                foreach (var line in new[] { plus, minus })
                {
                    line.Color = FigureStyle.Palette[2];
                    line.LineWidth = 1.5f;
                    line.LinePattern = FigureStyle.Dotted;
                }

                plus.LegendText = "closed-form 2-cycle x± = 2g±";
            }
        }

        bool first = true;
        foreach (double flip in data.FlipPoints)
        {
            var marker = plot.Add.VerticalLine(flip);
            marker.Color = FigureStyle.Palette[3].WithAlpha(0.7);
            marker.LineWidth = 1;
            marker.LegendText = first ? "flip points (period doubling)" : string.Empty;
            first = false;
        }

        if (data.AxisWindow is { } window)
        {
            plot.Axes.SetLimitsX(window.Min, window.Max);
        }

        if (data.ValueWindow is { } valueWindow)
        {
            plot.Axes.SetLimitsY(valueWindow.Min, valueWindow.Max);
        }

        plot.ShowLegend(Alignment.UpperLeft);
    }
}
