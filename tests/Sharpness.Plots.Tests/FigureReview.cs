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
}
