using System.Globalization;
using System.Text;
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

    /// <summary>Logical width of a panel: the default figure width plus room for the legend on the right.</summary>
    public const int PanelWidth = FigureStyle.Width + 260;

    /// <summary>Renders the panels in a grid: PNG at print resolution and SVG.</summary>
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

        var plots = data.Rows.Select(row => row.Select(panel => Build(panel, data)).ToArray()).ToArray();
        return Compose(plots, PanelWidth, FigureStyle.Height);
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
        reference.LinePattern = LinePattern.Dashed;
        reference.LineWidth = 1.5f;

        Curve(plot, panel, panel.Loss, FigureStyle.Palette[2], MarkerShape.FilledCircle);
        if (panel.Sharpness is { } sharpness)
        {
            Curve(plot, panel, sharpness, FigureStyle.Palette[4], MarkerShape.FilledSquare);
        }

        Curve(plot, panel, panel.Max, FigureStyle.Palette[1], MarkerShape.FilledTriangleUp, label: true);

        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "loss falls", FillColor = LossFalls });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "loss catapult", FillColor = Catapult });
        if (sharp is not null)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = "λ_H rises too (c_sharp to c_max)", FillColor = SharpnessRisesOverCatapult });
            if (sharp.Zip(loss).Any(p => p.First < p.Second))
            {
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = "λ_H rises, loss falls", FillColor = SharpnessRisesOverLossFalls });
            }
        }

        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "diverges", FillColor = Diverges });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = FormattableString.Invariant($"c = {data.ReferenceLine:G3}"), LineColor = FigureStyle.ThresholdColor, LinePattern = LinePattern.Dashed, LineWidth = 1.5f });
        foreach (var (label, color, shape) in new[] { ("c_loss", FigureStyle.Palette[2], MarkerShape.FilledCircle), ("c_sharp", FigureStyle.Palette[4], MarkerShape.FilledSquare), ("c_max", FigureStyle.Palette[1], MarkerShape.FilledTriangleUp) })
        {
            if (label != "c_sharp" || panel.Sharpness is not null)
            {
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = label + " (mean, min–max)", MarkerColor = color, MarkerShape = shape, MarkerSize = 7, LineColor = color, LineWidth = 1 });
            }
        }

        plot.Axes.Bottom.TickGenerator = DecadeTicks(edges[0], edges[^1]);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int k = (int)Math.Floor(Math.Log2(data.CRange.Min)); k <= (int)Math.Ceiling(Math.Log2(data.CRange.Max)); k++)
        {
            ticks.AddMajor(k * Math.Log10(2), FigureStyle.FormatNumber(Math.Pow(2, k)));
        }

        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimits(edges[0], edges[^1], bottom, top);
        plot.ShowLegend(Edge.Right);
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

    /// <summary>Ticks at 1, 2 and 5 times powers of ten (all nine digits when the range spans less than a decade), in log10 coordinates.</summary>
    private static ScottPlot.TickGenerators.NumericManual DecadeTicks(double logMin, double logMax)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        int[][] digitSets = [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]];
        foreach (int[] digits in digitSets)
        {
            var positions = new List<double>();
            for (int k = (int)Math.Floor(logMin); k <= (int)Math.Ceiling(logMax); k++)
            {
                positions.AddRange(digits.Select(d => Math.Log10(d) + k).Where(v => v >= logMin && v <= logMax));
            }

            if (positions.Count >= 3 || digits.Length == 9)
            {
                foreach (double v in positions)
                {
                    ticks.AddMajor(v, FigureStyle.FormatNumber(Math.Pow(10, v)));
                }

                break;
            }
        }

        return ticks;
    }

    /// <summary>Renders each plot at the panel size and places them in a grid: one PNG, one SVG.</summary>
    private static RenderedFigure Compose(Plot[][] plots, int width, int height)
    {
        int rows = plots.Length, columns = plots[0].Length;
        int w = (int)(width * FigureStyle.Scale), h = (int)(height * FigureStyle.Scale);
        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(w * columns, h * rows));
        surface.Canvas.Clear(SkiaSharp.SKColors.White);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width * columns}\" height=\"{height * rows}\" viewBox=\"0 0 {width * columns} {height * rows}\">");
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                var plot = plots[r][c];
                plot.ScaleFactor = FigureStyle.Scale;
                byte[] png = plot.GetImage(w, h).GetImageBytes(ImageFormat.Png);
                using (var bitmap = SkiaSharp.SKBitmap.Decode(png))
                {
                    surface.Canvas.DrawBitmap(bitmap, c * w, r * h);
                }

                plot.ScaleFactor = 1;
                string panel = plot.GetSvgXml(width, height);
                int start = panel.IndexOf("<svg", StringComparison.Ordinal);
                svg.Append(CultureInfo.InvariantCulture, $"<g transform=\"translate({c * width},{r * height})\">");
                svg.Append(start >= 0 ? panel[start..] : panel);
                svg.Append("</g>");
            }
        }

        svg.Append("</svg>");
        using var image = surface.Snapshot();
        using var encoded = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        // Skia's ids are distinct across the panels; renumbered once over the whole document they stay distinct.
        return new RenderedFigure(encoded.ToArray(), FigureStyle.NumberSvgIdsFromZero(svg.ToString()));
    }
}
