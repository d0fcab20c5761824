using Sharpness.Uv.Dynamics;

namespace Sharpness.Plots.Tests;

public class FigureTests
{
    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.Length > 24);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
        int width = (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19];
        int height = (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23];
        return (width, height);
    }

    [Fact]
    public void OrbitDiagramStacksTwoPanelsAtPrintResolution()
    {
        double[] axis = [1.1, 1.1, 1.2, 1.2];
        var (p11, m11) = UvFixedPoints.TwoCycle(1.1);
        var (p12, m12) = UvFixedPoints.TwoCycle(1.2);
        var figure = OrbitDiagramFigure.Render(new OrbitFigureData
        {
            AxisLabel = "r",
            Axis = axis,
            LrNtk = [p11.X, m11.X, p12.X, m12.X],
            LrSharpness = [p11.X, m11.X, p12.X, m12.X],
            Grid = [(1.1, 1.1), (1.2, 1.2)],
            FlipPoints = [Math.Sqrt(5) - 1],
        });

        var (width, height) = PngSize(figure.Png);
        Assert.Equal((int)(FigureStyle.Width * FigureStyle.Scale), width);
        Assert.Equal((int)(2 * FigureStyle.Height * FigureStyle.Scale), height);
        Assert.Null(figure.Svg);
    }

    [Fact]
    public void LineFigureWritesSvgWhenSmallAndSkipsItWhenLarge()
    {
        var small = LineFigure.Render(new LineFigureData { Title = "t", XLabel = "x", YLabel = "y", Series = [new Series("s", [1, 2, 3], [1, 4, 9])], HorizontalLines = [(0, "zero")] });
        double[] many = Enumerable.Range(0, FigureStyle.SvgPointLimit + 1).Select(i => (double)i).ToArray();
        var large = LineFigure.Render(new LineFigureData { Title = "t", XLabel = "x", YLabel = "y", Series = [new Series("s", many, many, Markers: true)] });

        Assert.NotNull(small.Svg);
        Assert.Contains("<svg", small.Svg);
        Assert.Null(large.Svg);
        Assert.Equal((1600, 1000), PngSize(large.Png));
    }

    [Fact]
    public void CategoryMapAndVectorFieldRender()
    {
        var map = CategoryMapFigure.Render(new CategoryMapData
        {
            Title = "t",
            XLabel = "c",
            YLabel = "r",
            XRange = (0, 2),
            YRange = (0, 1),
            Cells = new[,] { { 0, 1 }, { 2, -1 } },
            Categories = ["a", "b", "c"],
        });
        var field = VectorFieldFigure.Render(new VectorFieldData { R = 1.2, HorizontalRange = (-1, 2), VerticalRange = (0, 4), Grid = 6, Trajectories = [[new UvScaledState(0.1, 1), new UvScaledState(0.5, 1.5)]] });

        Assert.True(PngSize(map.Png).Width > 0);
        Assert.True(PngSize(field.Png).Width > 0);
        Assert.Contains("<svg", field.Svg);
    }

    [Fact]
    public void TheSameFigureGivesTheSameSvgHoweverManyWereDrawnBefore()
    {
        static string Draw() => LineFigure.Render(new LineFigureData { Title = "t", XLabel = "x", YLabel = "y", Series = [new Series("s", [1, 2, 3], [1, 4, 9])] }).Svg!;

        string first = Draw();
        string second = Draw();

        Assert.Equal(first, second);
        Assert.Contains("id=\"cl_0\"", first);
        Assert.Contains("url(#cl_0)", first);
    }

    [Fact]
    public void SvgIdsAreNumberedFromZeroInOrderOfAppearance() =>
        Assert.Equal(
            "<clipPath id=\"cl_0\"/><g clip-path=\"url(#cl_0)\"/><clipPath id=\"cl_1\"/><image id=\"img_0\"/><use xlink:href=\"#img_0\"/><g clip-path=\"url(#cl_1)\"/>cl_2f",
            FigureStyle.NumberSvgIdsFromZero("<clipPath id=\"cl_2f\"/><g clip-path=\"url(#cl_2f)\"/><clipPath id=\"cl_a\"/><image id=\"img_3\"/><use xlink:href=\"#img_3\"/><g clip-path=\"url(#cl_a)\"/>cl_2f"));

    [Fact]
    public void RelativeOutputPlaneNeedsANonzeroTarget() =>
        Assert.Throws<ArgumentException>(() => VectorFieldFigure.Render(new VectorFieldData { R = 0, HorizontalRange = (-1, 1), VerticalRange = (0, 4), RelativeOutput = true }));

    [Theory]
    [InlineData(0.5, "0.5")]
    [InlineData(1234, "1234")]
    [InlineData(1e6, "1E6")]
    [InlineData(0.0001, "1E-4")]
    public void NumbersAreFormattedCompactly(double value, string expected) => Assert.Equal(expected, FigureStyle.FormatNumber(value));
}
