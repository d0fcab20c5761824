using ScottPlot;

namespace Sharpness.Plots;

/// <summary>A named series of a line figure.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">Horizontal coordinates.</param>
/// <param name="Y">Values (non-finite values are skipped).</param>
/// <param name="Markers">Draw markers only (true) or a line (false). A line through few points, or through values
/// measured only at some of the steps (the others NaN), is drawn with markers at the measured points too.</param>
/// <param name="Dashed">Draw the line dashed (for a second quantity that may lie on top of the first).</param>
public sealed record Series(string Label, double[] X, double[] Y, bool Markers = false, bool Dashed = false);

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

    /// <summary>Horizontal axis range, or null to fit the data.</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>Whether to place the legend in the corner with the fewest points (true, the default) or at the upper left.</summary>
    public bool PlaceLegend { get; init; } = true;
}

/// <summary>Line and scatter figures: series against one horizontal variable, with reference lines.</summary>
public static class LineFigure
{
    /// <summary>A line series with at most this many finite points is drawn with markers on its points.</summary>
    public const int FewPoints = 25;

    /// <summary>Size of the markers on a line series with few or sparse points, in logical points.</summary>
    public const float SparseMarkerSize = 6;

    /// <summary>
    /// A horizontal reference line further than this many data spans from the plotted values is left
    /// out of the plot (it would squeeze the data into a sliver) and listed in the legend with its value.
    /// </summary>
    public const double ReferenceLineReach = 0.5;

    /// <summary>The dash patterns of the horizontal reference lines, in order.</summary>
    public static IReadOnlyList<LinePattern> ReferencePatterns { get; } = [FigureStyle.Dashed, FigureStyle.DashDot, FigureStyle.Dotted, FigureStyle.LongDashed];

    /// <summary>Builds the plot (for composing panels).</summary>
    /// <param name="data">What to draw.</param>
    public static Plot Build(LineFigureData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var plot = new Plot();
        FigureStyle.Apply(plot, data.Title, data.XLabel, data.YLabel);
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        for (int i = 0; i < data.Series.Count; i++)
        {
            var series = data.Series[i];
            var (xs, ys) = Finite(series.X, series.Y, data.LogY);
            int measured = Finite(series.X, series.Y, false).X.Length;
            string legend = series.Label;
            if (data.LogY && measured > xs.Length && legend.Length > 0)
            {
                // A log axis cannot show zero: say so rather than let the curve just stop.
                legend += FormattableString.Invariant($" ({measured - xs.Length} values ≤ 0 not shown)");
            }

            foreach (double y in ys)
            {
                low = Math.Min(low, y);
                high = Math.Max(high, y);
            }

            var color = FigureStyle.Palette[i % FigureStyle.Palette.Count];
            if (series.Markers)
            {
                var points = plot.Add.ScatterPoints(xs, ys);
                points.MarkerSize = 3;
                points.Color = color;
                points.LegendText = legend;
            }
            else
            {
                var line = plot.Add.ScatterLine(xs, ys);
                line.LineWidth = 1.5f;
                line.Color = color;
                line.LegendText = legend;
                if (series.Dashed)
                {
                    // Long dashes: the first reference line (2/η) is dashed, and the two must differ in more than colour.
                    line.LinePattern = FigureStyle.LongDashed;
                    line.LineWidth = 2;
                }

                if (NeedsMarkers(series, measured))
                {
                    line.MarkerSize = SparseMarkerSize;
                    line.MarkerShape = MarkerShape.FilledCircle;
                    line.MarkerColor = color;
                }
            }
        }

        double span = Math.Max(high - low, 0.05 * Math.Max(Math.Abs(high), Math.Abs(low)));
        int k = 0;
        foreach (var (y, label) in data.HorizontalLines)
        {
            double position = data.LogY ? Math.Log10(y) : y;
            if (!double.IsFinite(position))
            {
                continue;
            }

            var pattern = ReferencePatterns[Math.Min(k++, ReferencePatterns.Count - 1)];
            bool outside = low <= high && span > 0 && (position > high + (ReferenceLineReach * span) || position < low - (ReferenceLineReach * span));
            if (outside)
            {
                // Listed, not drawn: say where it is.
                if (label.Length > 0)
                {
                    plot.Legend.ManualItems.Add(new LegendItem
                    {
                        LabelText = FormattableString.Invariant($"{label} = {FigureStyle.FormatNumber(y)} ({(position > high ? "above" : "below")} the plotted range)"),
                        LineColor = FigureStyle.ThresholdColor,
                        LinePattern = pattern,
                        LineWidth = 1.5f,
                    });
                }

                continue;
            }

            var line = plot.Add.HorizontalLine(position);
            line.Color = FigureStyle.ThresholdColor;
            line.LinePattern = pattern;
            line.LineWidth = 1.5f;
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
            FigureStyle.LogTicksY(plot);
        }

        if (data.XRange is { } range && range.Max > range.Min)
        {
            plot.Axes.SetLimitsX(range.Min, range.Max);
        }

        if (data.PlaceLegend)
        {
            FigureStyle.PlaceLegendInEmptiestCorner(plot);
        }
        else
        {
            plot.ShowLegend(Alignment.UpperLeft);
        }

        return plot;
    }

    /// <summary>
    /// Whether a line series is drawn with markers: when it has at most <see cref="FewPoints"/> finite
    /// points, or when fewer than half of its entries are finite (a quantity measured every k steps).
    /// </summary>
    /// <param name="series">The series.</param>
    /// <param name="finitePoints">Its finite points.</param>
    public static bool NeedsMarkers(Series series, int finitePoints)
    {
        ArgumentNullException.ThrowIfNull(series);
        return !series.Markers && finitePoints > 0 && (finitePoints <= FewPoints || finitePoints * 2 < Math.Min(series.X.Length, series.Y.Length));
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
