using System.Numerics;
using ScottPlot;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Plots;

/// <summary>What the vector-field portrait shows.</summary>
public sealed record VectorFieldData
{
    /// <summary>Scaled target r.</summary>
    public required double R { get; init; }

    /// <summary>Horizontal range in plot units (g, or f/y when <see cref="RelativeOutput"/>).</summary>
    public required (double Min, double Max) HorizontalRange { get; init; }

    /// <summary>Vertical range of x = ηλ.</summary>
    public required (double Min, double Max) VerticalRange { get; init; }

    /// <summary>Arrows per axis.</summary>
    public int Grid { get; init; } = 25;

    /// <summary>Plot the output as f/y = g/r instead of g (needs r ≠ 0).</summary>
    public bool RelativeOutput { get; init; }

    /// <summary>Trajectories in scaled variables (g, x) to overlay, each a list of states.</summary>
    public IReadOnlyList<IReadOnlyList<UvScaledState>> Trajectories { get; init; } = [];
}

/// <summary>
/// The vector field of one GD step in the (g, x) plane (or (f/y, ηλ)), arrows coloured by whether
/// the step raises or lowers the sharpness x, with the growth wedge −r x/(4 − x) &lt; g &lt; r, the EoS
/// manifold x = 2|g|, the line x = 2, the fixed points and trajectories drawn in.
/// </summary>
public static class VectorFieldFigure
{
    /// <summary>Renders the figure (PNG and SVG).</summary>
    /// <param name="data">What to draw.</param>
    public static RenderedFigure Render(VectorFieldData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.RelativeOutput && data.R == 0)
        {
            throw new ArgumentException("f/y is undefined for r = 0; use the scaled output g.", nameof(data));
        }

        double scale = data.RelativeOutput ? data.R : 1;
        double H(double g) => g / scale;
        var plot = new Plot();
        FigureStyle.Apply(
            plot,
            $"One GD step of the UV model, r = η/η_c = {data.R.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}",
            data.RelativeOutput ? "f/y (output relative to the target)" : "g = ηf/s (scaled output)",
            "x = ηλ (NTK sharpness times learning rate)");

        var (hMin, hMax) = data.HorizontalRange;
        var (xMin, xMax) = data.VerticalRange;
        int n = Math.Max(2, data.Grid);
        double cellH = (hMax - hMin) / n, cellX = (xMax - xMin) / n;
        var up = new List<RootedCoordinateVector>();
        var down = new List<RootedCoordinateVector>();
        for (int i = 0; i <= n; i++)
        {
            for (int j = 0; j <= n; j++)
            {
                double h = hMin + (i * cellH), x = xMin + (j * cellX);
                double g = h * scale;
                if (x < 2 * Math.Abs(g))
                {
                    continue; // Not realisable: x ≥ 2|g| for every weight vector.
                }

                var next = UvScaledMap.Step(new UvScaledState(g, x), data.R);
                double dh = H(next.G) - h, dx = next.X - x;
                double length = Math.Sqrt((dh / cellH * dh / cellH) + (dx / cellX * dx / cellX));
                if (!(length > 0) || !double.IsFinite(length))
                {
                    continue;
                }

                // Arrows show direction only: each is 0.8 of a grid cell long. ScottPlot's vector
                // field takes the vertical component in screen orientation (downwards positive), so
                // it is negated here.
                var rooted = new RootedCoordinateVector(new Coordinates(h, x), new Vector2((float)(0.8 * dh / length), (float)(-0.8 * dx / length)));
                (dx > 0 ? up : down).Add(rooted);
            }
        }

        AddField(plot, up, FigureStyle.Palette[1], "step raises x (sharpening)");
        AddField(plot, down, FigureStyle.Palette[0], "step lowers x");

        double[] xs = Enumerable.Range(0, 401).Select(k => xMin + ((xMax - xMin) * k / 400.0)).ToArray();
        var wedge = xs.Where(x => x >= 0 && x < 4).ToArray();
        Line(plot, wedge.Select(x => H(-data.R * x / (4 - x))).ToArray(), wedge, FigureStyle.Palette[2], LinePattern.Solid, "growth wedge boundary g = −rx/(4 − x)");
        Line(plot, [H(data.R), H(data.R)], [Math.Max(0, xMin), Math.Min(4, xMax)], FigureStyle.Palette[3], FigureStyle.DashDot, data.RelativeOutput ? "f = y (minima; g = r)" : "g = r (minima)");
        var manifold = xs.Where(x => x >= 0).ToArray();
        Line(plot, manifold.Select(x => H(x / 2)).ToArray(), manifold, Colors.Gray, FigureStyle.Dotted, "EoS manifold x = 2|g|");
        Line(plot, manifold.Select(x => H(-x / 2)).ToArray(), manifold, Colors.Gray, FigureStyle.Dotted, string.Empty);
        var threshold = plot.Add.HorizontalLine(2);
        threshold.Color = FigureStyle.ThresholdColor;
        threshold.LinePattern = FigureStyle.Dashed;
        threshold.LineWidth = 1.5f;
        threshold.LegendText = "x = 2 (λ = 2/η)";

        var (upper, lower) = UvFixedPoints.SignFlipPoints(data.R);
        var fixedPoints = new List<UvScaledState> { UvFixedPoints.Origin, upper, lower };
        if (data.R >= 1)
        {
            var (plus, minus) = UvFixedPoints.TwoCycle(data.R);
            var cycle = plot.Add.ScatterPoints(new[] { H(plus.G), H(minus.G) }, new[] { plus.X, minus.X });
            cycle.MarkerSize = 10;
            cycle.MarkerShape = MarkerShape.FilledDiamond;
            cycle.Color = FigureStyle.Palette[4];
            cycle.LegendText = "2-cycle (closed form)";
        }

        var fixedMarkers = plot.Add.ScatterPoints(fixedPoints.Select(p => H(p.G)).ToArray(), fixedPoints.Select(p => p.X).ToArray());
        fixedMarkers.MarkerSize = 10;
        fixedMarkers.MarkerShape = MarkerShape.FilledSquare;
        fixedMarkers.Color = Colors.Black;
        fixedMarkers.LegendText = "origin and sign-flip points (unstable)";

        for (int t = 0; t < data.Trajectories.Count; t++)
        {
            var trajectory = data.Trajectories[t].Where(p => double.IsFinite(p.G) && double.IsFinite(p.X)).ToArray();
            var line = plot.Add.Scatter(trajectory.Select(p => H(p.G)).ToArray(), trajectory.Select(p => p.X).ToArray());
            line.Color = FigureStyle.Palette[(5 + t) % FigureStyle.Palette.Count];
            line.MarkerSize = 4;
            line.LineWidth = 1;
            line.LegendText = t == 0 ? "trajectories" : string.Empty;
        }

        plot.Axes.SetLimits(hMin - cellH, hMax + cellH, xMin - cellX, xMax + cellX);
        plot.ShowLegend(Edge.Right);
        return FigureStyle.Render(plot, (n + 1) * (n + 1), FigureStyle.Width + 300, FigureStyle.Height + 100);
    }

    private static void AddField(Plot plot, List<RootedCoordinateVector> vectors, Color color, string label)
    {
        if (vectors.Count == 0)
        {
            return;
        }

        var field = plot.Add.VectorField(vectors.ToArray());
        field.ArrowStyle.LineWidth = 1;
        field.Colormap = null;
        field.ArrowStyle.LineStyle.Color = color;

        // The field's own legend entry draws an arrowhead as tall as the legend row is wide; this one
        // is a small arrow in the same colour.
        plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = label,
            ArrowStyle = new ArrowStyle { LineWidth = 1.5f, LineColor = color, ArrowheadLength = 5, ArrowheadWidth = 4 },
            Index = plot.Legend.ManualItems.Count,
        });
    }

    private static void Line(Plot plot, double[] h, double[] x, Color color, LinePattern pattern, string label)
    {
        var line = plot.Add.ScatterLine(h, x);
        line.Color = color;
        line.LinePattern = pattern;
        line.LineWidth = 2;
        line.LegendText = label;
    }
}
