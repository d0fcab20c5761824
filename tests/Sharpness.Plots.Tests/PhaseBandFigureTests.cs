using System.Xml.Linq;
using ScottPlot;

namespace Sharpness.Plots.Tests;

public class PhaseBandFigureTests
{
    private static PhaseBandPanel Panel(string title, bool withSharpness) => new()
    {
        Title = title,
        X = [2.0 / 1024, 2.0 / 256, 4.0 / 256, 2.0 / 64, 6.0 / 64],
        Loss = new CriticalSeries([2.1, 2.2, 2.4, 2.6, 4.0], [2.0, 2.1, 2.3, 2.5, 3.5], [2.2, 2.3, 2.5, 2.7, 4.5]),
        Sharpness = withSharpness ? new CriticalSeries([2.5, 2.8, 3.0, 3.6, 6.0], [2.4, 2.8, 2.9, 3.4, 5.0], [2.6, 2.8, 3.1, 3.8, 7.0]) : null,
        Max = new CriticalSeries([4.0, 4.3, 5.0, 6.5, 16.0], [4.0, 4.3, 5.0, 6.5, 16.0], [4.0, 4.3, 5.0, 6.5, 16.0]),
    };

    [Fact]
    public void PanelsAreLaidOutInAGridAsPngAndSvg()
    {
        var data = new PhaseBandFigureData
        {
            Rows = [[Panel("sp, c = η λ_H(0)", true), Panel("zero readout, c = η λ_H(0)", true)], [Panel("sp, c = η λ_NTK(0)", true), Panel("zero readout, c = η λ_NTK(0)", false)]],
            CRange = (0.5, 64),
        };

        var figure = PhaseBandFigure.Render(data);

        Assert.Equal([0x89, 0x50, 0x4E, 0x47], figure.Png[..4]);
        int width = (figure.Png[16] << 24) | (figure.Png[17] << 16) | (figure.Png[18] << 8) | figure.Png[19];
        int height = (figure.Png[20] << 24) | (figure.Png[21] << 16) | (figure.Png[22] << 8) | figure.Png[23];
        // Two columns share the widest allowed figure; the legend is one strip below the panels.
        Assert.Equal((FigureStyle.MaxPngWidth, (int)(FigureStyle.Scale * ((2 * PhaseBandFigure.PanelHeight) + PhaseBandFigure.LegendHeight))), (width, height));
        var svg = XDocument.Parse(figure.Svg!);
        Assert.Equal((FigureStyle.MaxPngWidth / FigureStyle.Scale).ToString(System.Globalization.CultureInfo.InvariantCulture), svg.Root!.Attribute("width")!.Value);
        // Four panels and the legend: one of each panel title, and one of each legend entry, in the document.
        Assert.Equal(5, figure.Panels.Count);
        Assert.Single(figure.Panels[^1].Legend.GetItems(), i => i.LabelText == "c_sharp (mean, min–max)");
    }

    [Fact]
    public void APanelHasTheBandsTheReferenceLineAndLogAxes()
    {
        var data = new PhaseBandFigureData { Rows = [[Panel("p", true)]], CRange = (0.5, 64) };

        var plot = PhaseBandFigure.Build(Panel("p", true), data);
        var withoutSharpness = PhaseBandFigure.Build(Panel("q", false), data);

        // One column per configuration: loss falls, loss catapult, diverges, and the sharpness overlay.
        var rectangles = plot.GetPlottables().OfType<ScottPlot.Plottables.Rectangle>().ToArray();
        Assert.Equal(5 * 4, rectangles.Length);
        Assert.Equal(5 * 3, withoutSharpness.GetPlottables().OfType<ScottPlot.Plottables.Rectangle>().Count());
        // The first column's bands end at log10 of its constants: c_loss = 2.1 and c_max = 4.
        var first = rectangles.Where(r => r.CoordinateRect.Left == rectangles.Min(q => q.CoordinateRect.Left)).Select(r => r.CoordinateRect).ToArray();
        Assert.Contains(first, r => Math.Abs(r.Top - Math.Log10(2.1)) < 1e-12 && Math.Abs(r.Bottom - (Math.Log10(0.5) - 0.02)) < 1e-12);
        Assert.Contains(first, r => Math.Abs(r.Bottom - Math.Log10(2.1)) < 1e-12 && Math.Abs(r.Top - Math.Log10(4)) < 1e-12);
        Assert.Contains(first, r => Math.Abs(r.Bottom - Math.Log10(2.5)) < 1e-12 && Math.Abs(r.Top - Math.Log10(4)) < 1e-12);
        var line = Assert.Single(plot.GetPlottables().OfType<ScottPlot.Plottables.HorizontalLine>());
        Assert.Equal(Math.Log10(2), line.Y, 12);
        var limits = plot.Axes.GetLimits();
        Assert.Equal(Math.Log10(0.5) - 0.02, limits.Bottom, 12);
        Assert.Equal(Math.Log10(64) + 0.02, limits.Top, 12);
        Assert.True(limits.Left < Math.Log10(2.0 / 1024) && limits.Right > Math.Log10(6.0 / 64));
    }

    [Fact]
    public void EmptyOrRaggedGridsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => PhaseBandFigure.Render(new PhaseBandFigureData { Rows = [], CRange = (1, 2) }));
        Assert.Throws<ArgumentException>(() => PhaseBandFigure.Render(new PhaseBandFigureData { Rows = [[Panel("a", true)], []], CRange = (1, 2) }));
        Assert.Throws<ArgumentException>(() => PhaseBandFigure.Render(new PhaseBandFigureData { Rows = [[Panel("a", true)]], CRange = (0, 2) }));
    }
}
