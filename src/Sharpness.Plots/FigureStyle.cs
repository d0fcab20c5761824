using ScottPlot;

namespace Sharpness.Plots;

/// <summary>
/// The toolkit's figure conventions: readable fonts at paper size, PNG at print resolution
/// (logical size × <see cref="Scale"/>), SVG where the point count allows.
/// </summary>
public static partial class FigureStyle
{
    /// <summary>Logical width of a single-panel figure in points (pixels before scaling). Default 800.</summary>
    public const int Width = 800;

    /// <summary>Logical height of a single-panel figure. Default 500.</summary>
    public const int Height = 500;

    /// <summary>Pixel scale of PNG output (2 gives 1600×1000 for the default size).</summary>
    public const float Scale = 2;

    /// <summary>Above this many plotted points, figures are written as PNG only (an SVG would be too large).</summary>
    public const int SvgPointLimit = 20_000;

    /// <summary>Colour of the stability threshold line ηλ = 2 (or 2/η).</summary>
    public static Color ThresholdColor => Colors.Black;

    /// <summary>Palette for series, in order.</summary>
    public static IReadOnlyList<Color> Palette { get; } =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#17becf"),
    ];

    /// <summary>Formats an axis value compactly: plain decimals between 1e-3 and 1e5, scientific outside.</summary>
    /// <param name="value">The value.</param>
    public static string FormatNumber(double value)
    {
        double magnitude = Math.Abs(value);
        return magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e5)
            ? value.ToString("0.##E0", System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Tick labels for an axis drawn in log10 units: shows 10^v.</summary>
    /// <param name="logValue">The coordinate (log10 of the value).</param>
    public static string FormatLogTick(double logValue) => FormatNumber(Math.Pow(10, logValue));

    /// <summary>Applies title, axis labels and font sizes to a plot.</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="title">Title.</param>
    /// <param name="xLabel">Horizontal axis label, with units and conventions.</param>
    /// <param name="yLabel">Vertical axis label, with units and conventions.</param>
    public static void Apply(Plot plot, string title, string xLabel, string yLabel)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.Title.Label.FontSize = 18;
        plot.Axes.Bottom.Label.FontSize = 16;
        plot.Axes.Left.Label.FontSize = 16;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
    }

    /// <summary>Renders a plot as PNG at print resolution and, when <paramref name="pointCount"/> allows, as SVG.</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="pointCount">Points plotted (decides whether an SVG is made).</param>
    /// <param name="width">Logical width (default <see cref="Width"/>).</param>
    /// <param name="height">Logical height (default <see cref="Height"/>).</param>
    public static RenderedFigure Render(Plot plot, int pointCount, int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.ScaleFactor = Scale;
        byte[] png = plot.GetImage((int)(width * Scale), (int)(height * Scale)).GetImageBytes(ImageFormat.Png);
        string? svg = null;
        if (pointCount <= SvgPointLimit)
        {
            plot.ScaleFactor = 1;
            svg = NumberSvgIdsFromZero(plot.GetSvgXml(width, height));
        }

        return new RenderedFigure(png, svg);
    }

    /// <summary>
    /// Renumbers the clip-path and image ids of an SVG from Skia (<c>cl_1f</c>, <c>img_0</c>) from
    /// zero in order of appearance. Skia numbers clip paths with a counter that runs over the whole
    /// process, so without this the same figure would come out different depending on how many
    /// figures the process drew before it.
    /// </summary>
    /// <param name="svg">The SVG document.</param>
    public static string NumberSvgIdsFromZero(string svg)
    {
        ArgumentNullException.ThrowIfNull(svg);
        var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        return SvgId().Replace(svg, match =>
        {
            if (!renamed.TryGetValue(match.Value, out string? name))
            {
                string prefix = match.Groups["prefix"].Value;
                int next = counts.GetValueOrDefault(prefix);
                counts[prefix] = next + 1;
                name = prefix + "_" + next.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
                renamed[match.Value] = name;
            }

            return name;
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex("(?<=id=\"|#)(?<prefix>cl|img)_[0-9a-f]+(?=[\")])")]
    private static partial System.Text.RegularExpressions.Regex SvgId();

    /// <summary>Renders panels one above the other (each at the default size and print scale) into one PNG.</summary>
    /// <param name="panels">The panels, top first.</param>
    /// <param name="width">Logical width of each panel (default <see cref="Width"/>).</param>
    /// <param name="height">Logical height of each panel (default <see cref="Height"/>).</param>
    public static byte[] StackVertically(IReadOnlyList<Plot> panels, int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(panels);
        int w = (int)(width * Scale), h = (int)(height * Scale);
        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(w, h * panels.Count));
        surface.Canvas.Clear(SkiaSharp.SKColors.White);
        for (int i = 0; i < panels.Count; i++)
        {
            panels[i].ScaleFactor = Scale;
            byte[] png = panels[i].GetImage(w, h).GetImageBytes(ImageFormat.Png);
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            surface.Canvas.DrawBitmap(bitmap, 0, i * h);
        }

        using var image = surface.Snapshot();
        using var encoded = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }
}

/// <summary>A rendered figure: PNG bytes and, for figures with few enough points, SVG text.</summary>
/// <param name="Png">The PNG image.</param>
/// <param name="Svg">The SVG document, or null when the figure has too many points for one.</param>
public sealed record RenderedFigure(byte[] Png, string? Svg);
