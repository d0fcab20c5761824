using ScottPlot;
using Sharpness.Uv.Dynamics;
using static Sharpness.Plots.Tests.FigureReview;

namespace Sharpness.Plots.Tests;

/// <summary>
/// The figure review: every kind of figure the toolkit draws, rendered from data shaped like the runs
/// that produce it, checked for what a reviewer would check by eye (docs/figures.md shows each once).
/// </summary>
public class FigureReviewTests
{
    private static double[] Steps(int count) => Enumerable.Range(0, count).Select(i => (double)i).ToArray();

    [Fact]
    public void TrajectoryOfAWideNetworkShowsTheSmallSharpnessChangeAndListsAFarThreshold()
    {
        // uv simulate at its defaults: λ_H falls from 1.853 to 1.842 and settles, λ just below it, 2/η = 4 far above.
        double[] steps = Steps(201);
        double[] sharpness = steps.Select(t => 1.8446 + (0.0084 * Math.Exp(-t)) - (0.0026 * Math.Exp(-(t - 1) * (t - 1)))).ToArray();
        double[] ntk = sharpness.Select(v => v - 0.0001).ToArray();
        double[] loss = steps.Select(t => t < 19 ? 0.5 * Math.Pow(10, -1.8 * t) : 0).ToArray();

        var figure = TrajectoryFigure.Render(new TrajectoryFigureData { Title = "t", Steps = steps, Sharpness = sharpness, Ntk = ntk, Loss = loss, LearningRate = 0.5 });

        WidthWithinBounds(figure);
        var (top, bottom) = (figure.Panels[0], figure.Panels[1]);
        LegendIs(top, "λ_H (Hessian sharpness)", "λ (NTK)", "2/η = 4 (above the plotted range)");
        LegendStylesDistinct(top);
        VerticalAxisCovers(top, ntk.Min(), sharpness.Max());
        Assert.Empty(top.GetPlottables().OfType<ScottPlot.Plottables.HorizontalLine>());
        LegendIs(bottom, "loss (182 values ≤ 0 not shown)");
        LogAxisTickedAtDecades(bottom, Edge.Left);
    }

    [Fact]
    public void TrajectoryWithTheThresholdInsideTheDataDrawsIt()
    {
        double[] steps = Steps(60);
        double[] sharpness = steps.Select(t => 2.1 + (1.5 * Math.Exp(-t / 5) * Math.Cos(t))).ToArray();

        var figure = TrajectoryFigure.Render(new TrajectoryFigureData { Title = "t", Steps = steps, Sharpness = sharpness, Loss = steps.Select(t => Math.Exp(-t)).ToArray(), LearningRate = 2 / 2.71 });

        var top = figure.Panels[0];
        LegendIs(top, "λ_H (Hessian sharpness)", "2/η");
        var line = Assert.Single(top.GetPlottables().OfType<ScottPlot.Plottables.HorizontalLine>());
        Assert.Equal(2.71, line.Y, 12);
        VerticalAxisCovers(top, sharpness.Min(), sharpness.Max());
    }

    [Fact]
    public void TheNtkLineAndTheThresholdDifferInDashPatternNotOnlyInColour()
    {
        double[] steps = Steps(60);
        double[] sharpness = steps.Select(t => 2.1 + (1.5 * Math.Exp(-t / 5) * Math.Cos(t))).ToArray();
        double[] ntk = sharpness.Select(v => v - 0.2).ToArray();

        var figure = TrajectoryFigure.Render(new TrajectoryFigureData { Title = "t", Steps = steps, Sharpness = sharpness, Ntk = ntk, Loss = steps.Select(t => Math.Exp(-t)).ToArray(), LearningRate = 2 / 2.71 });

        var top = figure.Panels[0];
        var threshold = Assert.Single(top.GetPlottables().OfType<ScottPlot.Plottables.HorizontalLine>());
        var ntkLine = top.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText == "λ (NTK)");
        Assert.NotEqual(string.Join('/', threshold.LinePattern.Intervals ?? []), string.Join('/', ntkLine.LinePattern.Intervals ?? []));
        Assert.NotEqual(ScottPlot.LinePattern.Solid.Intervals, ntkLine.LinePattern.Intervals);
    }

    [Fact]
    public void SharpnessMeasuredEveryFewStepsIsDrawnWithMarkersAndTheLossOnDecades()
    {
        // net train: λ_H at steps 0, 10, 20, NaN between; the loss over four decades.
        double[] steps = Steps(21);
        double[] sharpness = steps.Select(t => t % 10 == 0 ? 80 - (2 * t) : double.NaN).ToArray();
        double[] loss = steps.Select(t => 2 * Math.Pow(10, -t / 5)).ToArray();

        var figure = TrajectoryFigure.Render(new TrajectoryFigureData { Title = "t", Steps = steps, Sharpness = sharpness, Loss = loss, LearningRate = 2.0 / 30 });

        var (top, bottom) = (figure.Panels[0], figure.Panels[1]);
        var curve = top.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.StartsWith("λ_H", StringComparison.Ordinal));
        Assert.Equal(3, curve.Data.GetScatterPoints().Count);
        SparseLinesHaveMarkers(top);
        Assert.True(curve.MarkerSize > 0);
        LogAxisTickedAtDecades(bottom, Edge.Left);
        Assert.Equal(["0.001", "0.01", "0.1", "1"], bottom.Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label).Where(l => l is "0.001" or "0.01" or "0.1" or "1").ToArray());
    }

    [Fact]
    public void EdgeOfStabilityFigureListsEveryRateOnceAndMarksSparseMeasurements()
    {
        double[] steps = Steps(41);
        EdgeOfStabilityRun Run(double eta, double start) => new(eta, 2 / eta, steps,
            steps.Select(t => t % 10 == 0 ? Math.Min(start + t, 2 / eta) : double.NaN).ToArray(),
            steps.Select(t => 1.5 * Math.Exp(-t / 8)).ToArray());

        var figure = EdgeOfStabilityFigure.Render("eos", [Run(2.0 / 30, 20), Run(2.0 / 40, 25)]);

        WidthWithinBounds(figure);
        var top = figure.Panels[0];
        LegendIs(top, "η = 0.067", "η = 0.05", "2/η (dashed, same colour)");
        LegendStylesDistinct(top);
        SparseLinesHaveMarkers(top);
        LogAxisTickedAtDecades(figure.Panels[1], Edge.Left);
        Assert.NotNull(figure.Svg);
        Assert.Contains("stroke-dasharray", figure.Svg);
    }

    [Fact]
    public void OrbitDiagramListsItsFlipPointsAndTellsItsLinesApart()
    {
        double[] rs = Enumerable.Range(0, 200).Select(i => 0.8 + (i * 0.005)).ToArray();
        var axis = new List<double>();
        var values = new List<double>();
        foreach (double r in rs)
        {
            foreach (double x in r < 1 ? [2 * r / (1 + r)] : new[] { UvFixedPoints.TwoCycle(r).Plus.X, UvFixedPoints.TwoCycle(r).Minus.X })
            {
                axis.Add(r);
                values.Add(x);
            }
        }

        var figure = OrbitDiagramFigure.Render(new OrbitFigureData
        {
            AxisLabel = "r",
            Axis = [.. axis],
            LrNtk = [.. values],
            LrSharpness = [.. values],
            Grid = rs.Select(r => (r, r)).ToArray(),
            FlipPoints = [1, Math.Sqrt(5) - 1],
        });

        WidthWithinBounds(figure);
        LegendIs(figure.Panels[0], "kept iterates", "stability threshold = 2", "closed-form 2-cycle x± = 2g±", "flip points (period doubling)");
        LegendStylesDistinct(figure.Panels[0]);
        LegendIs(figure.Panels[1], "kept iterates", "stability threshold = 2", "flip points (period doubling)");
        Assert.Equal(2, figure.Panels[0].GetPlottables().OfType<ScottPlot.Plottables.VerticalLine>().Count());
    }

    [Fact]
    public void VectorFieldLegendHasSmallArrowsAndDistinctLinesAndItsSvgKeepsTheDashes()
    {
        var figure = VectorFieldFigure.Render(new VectorFieldData
        {
            R = 1.1,
            HorizontalRange = (-1.9, 3.4),
            VerticalRange = (0, 4.5),
            Grid = 12,
            Trajectories = [[new UvScaledState(0.2, 1), new UvScaledState(0.5, 1.5), new UvScaledState(0.9, 2.0)]],
        });

        WidthWithinBounds(figure);
        var plot = Assert.Single(figure.Panels);
        LegendIs(plot, "step raises x (sharpening)", "step lowers x", "growth wedge boundary g = −rx/(4 − x)", "g = r (minima)", "EoS manifold x = 2|g|", "x = 2 (λ = 2/η)", "2-cycle (closed form)", "origin and sign-flip points (unstable)", "trajectories");
        LegendStylesDistinct(plot);
        Assert.All(plot.Legend.GetItems().Where(i => i.ArrowStyle.LineStyle.Width > 0), i => Assert.True(i.ArrowStyle.ArrowheadWidth <= plot.Legend.SymbolHeight / 2, "a legend arrow taller than its row"));
        // Every dashed or dotted line comes out dashed in the SVG, in its own colour.
        Assert.Contains("stroke=\"black\" stroke-dasharray=\"6 4\"", figure.Svg!.Replace("#000000", "black", StringComparison.Ordinal));
        Assert.Contains("stroke-dasharray=\"2 3\"", figure.Svg);
        Assert.Contains("stroke-dasharray=\"8 3 2 3\"", figure.Svg);
        Assert.DoesNotContain("#13579B", figure.Svg, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void PhaseDiagramReferenceLinesLookDifferent()
    {
        var figure = CategoryMapFigure.Render(new CategoryMapData
        {
            Title = "t",
            XLabel = "c",
            YLabel = "r",
            XRange = (0, 4.5),
            YRange = (0, 2),
            Cells = new[,] { { 0, 1, 2 }, { 3, 4, 5 } },
            Categories = ["a", "b", "c", "d", "e", "f"],
            VerticalLines = [(2, "c = 2"), (4, "c = 4")],
            HorizontalLines = [(1, "r = 1 (η = η_c)")],
        });

        WidthWithinBounds(figure);
        var plot = Assert.Single(figure.Panels);
        LegendIs(plot, "c = 2", "c = 4", "r = 1 (η = η_c)", "a", "b", "c", "d", "e", "f");
        LegendStylesDistinct(plot);
    }

    [Fact]
    public void PhysicalPhaseDiagramHasALogAxisAndRowsLabelledByTheirValues()
    {
        double[] widths = [2, 8, 32, 128, 512];
        double[] logC = Enumerable.Range(0, 8).Select(i => Math.Log10(0.25) + (i * Math.Log10(32) / 7)).ToArray();
        var cells = new int[widths.Length, logC.Length];
        var figure = CategoryMapFigure.Render(new CategoryMapData
        {
            Title = "t",
            XLabel = "c (log scale)",
            YLabel = "width n (log scale)",
            XRange = (logC[0] - 0.1, logC[^1] + 0.1),
            YRange = (Math.Log10(2) - 0.3, Math.Log10(512) + 0.3),
            Cells = cells,
            Categories = ["a"],
            VerticalLines = [(Math.Log10(2), "c = 2")],
            LogX = true,
            YTicks = widths.Select(w => (Math.Log10(w), w.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray(),
        });

        var plot = Assert.Single(figure.Panels);
        LogAxisTickedAtDecades(plot, Edge.Bottom);
        // The cells fill the grid's range edge to edge, each row centred on its tick.
        var heatmap = Assert.Single(plot.GetPlottables().OfType<ScottPlot.Plottables.Heatmap>());
        var extent = heatmap.GetAlignedExtent();
        Assert.Equal((logC[0] - 0.1, logC[^1] + 0.1, Math.Log10(2) - 0.3, Math.Log10(512) + 0.3), (extent.Left, extent.Right, extent.Bottom, extent.Top), new ToleranceComparer(1e-12));
        Assert.Equal((Math.Log10(512) - Math.Log10(2) + 0.6) / widths.Length, heatmap.CellHeight, 12);
        Assert.Equal(["2", "8", "32", "128", "512"], plot.Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Label).ToArray());
    }

    [Fact]
    public void EarlyPhaseDiagramStaysReadableWithOneConfiguration()
    {
        var panel = new PhaseBandPanel
        {
            Title = "sp",
            X = [2.0 / 16],
            Loss = new CriticalSeries([2.5], [2.4], [2.6]),
            Sharpness = new CriticalSeries([3], [3], [3]),
            Max = new CriticalSeries([4], [4], [4]),
        };
        var data = new PhaseBandFigureData { Rows = [[panel, panel with { Title = "zero readout" }], [panel with { Title = "sp, NTK" }, panel with { Title = "zero readout, NTK" }]], CRange = (0.5, 16) };

        var figure = PhaseBandFigure.Render(data);

        WidthWithinBounds(figure);
        var first = figure.Panels[0];
        var labels = first.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).ToArray();
        Assert.True(labels.Length >= 3, $"one configuration's column is ticked at {string.Join(", ", labels.Select(t => t.Label))}");
        Assert.All(labels, t => Assert.Equal(t.Position, Math.Log10(ParseLabel(t.Label)), 6));
        var legend = figure.Panels[^1];
        LegendStylesDistinct(legend);
        Assert.Equal(["loss falls", "loss catapult", "λ_H rises too (c_sharp to c_max)", "diverges", "c = 2", "c_loss (mean, min–max)", "c_sharp (mean, min–max)", "c_max (mean, min–max)"], LegendLabels(legend));
        Assert.All(figure.Panels.Take(4), p => Assert.False(p.Legend.IsVisible, "a panel with its own legend"));
    }

    [Fact]
    public void LineFigureKeepsMarkerSeriesAndListsEveryLine()
    {
        // uv lyapunov: exponents as points, zero and the flip points as lines.
        double[] r = Enumerable.Range(0, 100).Select(i => 0.8 + (i * 0.01)).ToArray();
        var figure = LineFigure.Render(new LineFigureData
        {
            Title = "t",
            XLabel = "r",
            YLabel = "exponent",
            Series = [new Series("largest exponent λ₁", r, r.Select(v => Math.Sin(5 * v)).ToArray(), Markers: true), new Series("second exponent λ₂", r, r.Select(v => -1 - Math.Sin(5 * v)).ToArray(), Markers: true)],
            HorizontalLines = [(0, "zero")],
            VerticalLines = [1, 1.236],
            VerticalLinesLabel = "flip points",
        });

        var plot = Assert.Single(figure.Panels);
        LegendIs(plot, "largest exponent λ₁", "second exponent λ₂", "zero", "flip points");
        LegendStylesDistinct(plot);
        VerticalAxisCovers(plot, -2, 1, share: 0.7);
    }

    [Theory]
    [InlineData(-2.47, 3.51)] // net spectrum --density on the ResNet-style network of docs/torchscript.md
    [InlineData(-0.05, 1.0)] // a nearly positive spectrum whose first labelled power of ten is c itself
    [InlineData(-3.0e-4, 250.0)] // no negative eigenvalue beyond the linear range, outliers two decades up
    public void SpectralDensityReadsOnItsSymmetricLogAxisAndListsItsLines(double lowest, double highest)
    {
        // A bulk of width 10⁻³·max near zero holding almost all the mass, thin outliers out to both ends, the Lanczos
        // eigenvalues of both ends marked: the shape of an SLQ density at initialisation.
        double[] lambda = Enumerable.Range(0, 2000).Select(i => lowest + ((highest - lowest) * i / 1999.0)).ToArray();
        double width = 2e-3 * highest;
        double[] marked = [highest, 0.9 * highest, 0.8 * highest, lowest];
        double[] density = lambda.Select(x => (0.98 * Gaussian(x, 0, width)) + marked.Sum(m => 0.005 * Gaussian(x, m, 0.01 * highest))).ToArray();
        var data = new SpectralDensityFigureData { Title = "t", Lambda = lambda, Density = density, Marked = marked, MarkedLabel = "Lanczos eigenvalues" };

        var figure = SpectralDensityFigure.Render(data);

        WidthWithinBounds(figure);
        var plot = Assert.Single(figure.Panels);
        LegendIs(plot, "SLQ density", "Lanczos eigenvalues");
        LegendStylesDistinct(plot);
        Assert.Contains("symmetric log", plot.Axes.Bottom.Label.Text, StringComparison.Ordinal);
        Assert.Contains("log scale", plot.Axes.Left.Label.Text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(plot.Axes.Title.Label.Text));
        SymmetricLogAxisReadable(plot, SpectralDensityFigure.LinearThreshold(lambda), lowest, highest);
        LogAxisTickedAtDecades(plot, Edge.Left);
        double top = Math.Log10(density.Max());
        VerticalAxisCovers(plot, Math.Log10(SpectralDensityFigure.DensityFloor), top, share: 0.7);
        var limits = plot.Axes.GetLimits();
        double c = SpectralDensityFigure.LinearThreshold(lambda);
        Assert.All(plot.GetPlottables().OfType<ScottPlot.Plottables.VerticalLine>(), line => Assert.InRange(line.X, limits.Left, limits.Right));
        Assert.Equal(marked.Length, plot.GetPlottables().OfType<ScottPlot.Plottables.VerticalLine>().Count());
        Assert.Equal(SpectralDensityFigure.SymmetricLog(highest, c), plot.GetPlottables().OfType<ScottPlot.Plottables.VerticalLine>().Max(l => l.X), 12);
    }

    private static double Gaussian(double x, double mean, double sigma) => Math.Exp(-0.5 * Math.Pow((x - mean) / sigma, 2)) / (sigma * Math.Sqrt(2 * Math.PI));

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<(double, double, double, double)>
    {
        public bool Equals((double, double, double, double) a, (double, double, double, double) b) =>
            Math.Abs(a.Item1 - b.Item1) <= tolerance && Math.Abs(a.Item2 - b.Item2) <= tolerance && Math.Abs(a.Item3 - b.Item3) <= tolerance && Math.Abs(a.Item4 - b.Item4) <= tolerance;

        public int GetHashCode((double, double, double, double) value) => 0;
    }

    [Theory]
    [InlineData(-33, 0.3, 35)]
    [InlineData(-0.77, 0.81, 20)]
    [InlineData(-1.053, -0.753, 20)]
    [InlineData(0.2, 2.9, 20)]
    [InlineData(-2.3, 0.4, 3)]
    public void LogTicksAreAtDecadesOrRoundValues(double logMin, double logMax, int maxLabels)
    {
        var ticks = LogTickGenerator.Generate(logMin, logMax, maxLabels);

        var major = ticks.Where(t => t.IsMajor).ToArray();
        Assert.InRange(major.Length, Math.Min(3, maxLabels), maxLabels);
        Assert.Contains(ticks, t => !t.IsMajor);
        Assert.All(ticks, t => Assert.InRange(t.Position, logMin - 1e-9, logMax + 1e-9));
        Assert.All(major, t => Assert.Equal(t.Position, Math.Log10(ParseLabel(t.Label)), 9));
        if (logMax - logMin >= 3)
        {
            Assert.All(major, t => Assert.Equal(Math.Round(t.Position), t.Position, 12));
        }
    }

    [Theory]
    [InlineData(1, 0, "1")]
    [InlineData(5, -3, "0.005")]
    [InlineData(1, -6, "10⁻⁶")]
    [InlineData(2, 5, "2·10⁵")]
    public void LogTickLabelsReadAsTheirValues(int digit, int power, string expected) => Assert.Equal(expected, LogTickGenerator.Label(digit, power));
}
