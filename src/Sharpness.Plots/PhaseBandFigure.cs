using ScottPlot;

namespace Sharpness.Plots;

/// <summary>One critical constant at every point of a panel: mean and spread over seeds.</summary>
/// <param name="Mean">Mean over seeds, one value per point (NaN: not measured).</param>
/// <param name="Min">Smallest value over seeds.</param>
/// <param name="Max">Largest value over seeds.</param>
public sealed record CriticalSeries(double[] Mean, double[] Min, double[] Max);

/// <summary>One panel of the early-training phase diagram: critical constants against depth/width.</summary>
public sealed record PhaseBandPanel
{
    /// <summary>Panel title (variant and the eigenvalue c is measured against).</summary>
    public required string Title { get; init; }

    /// <summary>Horizontal positions (depth/width, positive), one per configuration, in any order; equal values are averaged for the bands.</summary>
    public required double[] X { get; init; }

    /// <summary>c_loss: below it the loss never rises above its initial value in the early steps.</summary>
    public required CriticalSeries Loss { get; init; }

    /// <summary>c_sharp: from it on the sharpness rises above its initial value; null when not measured.</summary>
    public CriticalSeries? Sharpness { get; init; }

    /// <summary>c_max: above it training diverges.</summary>
    public required CriticalSeries Max { get; init; }

    /// <summary>
    /// Optional group of each point (e.g. "depth 4"): the curves connect points of the same group in order of
    /// depth/width, and each group's name is written next to its c_max marker. Null: one curve through all points.
    /// </summary>
    public string[]? Groups { get; init; }

    /// <summary>Vertical axis label of this panel; null uses <see cref="PhaseBandFigureData.YLabel"/>.</summary>
    public string? YLabel { get; init; }
}

/// <summary>What the early-training phase diagram shows: a grid of panels (rows × columns).</summary>
public sealed record PhaseBandFigureData
{
    /// <summary>Panels by row, each row left to right (every row the same length).</summary>
    public required IReadOnlyList<IReadOnlyList<PhaseBandPanel>> Rows { get; init; }

    /// <summary>Horizontal axis label.</summary>
    public string XLabel { get; init; } = "depth / width";

    /// <summary>Vertical axis label.</summary>
    public string YLabel { get; init; } = "c = η λ";

    /// <summary>Range of c shown (the searched grid), positive.</summary>
    public required (double Min, double Max) CRange { get; init; }

    /// <summary>The reference line, c = 2 by default (the stability threshold of the linearised model against its NTK).</summary>
    public double ReferenceLine { get; init; } = 2;
}

/// <summary>
/// The early-training phase diagram of Kalra &amp; Barkeshli: c against depth/width on log axes, with the bands
/// "loss falls" (c &lt; c_loss), "loss catapult" (c_loss ≤ c ≤ c_max), "diverges" (c &gt; c_max), a translucent
/// overlay where the sharpness rises too (c_sharp ≤ c ≤ c_max; below c_loss when c_sharp &lt; c_loss, where it then
/// tints the "loss falls" band), the mean constants with their min–max spread over seeds, and the
/// line c = 2.
/// </summary>
public static class PhaseBandFigure
{
    private static readonly Color LossFalls = Color.FromHex("#c7e9c0");
    private static readonly Color Catapult = Color.FromHex("#fdd0a2");
    private static readonly Color Diverges = Color.FromHex("#bdbdbd");
    private static readonly Color SharpnessRises = Color.FromHex("#9e9ac8").WithAlpha(0.45);

    // What the translucent overlay looks like over the catapult and the "loss falls" bands, for the legend.
    private static readonly Color SharpnessRisesOverCatapult = Over(Catapult);
    private static readonly Color SharpnessRisesOverLossFalls = Over(LossFalls);

    /// <summary>Logical width of a panel when the figure has one column (narrower with more, to stay within <see cref="FigureStyle.MaxPngWidth"/>).</summary>
    public const int PanelWidth = 760;

    /// <summary>Logical height of a panel.</summary>
    public const int PanelHeight = 440;

    /// <summary>Logical height of the legend strip below the panels.</summary>
    public const int LegendHeight = 90;

    /// <summary>Renders the panels in a grid with one legend below them: PNG at print resolution and SVG.</summary>
    /// <param name="data">What to draw.</param>
    /// <exception cref="ArgumentException">No panels, rows of different lengths, or a non-positive c range.</exception>
    public static RenderedFigure Render(PhaseBandFigureData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int rows = data.Rows.Count;
        int columns = rows == 0 ? 0 : data.Rows[0].Count;
        if (rows == 0 || columns == 0 || data.Rows.Any(r => r.Count != columns))
        {
            throw new ArgumentException("The figure needs at least one panel and rows of equal length.", nameof(data));
        }

        if (!(data.CRange.Min > 0) || !(data.CRange.Max > data.CRange.Min))
        {
            throw new ArgumentException("The c range must be positive and increasing.", nameof(data));
        }

        var plots = data.Rows.Select(row => (IReadOnlyList<Plot>)row.Select(panel => Build(panel, data)).ToArray()).ToArray();
        int width = Math.Min(PanelWidth, (int)(FigureStyle.MaxPngWidth / FigureStyle.Scale) / columns);
        var legend = new Plot();
        legend.Font.Set(FigureStyle.FontName);
        legend.HideAxesAndGrid();
        legend.Legend.ManualItems.AddRange(LegendItems(data.Rows.SelectMany(r => r).ToArray(), data));
        legend.Legend.Orientation = Orientation.Horizontal;
        legend.Legend.SymbolWidth = FigureStyle.LegendSymbolWidth;
        legend.Legend.FontSize = 13;
        legend.ShowLegend(Alignment.MiddleCenter);
        return FigureStyle.Compose(plots, width, PanelHeight, svg: true, footer: (legend, LegendHeight));
    }

    /// <summary>The legend of the figure: the bands, the reference line and the constants' markers (those present in some panel).</summary>
    /// <param name="panels">Every panel.</param>
    /// <param name="data">The figure settings.</param>
    public static IReadOnlyList<LegendItem> LegendItems(IReadOnlyList<PhaseBandPanel> panels, PhaseBandFigureData data)
    {
        ArgumentNullException.ThrowIfNull(panels);
        ArgumentNullException.ThrowIfNull(data);
        bool sharpness = panels.Any(p => p.Sharpness is not null);
        bool risesWhereLossFalls = panels.Any(p => p.Sharpness is { } s && Enumerable.Range(0, p.X.Length).Any(i => s.Mean[i] < p.Loss.Mean[i]));
        var items = new List<LegendItem>
        {
            new() { LabelText = "loss falls", FillColor = LossFalls },
            new() { LabelText = "loss catapult", FillColor = Catapult },
        };
        if (sharpness)
        {
            items.Add(new LegendItem { LabelText = "λ_H rises too (c_sharp to c_max)", FillColor = SharpnessRisesOverCatapult });
            if (risesWhereLossFalls)
            {
                items.Add(new LegendItem { LabelText = "λ_H rises, loss falls", FillColor = SharpnessRisesOverLossFalls });
            }
        }

        items.Add(new LegendItem { LabelText = "diverges", FillColor = Diverges });
        items.Add(new LegendItem { LabelText = FormattableString.Invariant($"c = {data.ReferenceLine:G3}"), LineColor = FigureStyle.ThresholdColor, LinePattern = FigureStyle.Dashed, LineWidth = 1.5f });
        foreach (var (label, color, shape) in new[] { ("c_loss", FigureStyle.Palette[2], MarkerShape.FilledCircle), ("c_sharp", FigureStyle.Palette[4], MarkerShape.FilledSquare), ("c_max", FigureStyle.Palette[1], MarkerShape.FilledTriangleUp) })
        {
            if (label != "c_sharp" || sharpness)
            {
                items.Add(new LegendItem { LabelText = label + " (mean, min–max)", MarkerColor = color, MarkerShape = shape, MarkerSize = 7, LineColor = color, LineWidth = 1 });
            }
        }

        return items;
    }

    /// <summary>Builds one panel (for composing or testing).</summary>
    /// <param name="panel">The panel.</param>
    /// <param name="data">The figure settings (range, labels, reference line).</param>
    public static Plot Build(PhaseBandPanel panel, PhaseBandFigureData data)
    {
        ArgumentNullException.ThrowIfNull(panel);
        ArgumentNullException.ThrowIfNull(data);
        var plot = new Plot();
        FigureStyle.Apply(plot, panel.Title, data.XLabel, panel.YLabel ?? data.YLabel);
        double bottom = Math.Log10(data.CRange.Min) - 0.02, top = Math.Log10(data.CRange.Max) + 0.02;
        var points = Enumerable.Range(0, panel.X.Length).Where(i => panel.X[i] > 0).ToArray();
        var columns = points.GroupBy(i => panel.X[i]).OrderBy(g => g.Key).ToArray();
        double[] xs = columns.Select(g => Math.Log10(g.Key)).ToArray();
        double Average(CriticalSeries s, IGrouping<double, int> g) =>
            g.Select(i => s.Mean[i]).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        double Clamp(double c) => double.IsFinite(c) ? Math.Clamp(Math.Log10(c), bottom, top) : double.NaN;
        double[] loss = columns.Select(g => Clamp(Average(panel.Loss, g))).ToArray();
        double[] max = columns.Select(g => Clamp(Average(panel.Max, g))).ToArray();
        double[]? sharp = panel.Sharpness is { } s ? columns.Select(g => Clamp(Average(s, g))).ToArray() : null;

        // Each configuration (each distinct depth/width) is a column of bands reaching halfway to its neighbours:
        // configurations are not interpolated, since equal depth/width from different depths need not agree.
        var edges = new double[xs.Length + 1];
        for (int j = 1; j < xs.Length; j++)
        {
            edges[j] = 0.5 * (xs[j - 1] + xs[j]);
        }

        // The outer columns are as wide on the outside as on the inside (a lone configuration gets ±0.15 decades).
        edges[0] = xs.Length > 1 ? xs[0] - (0.5 * (xs[1] - xs[0])) : xs[0] - 0.15;
        edges[^1] = xs.Length > 1 ? xs[^1] + (0.5 * (xs[^1] - xs[^2])) : xs[^1] + 0.15;
        void Band(int column, double lower, double upper, Color color)
        {
            if (double.IsFinite(lower) && double.IsFinite(upper) && upper > lower)
            {
                var rectangle = plot.Add.Rectangle(edges[column], edges[column + 1], lower, upper);
                rectangle.FillColor = color;
                rectangle.LineWidth = 0;
            }
        }

        for (int j = 0; j < xs.Length; j++)
        {
            Band(j, bottom, loss[j], LossFalls);
            Band(j, loss[j], max[j], Catapult);
            Band(j, max[j], top, Diverges);
            if (sharp is not null)
            {
                Band(j, sharp[j], max[j], SharpnessRises);
            }
        }

        var reference = plot.Add.HorizontalLine(Math.Log10(data.ReferenceLine));
        reference.Color = FigureStyle.ThresholdColor;
        reference.LinePattern = FigureStyle.Dashed;
        reference.LineWidth = 1.5f;

        Curve(plot, panel, panel.Loss, FigureStyle.Palette[2], MarkerShape.FilledCircle);
        if (panel.Sharpness is { } sharpness)
        {
            Curve(plot, panel, sharpness, FigureStyle.Palette[4], MarkerShape.FilledSquare);
        }

        Curve(plot, panel, panel.Max, FigureStyle.Palette[1], MarkerShape.FilledTriangleUp, label: true);

        plot.Axes.Bottom.TickGenerator = new LogTickGenerator { MinimumLabelSpacing = 50 };
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int k = (int)Math.Floor(Math.Log2(data.CRange.Min)); k <= (int)Math.Ceiling(Math.Log2(data.CRange.Max)); k++)
        {
            ticks.AddMajor(k * Math.Log10(2), FigureStyle.FormatNumber(Math.Pow(2, k)));
        }

        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimits(edges[0], edges[^1], bottom, top);
        plot.HideLegend();
        return plot;
    }

    private static void Curve(Plot plot, PhaseBandPanel panel, CriticalSeries series, Color color, MarkerShape shape, bool label = false)
    {
        var order = Enumerable.Range(0, panel.X.Length).Where(i => panel.X[i] > 0 && double.IsFinite(series.Mean[i])).OrderBy(i => panel.X[i]).ToArray();
        foreach (int i in order)
        {
            if (double.IsFinite(series.Min[i]) && double.IsFinite(series.Max[i]) && series.Max[i] > series.Min[i])
            {
                var bar = plot.Add.Line(Math.Log10(panel.X[i]), Math.Log10(series.Min[i]), Math.Log10(panel.X[i]), Math.Log10(series.Max[i]));
                bar.Color = color;
                bar.LineWidth = 2;
            }
        }

        foreach (var group in order.GroupBy(i => panel.Groups?[i] ?? string.Empty))
        {
            int[] members = group.ToArray();
            var points = plot.Add.Scatter(members.Select(i => Math.Log10(panel.X[i])).ToArray(), members.Select(i => Math.Log10(series.Mean[i])).ToArray());
            points.Color = color;
            points.LineWidth = 1;
            points.MarkerShape = shape;
            points.MarkerSize = 7;
            if (label && group.Key.Length > 0)
            {
                int last = members[^1];
                var text = plot.Add.Text(group.Key, Math.Log10(panel.X[last]), Math.Log10(series.Mean[last]));
                text.LabelFontSize = 11;
                text.LabelFontName = FigureStyle.FontName;
                text.LabelFontColor = color;
                // Below the marker: c_max often sits at the top of the grid, where a label above would be cut off.
                text.LabelAlignment = Alignment.UpperCenter;
                text.OffsetY = 6;
            }
        }
    }

    private static Color Over(Color bottom)
    {
        double a = SharpnessRises.Alpha / 255.0;
        byte Mix(byte top, byte under) => (byte)Math.Round((a * top) + ((1 - a) * under));
        return new Color(Mix(SharpnessRises.R, bottom.R), Mix(SharpnessRises.G, bottom.G), Mix(SharpnessRises.B, bottom.B));
    }
}
