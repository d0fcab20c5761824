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

    /// <summary>Palette for series, in order (matplotlib's tab10).</summary>
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

    /// <summary>
    /// Widest PNG the toolkit writes, in pixels (1200 logical points at <see cref="Scale"/> 2): wider
    /// figures shrink their text below reading size when shown at the width of a page or a report.
    /// </summary>
    public const int MaxPngWidth = 2400;

    /// <summary>The font of every label: DejaVu Sans, matplotlib's default (Debian's fonts-dejavu-core), when installed.</summary>
    public const string FontName = "DejaVu Sans";

    /// <summary>Width of the line sample in a legend entry, in logical points: long enough to show two periods of every dash pattern.</summary>
    public const float LegendSymbolWidth = 40;

    /// <summary>A dashed line (6 on, 4 off): thresholds such as 2/η.</summary>
    public static LinePattern Dashed { get; } = new([6, 4], 0, "Dashed");

    /// <summary>A dotted line (2 on, 3 off).</summary>
    public static LinePattern Dotted { get; } = new([2, 3], 0, "Dotted");

    /// <summary>A dash-dot line (8 on, 3 off, 2 on, 3 off).</summary>
    public static LinePattern DashDot { get; } = new([8, 3, 2, 3], 0, "DashDot");

    /// <summary>A long-dashed line (14 on, 5 off).</summary>
    public static LinePattern LongDashed { get; } = new([14, 5], 0, "LongDashed");

    /// <summary>Applies title, axis labels, the font and font sizes and the legend's symbol width to a plot.</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="title">Title.</param>
    /// <param name="xLabel">Horizontal axis label, with units and conventions.</param>
    /// <param name="yLabel">Vertical axis label, with units and conventions.</param>
    public static void Apply(Plot plot, string title, string xLabel, string yLabel)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Font.Set(FontName);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.Title.Label.FontSize = 18;
        plot.Axes.Bottom.Label.FontSize = 16;
        plot.Axes.Left.Label.FontSize = 16;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Legend.SymbolWidth = LegendSymbolWidth;
        plot.Legend.FontName = FontName;
    }

    /// <summary>Ticks the vertical axis as logarithmic (the plotted values are log10 of the data): decades labelled, minor ticks between.</summary>
    /// <param name="plot">The plot.</param>
    public static void LogTicksY(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Axes.Left.TickGenerator = new LogTickGenerator();
    }

    /// <summary>Ticks the horizontal axis as logarithmic (the plotted values are log10 of the data).</summary>
    /// <param name="plot">The plot.</param>
    public static void LogTicksX(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.Axes.Bottom.TickGenerator = new LogTickGenerator { MinimumLabelSpacing = 60 };
    }

    /// <summary>
    /// Puts the legend inside the data area in the corner that covers the fewest plotted points
    /// (matplotlib's <c>loc="best"</c>), after the axis limits are settled.
    /// </summary>
    /// <param name="plot">The plot, with its data added.</param>
    /// <param name="width">Logical width the plot will be rendered at.</param>
    /// <param name="height">Logical height.</param>
    public static void PlaceLegendInEmptiestCorner(Plot plot, int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.RenderInMemory(width, height);
        var limits = plot.Axes.GetLimits();
        var points = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Where(s => s.IsVisible)
            .SelectMany(s => s.Data.GetScatterPoints()).ToArray();
        if (points.Length == 0 || !(limits.Right > limits.Left) || !(limits.Top > limits.Bottom))
        {
            return;
        }

        // The legend's share of the data area, measured from its layout.
        using var paint = Paint.NewDisposablePaint();
        var layout = plot.Legend.GetLayout(new PixelSize(width, height), paint);
        double fractionX = Math.Clamp((layout.LegendRect.Width + 20) / (width * 0.8), 0.1, 0.9);
        double fractionY = Math.Clamp((layout.LegendRect.Height + 20) / (height * 0.75), 0.1, 0.9);
        int Count(bool left, bool upper) => points.Count(p =>
        {
            double u = (p.X - limits.Left) / (limits.Right - limits.Left), v = (p.Y - limits.Bottom) / (limits.Top - limits.Bottom);
            return (left ? u <= fractionX : u >= 1 - fractionX) && (upper ? v >= 1 - fractionY : v <= fractionY) && u >= 0 && u <= 1 && v >= 0 && v <= 1;
        });
        var corners = new[] { (Alignment.UpperLeft, Count(true, true)), (Alignment.UpperRight, Count(false, true)), (Alignment.LowerLeft, Count(true, false)), (Alignment.LowerRight, Count(false, false)) };
        plot.ShowLegend(corners.OrderBy(c => c.Item2).First().Item1);
    }

    /// <summary>Renders a plot as PNG at print resolution and, when <paramref name="pointCount"/> allows, as SVG.</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="pointCount">Points plotted (decides whether an SVG is made).</param>
    /// <param name="width">Logical width (default <see cref="Width"/>).</param>
    /// <param name="height">Logical height (default <see cref="Height"/>).</param>
    public static RenderedFigure Render(Plot plot, int pointCount, int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        return Compose([[plot]], width, height, pointCount <= SvgPointLimit);
    }

    /// <summary>
    /// Renders panels in a grid (rows of equal length, each panel at the same logical size) into one
    /// PNG at print resolution and, when <paramref name="svg"/>, one SVG document.
    /// </summary>
    /// <param name="panels">The panels by row, top row first.</param>
    /// <param name="width">Logical width of each panel.</param>
    /// <param name="height">Logical height of each panel.</param>
    /// <param name="svg">Whether to make the SVG.</param>
    /// <param name="footer">A plot drawn across the whole width below the panels (a shared legend), with its logical height; none by default.</param>
    public static RenderedFigure Compose(IReadOnlyList<IReadOnlyList<Plot>> panels, int width, int height, bool svg, (Plot Plot, int Height)? footer = null)
    {
        ArgumentNullException.ThrowIfNull(panels);
        int rows = panels.Count, columns = rows == 0 ? 0 : panels[0].Count;
        if (rows == 0 || columns == 0 || panels.Any(r => r.Count != columns))
        {
            throw new ArgumentException("A figure needs at least one panel and rows of equal length.", nameof(panels));
        }

        byte[] png = Png(panels, width, height, footer);
        string? document = svg ? Svg(panels, width, height, footer) : null;
        var kept = panels.SelectMany(r => r).ToList();
        if (footer is { } f)
        {
            kept.Add(f.Plot);
        }

        return new RenderedFigure(png, document) { Panels = kept };
    }

    /// <summary>Renders one plot as an SVG document, dashed lines included (see <see cref="Compose"/>).</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="width">Logical width (default <see cref="Width"/>).</param>
    /// <param name="height">Logical height (default <see cref="Height"/>).</param>
    public static string Svg(Plot plot, int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        return Svg([[plot]], width, height, null);
    }

    private static byte[] Png(IReadOnlyList<IReadOnlyList<Plot>> panels, int width, int height, (Plot Plot, int Height)? footer)
    {
        int rows = panels.Count, columns = panels[0].Count;
        int w = (int)(width * Scale), h = (int)(height * Scale);
        int footerHeight = footer is { } f ? (int)(f.Height * Scale) : 0;
        var info = new SkiaSharp.SKImageInfo(w * columns, (h * rows) + footerHeight, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Premul);
        using var surface = SkiaSharp.SKSurface.Create(info);
        using var pixels = surface.PeekPixels();
        surface.Canvas.Clear(SkiaSharp.SKColors.White);
        RasterTarget = pixels;
        try
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    panels[r][c].ScaleFactor = Scale;
                    RenderPanel(panels[r][c], surface.Canvas, c * w, r * h, w, h);
                }
            }

            if (footer is { } below)
            {
                below.Plot.ScaleFactor = Scale;
                RenderPanel(below.Plot, surface.Canvas, 0, rows * h, w * columns, footerHeight);
            }
        }
        finally
        {
            RasterTarget = null;
        }

        // The "up" filter at zlib level 3 encodes about four times faster than Skia's default (every
        // filter, level 6) for files 0-30 % larger; the encoding dominated the time of dense figures.
        surface.Canvas.Flush();
        using var encoded = pixels.Encode(new SkiaSharp.SKPngEncoderOptions(SkiaSharp.SKPngEncoderFilterFlags.Up, 3)) ?? throw new InvalidOperationException("Skia could not encode the figure as PNG.");
        return encoded.ToArray();
    }

    // One SVG document for the whole grid. Skia's SVG backend draws dashed straight lines solid (and
    // says so on standard error), so the dashed line styles are swapped for stand-ins first (SvgDashes).
    private static string Svg(IReadOnlyList<IReadOnlyList<Plot>> panels, int width, int height, (Plot Plot, int Height)? footer)
    {
        int rows = panels.Count, columns = panels[0].Count;
        var all = panels.SelectMany(r => r).Select(p => (Plot: p, Width: width, Height: height)).ToList();
        if (footer is { } f)
        {
            all.Add((f.Plot, width * columns, f.Height));
        }

        foreach (var (plot, w, h) in all)
        {
            plot.ScaleFactor = 1;
            if (plot.RenderManager.RenderCount == 0)
            {
                // Settle the axis limits and layout first, as ScottPlot's own SVG export does.
                plot.RenderInMemory(w, h);
            }
        }

        int totalHeight = (height * rows) + (footer?.Height ?? 0);
        var styles = all.Select(p => p.Plot).SelectMany(DashedLineStyles).Distinct(ReferenceEqualityComparer.Instance).Cast<LineStyle>().ToArray();
        var swapped = SvgDashes.Swap(styles);
        using var stream = new MemoryStream();
        try
        {
            using var canvas = SkiaSharp.SKSvgCanvas.Create(new SkiaSharp.SKRect(0, 0, width * columns, totalHeight), stream);
            using (var white = new SkiaSharp.SKPaint { Color = SkiaSharp.SKColors.White })
            {
                canvas.DrawRect(0, 0, width * columns, totalHeight, white);
            }

            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    RenderPanel(panels[r][c], canvas, c * width, r * height, width, height);
                }
            }

            if (footer is { } below)
            {
                RenderPanel(below.Plot, canvas, 0, rows * height, width * columns, below.Height);
            }
        }
        finally
        {
            SvgDashes.Restore(swapped);
        }

        return NumberSvgIdsFromZero(SvgDashes.Apply(System.Text.Encoding.UTF8.GetString(stream.ToArray()), swapped));
    }

    /// <summary>The pixels of the PNG being rendered on this thread (for <see cref="PointCloud"/>), or null.</summary>
    [ThreadStatic]
    internal static SkiaSharp.SKPixmap? RasterTarget;

    // Renders one panel into the rectangle (left, top, width, height) of a canvas shared with other panels.
    private static void RenderPanel(Plot plot, SkiaSharp.SKCanvas canvas, float left, float top, int width, int height)
    {
        bool clear = plot.RenderManager.ClearCanvasBeforeEachRender;
        plot.RenderManager.ClearCanvasBeforeEachRender = false;
        int saved = canvas.Save();
        try
        {
            canvas.Translate(left, top);
            canvas.ClipRect(new SkiaSharp.SKRect(0, 0, width, height));
            plot.Render(canvas, width, height);
        }
        finally
        {
            canvas.RestoreToCount(saved);
            plot.RenderManager.ClearCanvasBeforeEachRender = clear;
        }
    }

    // Every line style of a plot drawn with a dash pattern: its plottables' and its legend's own entries.
    private static IEnumerable<LineStyle> DashedLineStyles(Plot plot) =>
        plot.GetPlottables().OfType<IHasLine>().Select(p => p.LineStyle)
            .Concat(plot.Legend.ManualItems.Select(i => i.LineStyle))
            .Where(s => s.Pattern.Intervals is { Length: > 0 });

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

    /// <summary>Renders panels one above the other (each at the given size and print scale) into one PNG.</summary>
    /// <param name="panels">The panels, top first.</param>
    /// <param name="width">Logical width of each panel (default <see cref="Width"/>).</param>
    /// <param name="height">Logical height of each panel (default <see cref="Height"/>).</param>
    public static byte[] StackVertically(IReadOnlyList<Plot> panels, int width = Width, int height = Height) =>
        Stack(panels, width, height).Png;

    /// <summary>Renders panels one above the other into one PNG (no SVG), keeping the panels in the result.</summary>
    /// <param name="panels">The panels, top first.</param>
    /// <param name="width">Logical width of each panel (default <see cref="Width"/>).</param>
    /// <param name="height">Logical height of each panel (default <see cref="Height"/>).</param>
    public static RenderedFigure Stack(IReadOnlyList<Plot> panels, int width = Width, int height = Height)
    {
        ArgumentNullException.ThrowIfNull(panels);
        return Compose(panels.Select(p => (IReadOnlyList<Plot>)[p]).ToArray(), width, height, svg: false);
    }
}

/// <summary>A rendered figure: PNG bytes and, for figures with few enough points, SVG text.</summary>
/// <param name="Png">The PNG image.</param>
/// <param name="Svg">The SVG document, or null when the figure has too many points for one.</param>
public sealed record RenderedFigure(byte[] Png, string? Svg)
{
    /// <summary>The panels the figure was drawn from, row by row (for inspecting what a figure shows; empty when not kept).</summary>
    public IReadOnlyList<Plot> Panels { get; init; } = [];
}
