using System.Globalization;
using ScottPlot;

namespace Sharpness.Plots.Tests;

/// <summary>
/// What a reviewer checks in a figure, as assertions on the panels a renderer drew: the legend lists
/// what is drawn and tells its entries apart, log axes are ticked at decades with minor ticks, sparse
/// series carry markers, the axes cover the data of interest without squeezing it, and the image is
/// narrow enough to read at page width.
/// </summary>
public static class FigureReview
{
    /// <summary>Width and height of a PNG, from its header.</summary>
    public static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.Length > 24);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
        int width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        int height = (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23];
        return (width, height);
    }

    /// <summary>The PNG is at most <see cref="FigureStyle.MaxPngWidth"/> wide.</summary>
    public static void WidthWithinBounds(RenderedFigure figure)
    {
        var (width, _) = PngSize(figure.Png);
        Assert.True(width <= FigureStyle.MaxPngWidth, $"the figure is {width} px wide; at most {FigureStyle.MaxPngWidth} stay readable at page width");
    }

    /// <summary>The legend's entries, in order.</summary>
    public static string[] LegendLabels(Plot plot) => plot.Legend.GetItems().Select(i => i.LabelText).ToArray();

    /// <summary>The legend lists exactly <paramref name="expected"/> (in any order), each once.</summary>
    public static void LegendIs(Plot plot, params string[] expected)
    {
        string[] labels = LegendLabels(plot);
        Assert.Equal(labels.Length, labels.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(expected.Order(StringComparer.Ordinal), labels.Order(StringComparer.Ordinal));
    }

    /// <summary>No two legend entries look the same: their samples differ in colour, dash pattern, marker, fill or arrow.</summary>
    public static void LegendStylesDistinct(Plot plot)
    {
        var items = plot.Legend.GetItems();
        var styles = items.Select(Style).ToArray();
        for (int i = 0; i < styles.Length; i++)
        {
            for (int j = i + 1; j < styles.Length; j++)
            {
                Assert.False(styles[i] == styles[j], $"legend entries '{items[i].LabelText}' and '{items[j].LabelText}' are drawn alike ({styles[i]})");
            }
        }
    }

    private static string Style(LegendItem item)
    {
        string line = item.LineStyle.Width > 0 && item.LineStyle.IsVisible ? $"line {item.LineStyle.Color.ToHex()} {string.Join('/', item.LineStyle.Pattern.Intervals ?? [])}" : "no line";
        string marker = item.MarkerStyle.IsVisible && item.MarkerStyle.Size > 0 && item.MarkerStyle.Shape != MarkerShape.None ? $"marker {item.MarkerStyle.Shape} {item.MarkerStyle.FillColor.ToHex()}" : "no marker";
        string fill = item.FillStyle.Color.Alpha > 0 ? $"fill {item.FillStyle.Color.ToHex()}" : "no fill";
        string arrow = item.ArrowStyle.LineStyle.Width > 0 ? $"arrow {item.ArrowStyle.LineStyle.Color.ToHex()}" : "no arrow";
        return string.Join(", ", line, marker, fill, arrow);
    }

    /// <summary>Every line series with at most <see cref="LineFigure.FewPoints"/> points is drawn with visible markers.</summary>
    public static void SparseLinesHaveMarkers(Plot plot)
    {
        foreach (var scatter in plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>())
        {
            int points = scatter.Data.GetScatterPoints().Count;
            if (scatter.LineWidth > 0 && points > 0 && points <= LineFigure.FewPoints)
            {
                Assert.True(scatter.MarkerSize >= 3 && scatter.MarkerShape != MarkerShape.None, $"the line '{scatter.LegendText}' joins {points} points without markers");
            }
        }
    }

    /// <summary>
    /// The axis at <paramref name="edge"/> is a log axis as a reader expects one: its labelled ticks are
    /// at powers of ten (or, within less than two decades, at 1, 2 or 5 times them or round values),
    /// increasing, with unlabelled minor ticks between, and each label reads as the value at its position.
    /// </summary>
    public static void LogAxisTickedAtDecades(Plot plot, Edge edge)
    {
        var axis = edge == Edge.Left ? (IAxis)plot.Axes.Left : plot.Axes.Bottom;
        var ticks = axis.TickGenerator.Ticks;
        var major = ticks.Where(t => t.IsMajor).ToArray();
        Assert.True(major.Length >= 2, $"the log axis has {major.Length} labelled ticks");
        Assert.Contains(ticks, t => !t.IsMajor);
        var range = axis.Range;
        double decades = Math.Abs(range.Max - range.Min);
        foreach (var tick in major)
        {
            double value = ParseLabel(tick.Label);
            Assert.True(Math.Abs(Math.Log10(value) - tick.Position) < 1e-6, $"tick '{tick.Label}' sits at 10^{tick.Position}");
            if (decades >= 3)
            {
                Assert.True(Math.Abs(tick.Position - Math.Round(tick.Position)) < 1e-9, $"on an axis spanning {decades:F1} decades the labelled tick '{tick.Label}' is not a power of ten");
            }
        }

        Assert.Equal(major.Select(t => t.Position).Order(), major.Select(t => t.Position));
    }

    /// <summary>Reads a tick label: plain decimals, 10ⁿ or d·10ⁿ.</summary>
    public static double ParseLabel(string label)
    {
        const string superscripts = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        int ten = label.IndexOf("10", StringComparison.Ordinal);
        if (label.Length > 2 && ten >= 0 && label[(ten + 2)..].All(c => c == '⁻' || superscripts.Contains(c)) && label.Length > ten + 2)
        {
            string exponent = string.Concat(label[(ten + 2)..].Select(c => c == '⁻' ? '-' : (char)('0' + superscripts.IndexOf(c))));
            double mantissa = ten == 0 ? 1 : double.Parse(label[..(ten - 1)], CultureInfo.InvariantCulture);
            return mantissa * Math.Pow(10, int.Parse(exponent, CultureInfo.InvariantCulture));
        }

        return double.Parse(label, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The vertical axis shows [<paramref name="low"/>, <paramref name="high"/>] (the data of interest)
    /// and that range fills at least <paramref name="share"/> of the axis.
    /// </summary>
    public static void VerticalAxisCovers(Plot plot, double low, double high, double share = 0.4)
    {
        var limits = plot.Axes.GetLimits();
        Assert.True(limits.Bottom <= low && limits.Top >= high, $"the axis [{limits.Bottom}, {limits.Top}] cuts the data [{low}, {high}]");
        Assert.True(high - low >= share * (limits.Top - limits.Bottom), $"the data [{low}, {high}] fill only {(high - low) / (limits.Top - limits.Bottom):P0} of the axis [{limits.Bottom}, {limits.Top}]");
    }
    /// <summary>
    /// The horizontal axis of a symmetric-log figure (s(λ) = sign(λ) log10(1 + |λ|/c)) reads as one: its labelled ticks
    /// are 0 and ± powers of ten, each at the s of the value its label reads, increasing; the data on each side of zero
    /// beyond 10c reach a labelled tick there; unlabelled minor ticks lie between; and no two labels overlap.
    /// </summary>
    /// <param name="plot">The rendered plot.</param>
    /// <param name="threshold">The linear threshold c.</param>
    /// <param name="dataMin">Smallest λ plotted.</param>
    /// <param name="dataMax">Largest λ plotted.</param>
    public static void SymmetricLogAxisReadable(Plot plot, double threshold, double dataMin, double dataMax)
    {
        static double S(double v, double c) => Math.Sign(v) * Math.Log10(1 + (Math.Abs(v) / c));
        var ticks = plot.Axes.Bottom.TickGenerator.Ticks;
        var major = ticks.Where(t => t.IsMajor).OrderBy(t => t.Position).ToArray();
        Assert.Contains(major, t => t.Label == "0" && t.Position == 0);
        Assert.Contains(ticks, t => !t.IsMajor);
        foreach (var tick in major)
        {
            double value = ParseLabel(tick.Label);
            Assert.True(Math.Abs(S(value, threshold) - tick.Position) < 1e-9, $"tick '{tick.Label}' sits at s = {tick.Position}, not at s({value}) = {S(value, threshold)}");
            if (value != 0)
            {
                double exponent = Math.Log10(Math.Abs(value));
                Assert.True(Math.Abs(exponent - Math.Round(exponent)) < 1e-9, $"the labelled tick '{tick.Label}' is not a power of ten");
            }
        }

        Assert.Equal(major.Length, major.Select(t => t.Label).Distinct(StringComparer.Ordinal).Count());
        if (dataMax > 10 * threshold)
        {
            Assert.Contains(major, t => ParseLabel(t.Label) > 0);
        }

        if (dataMin < -10 * threshold)
        {
            Assert.Contains(major, t => ParseLabel(t.Label) < 0);
        }

        TickLabelsDoNotOverlap(plot, major);
    }

    /// <summary>
    /// Neighbouring labelled ticks of the horizontal axis are further apart on the rendered figure than half their
    /// labels' widths together, in a single-panel figure of <see cref="FigureStyle.Width"/> logical points (a label's width estimated as 0.62 of the font size per character, DejaVu Sans's mean
    /// advance for digits and signs), with a gap of 4 points.
    /// </summary>
    private static void TickLabelsDoNotOverlap(Plot plot, Tick[] major)
    {
        var render = plot.RenderManager.LastRender;
        Assert.True(render.DataRect.Width > 0, "the plot has not been rendered");
        var range = plot.Axes.Bottom.Range;
        // In logical points of a figure FigureStyle.Width wide, whatever scale the last render used.
        double pointsPerUnit = render.DataRect.Width / render.FigureRect.Width * FigureStyle.Width / (range.Max - range.Min);
        double perCharacter = 0.62 * plot.Axes.Bottom.TickLabelStyle.FontSize;
        for (int i = 1; i < major.Length; i++)
        {
            double apart = (major[i].Position - major[i - 1].Position) * pointsPerUnit;
            double needed = (0.5 * perCharacter * (major[i].Label.Length + major[i - 1].Label.Length)) + 4;
            Assert.True(apart >= needed, $"the labels '{major[i - 1].Label}' and '{major[i].Label}' are {apart:F0} points apart, their widths need {needed:F0}");
        }
    }
}
