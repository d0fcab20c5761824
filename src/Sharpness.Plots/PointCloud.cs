using ScottPlot;
using SkiaSharp;

namespace Sharpness.Plots;

/// <summary>
/// Many small round points in one colour (an orbit diagram's hundreds of thousands of iterates),
/// drawn straight into the pixels of a raster canvas: each point blends a small anti-aliased disk
/// into the bitmap. ScottPlot's scatter plot draws every marker as its own path, which for dense
/// clouds costs far more than the points themselves. On other canvases (SVG) the points are drawn
/// with one Skia call.
/// </summary>
public sealed class PointCloud : IPlottable
{
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly AxisLimits _limits;

    /// <summary>A cloud of the points (<paramref name="x"/>[i], <paramref name="y"/>[i]); non-finite ones are skipped.</summary>
    /// <param name="x">Horizontal coordinates.</param>
    /// <param name="y">Vertical coordinates (same length).</param>
    public PointCloud(double[] x, double[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length != y.Length)
        {
            throw new ArgumentException("The coordinates differ in length.", nameof(y));
        }

        _x = x;
        _y = y;
        double left = double.PositiveInfinity, right = double.NegativeInfinity, bottom = double.PositiveInfinity, top = double.NegativeInfinity;
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsFinite(x[i]) && double.IsFinite(y[i]))
            {
                left = Math.Min(left, x[i]);
                right = Math.Max(right, x[i]);
                bottom = Math.Min(bottom, y[i]);
                top = Math.Max(top, y[i]);
            }
        }

        _limits = left <= right ? new AxisLimits(left, right, bottom, top) : AxisLimits.NoLimits;
    }

    /// <summary>Points drawn (before skipping non-finite ones).</summary>
    public int Count => _x.Length;

    /// <summary>Colour, with its opacity.</summary>
    public Color Color { get; set; } = Colors.Black;

    /// <summary>Diameter of a point in logical points. Default 1.5.</summary>
    public float PointSize { get; set; } = 1.5f;

    /// <inheritdoc />
    public bool IsVisible { get; set; } = true;

    /// <inheritdoc />
    public IAxes Axes { get; set; } = new ScottPlot.Axes();

    /// <inheritdoc />
    public IEnumerable<LegendItem> LegendItems => [];

    /// <inheritdoc />
    public AxisLimits GetAxisLimits() => _limits;

    /// <inheritdoc />
    public void Render(RenderPack rp)
    {
        ArgumentNullException.ThrowIfNull(rp);
        var pixels = new SKPoint[_x.Length];
        int n = 0;
        for (int i = 0; i < _x.Length; i++)
        {
            if (double.IsFinite(_x[i]) && double.IsFinite(_y[i]))
            {
                var pixel = Axes.GetPixel(new Coordinates(_x[i], _y[i]));
                pixels[n++] = new SKPoint(pixel.X, pixel.Y);
            }
        }

        if (!BlendIntoBitmap(rp.Canvas, pixels.AsSpan(0, n)))
        {
            using var paint = new SKPaint
            {
                Color = new SKColor(Color.Red, Color.Green, Color.Blue, Color.Alpha),
                StrokeWidth = PointSize,
                StrokeCap = SKStrokeCap.Round,
                IsAntialias = true,
                Style = SKPaintStyle.Stroke,
            };
            rp.Canvas.DrawPoints(SKPointMode.Points, n == pixels.Length ? pixels : pixels[..n], paint);
        }
    }

    // Blends a disk of diameter PointSize (in device pixels after the canvas's scale) around each point
    // into the RGBA or BGRA pixels of the figure being rendered (FigureStyle.RasterTarget), inside the
    // canvas's clip. False when no such bitmap is being drawn (an SVG, or ScottPlot's own export) or
    // the canvas has a transform other than scale and translation: then the caller draws the points.
    private bool BlendIntoBitmap(SKCanvas canvas, ReadOnlySpan<SKPoint> points)
    {
        var matrix = canvas.TotalMatrix;
        if (matrix.SkewX != 0 || matrix.SkewY != 0 || matrix.Persp0 != 0 || matrix.Persp1 != 0)
        {
            return false;
        }

        var pixmap = FigureStyle.RasterTarget;
        if (pixmap is null || pixmap.BytesPerPixel != 4 || pixmap.AlphaType != SKAlphaType.Premul
            || (pixmap.ColorType != SKColorType.Rgba8888 && pixmap.ColorType != SKColorType.Bgra8888))
        {
            return false;
        }

        var clip = canvas.DeviceClipBounds;
        clip.Intersect(new SKRectI(0, 0, pixmap.Width, pixmap.Height));
        if (clip.IsEmpty)
        {
            return true;
        }

        // Coverage of each pixel by a disk of the scaled diameter, sampled at 4 × 4 points per pixel,
        // for the point's centre rounded to a quarter pixel.
        float diameter = PointSize * Math.Abs(matrix.ScaleX);
        float radius = diameter / 2;
        int reach = (int)Math.Ceiling(radius + 0.5f);
        int size = (2 * reach) + 1;
        var kernels = new byte[4, 4][];
        for (int qy = 0; qy < 4; qy++)
        {
            for (int qx = 0; qx < 4; qx++)
            {
                var kernel = new byte[size * size];
                for (int dy = -reach; dy <= reach; dy++)
                {
                    for (int dx = -reach; dx <= reach; dx++)
                    {
                        int inside = 0;
                        for (int sy = 0; sy < 4; sy++)
                        {
                            for (int sx = 0; sx < 4; sx++)
                            {
                                float px = dx + ((sx + 0.5f) / 4) - 0.5f - (qx / 4f), py = dy + ((sy + 0.5f) / 4) - 0.5f - (qy / 4f);
                                inside += (px * px) + (py * py) <= radius * radius ? 1 : 0;
                            }
                        }

                        kernel[((dy + reach) * size) + dx + reach] = (byte)((inside * 255) / 16);
                    }
                }

                kernels[qy, qx] = kernel;
            }
        }

        bool rgba = pixmap.ColorType == SKColorType.Rgba8888;
        int alpha = Color.Alpha;
        int c0 = rgba ? Color.Red : Color.Blue, c1 = Color.Green, c2 = rgba ? Color.Blue : Color.Red;
        int rowBytes = pixmap.RowBytes;
        var bits = pixmap.GetPixelSpan();
        {
            foreach (var point in points)
            {
                var device = matrix.MapPoint(point);
                float fx = device.X - 0.5f, fy = device.Y - 0.5f;
                int cx = (int)MathF.Floor(fx), cy = (int)MathF.Floor(fy);
                int qx = Math.Clamp((int)((fx - cx) * 4), 0, 3), qy = Math.Clamp((int)((fy - cy) * 4), 0, 3);
                var kernel = kernels[qy, qx];
                for (int dy = -reach; dy <= reach; dy++)
                {
                    int y = cy + dy;
                    if (y < clip.Top || y >= clip.Bottom)
                    {
                        continue;
                    }

                    var row = bits.Slice(y * rowBytes, rowBytes);
                    for (int dx = -reach; dx <= reach; dx++)
                    {
                        int x = cx + dx;
                        int coverage = kernel[((dy + reach) * size) + dx + reach];
                        if (coverage == 0 || x < clip.Left || x >= clip.Right)
                        {
                            continue;
                        }

                        // Source-over in premultiplied 8-bit: a = alpha × coverage.
                        int a = ((alpha * coverage) + 127) / 255;
                        var p = row.Slice(x * 4, 4);
                        int keep = 255 - a;
                        p[0] = (byte)((((c0 * a) + (p[0] * keep)) + 127) / 255);
                        p[1] = (byte)((((c1 * a) + (p[1] * keep)) + 127) / 255);
                        p[2] = (byte)((((c2 * a) + (p[2] * keep)) + 127) / 255);
                        p[3] = (byte)(((255 * a) + (p[3] * keep) + 127) / 255);
                    }
                }
            }
        }

        return true;
    }
}
