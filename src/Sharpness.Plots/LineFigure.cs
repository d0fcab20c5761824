using ScottPlot;

namespace Sharpness.Plots;

/// <summary>A named series of a line figure.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">Horizontal coordinates.</param>
/// <param name="Y">Values (non-finite values are skipped).</param>
/// <param name="Markers">Draw markers only (true) or a line (false).</param>
public sealed record Series(string Label, double[] X, double[] Y, bool Markers = false);

/// <summary>What a line figure shows.</summary>
public sealed record LineFigureData
{
    /// <summary>Title.</summary>
    public required string Title { get; init; }

    /// <summary>Horizontal axis label with units.</summary>
    public required string XLabel { get; init; }

    /// <summary>Vertical axis label with units.</summary>
    public required string YLabel { get; init; }

    /// <summary>The series, drawn in palette order.</summary>
    public required IReadOnlyList<Series> Series { get; init; }

    /// <summary>Horizontal reference lines (value, legend text).</summary>
    public IReadOnlyList<(double Y, string Label)> HorizontalLines { get; init; } = [];

    /// <summary>Vertical markers (position, legend text of the first one).</summary>
    public IReadOnlyList<double> VerticalLines { get; init; } = [];

    /// <summary>Legend text of the vertical markers.</summary>
    public string VerticalLinesLabel { get; init; } = string.Empty;

    /// <summary>Logarithmic vertical axis.</summary>
    public bool LogY { get; init; }
}

/// <summary>Line and scatter figures: series against one horizontal variable, with reference lines.</summary>
public static class LineFigure
{
    /// <summary>Builds the plot (for composing panels).</summary>
    /// <param name="data">What to draw.</param>
    public static Plot Build(LineFigureData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var plot = new Plot();
        FigureStyle.Apply(plot, data.Title, data.XLabel, data.YLabel);
        for (int i = 0; i < data.Series.Count; i++)
        {
            var series = data.Series[i];
            var (xs, ys) = Finite(series.X, series.Y, data.LogY);
            var color = FigureStyle.Palette[i % FigureStyle.Palette.Count];
            if (series.Markers)
            {
                var points = plot.Add.ScatterPoints(xs, ys);
                points.MarkerSize = 3;
                points.Color = color;
                points.LegendText = series.Label;
            }
            else
            {
                var line = plot.Add.ScatterLine(xs, ys);
                line.LineWidth = 1.5f;
                line.Color = color;
                line.LegendText = series.Label;
            }
        }

        foreach (var (y, label) in data.HorizontalLines)
        {
            var line = plot.Add.HorizontalLine(data.LogY ? Math.Log10(y) : y);
            line.Color = FigureStyle.ThresholdColor;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = label;
        }

        bool first = true;
        foreach (double x in data.VerticalLines)
        {
            var line = plot.Add.VerticalLine(x);
            line.Color = FigureStyle.Palette[3].WithAlpha(0.7);
            line.LineWidth = 1;
            if (first && data.VerticalLinesLabel.Length > 0)
            {
                line.LegendText = data.VerticalLinesLabel;
            }

            first = false;
        }

        if (data.LogY)
        {
            var generator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = FigureStyle.FormatLogTick };
            plot.Axes.Left.TickGenerator = generator;
        }

        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    /// <summary>Renders the figure (PNG, and SVG when the point count allows).</summary>
    /// <param name="data">What to draw.</param>
    public static RenderedFigure Render(LineFigureData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FigureStyle.Render(Build(data), data.Series.Sum(s => s.X.Length));
    }

    private static (double[] X, double[] Y) Finite(double[] x, double[] y, bool log)
    {
        var keepX = new List<double>(x.Length);
        var keepY = new List<double>(y.Length);
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            if (double.IsFinite(x[i]) && double.IsFinite(y[i]) && (!log || y[i] > 0))
            {
                keepX.Add(x[i]);
                keepY.Add(log ? Math.Log10(y[i]) : y[i]);
            }
        }

        return (keepX.ToArray(), keepY.ToArray());
    }
}
