using ScottPlot;

namespace Sharpness.Plots;

/// <summary>What a categorical map (phase diagram) shows.</summary>
public sealed record CategoryMapData
{
    /// <summary>Title.</summary>
    public required string Title { get; init; }

    /// <summary>Horizontal axis label with units.</summary>
    public required string XLabel { get; init; }

    /// <summary>Vertical axis label with units.</summary>
    public required string YLabel { get; init; }

    /// <summary>Horizontal extent of the grid (cell edges at the ends), in plot coordinates.</summary>
    public required (double Min, double Max) XRange { get; init; }

    /// <summary>Vertical extent of the grid, in plot coordinates.</summary>
    public required (double Min, double Max) YRange { get; init; }

    /// <summary>Category index per cell, [row (bottom to top), column (left to right)]; −1 leaves a cell blank.</summary>
    public required int[,] Cells { get; init; }

    /// <summary>Category names, indexed like the cells.</summary>
    public required IReadOnlyList<string> Categories { get; init; }

    /// <summary>Vertical reference lines (x, legend text).</summary>
    public IReadOnlyList<(double X, string Label)> VerticalLines { get; init; } = [];

    /// <summary>Horizontal reference lines (y, legend text).</summary>
    public IReadOnlyList<(double Y, string Label)> HorizontalLines { get; init; } = [];

    /// <summary>Tick labels of the horizontal axis from plot coordinates (for example 10^v on a log axis), or null for plain numbers.</summary>
    public Func<double, string>? XTickFormatter { get; init; }

    /// <summary>Tick labels of the vertical axis from plot coordinates, or null for plain numbers.</summary>
    public Func<double, string>? YTickFormatter { get; init; }

    /// <summary>The horizontal coordinate is log10 of the value: ticks at decades with minor ticks (overrides <see cref="XTickFormatter"/>).</summary>
    public bool LogX { get; init; }

    /// <summary>Labelled ticks of the vertical axis at given positions (for example one per row), or null for automatic ones.</summary>
    public IReadOnlyList<(double Position, string Label)>? YTicks { get; init; }
}

/// <summary>Phase diagrams: a grid of cells coloured by category, with a legend of the categories present.</summary>
public static class CategoryMapFigure
{
    /// <summary>Colours of the categories, in order (cycled when there are more).</summary>
    public static IReadOnlyList<Color> CategoryColors { get; } =
    [
        Color.FromHex("#c7e9c0"), Color.FromHex("#6baed6"), Color.FromHex("#fd8d3c"), Color.FromHex("#9e9ac8"),
        Color.FromHex("#31a354"), Color.FromHex("#fdd0a2"), Color.FromHex("#e6550d"), Color.FromHex("#756bb1"),
        Color.FromHex("#252525"), Color.FromHex("#bdbdbd"), Color.FromHex("#de2d26"), Color.FromHex("#3182bd"),
    ];

    /// <summary>Renders the figure (PNG, and SVG for grids small enough).</summary>
    /// <param name="data">What to draw.</param>
    public static RenderedFigure Render(CategoryMapData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var plot = new Plot();
        FigureStyle.Apply(plot, data.Title, data.XLabel, data.YLabel);
        int rows = data.Cells.GetLength(0), columns = data.Cells.GetLength(1);
        double[,] values = new double[rows, columns];
        var present = new SortedSet<int>();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                int category = data.Cells[i, j];
                // ScottPlot draws row 0 at the top; the data's row 0 is the bottom.
                values[rows - 1 - i, j] = category < 0 ? double.NaN : category;
                if (category >= 0)
                {
                    present.Add(category);
                }
            }
        }

        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new CategoryColormap(data.Categories.Count);
        heatmap.ManualRange = new ScottPlot.Range(0, Math.Max(1, data.Categories.Count - 1));
        // The cells fill the ranges edge to edge (ScottPlot's Position would be the cell centres).
        heatmap.Rectangle = new CoordinateRect(data.XRange.Min, data.XRange.Max, data.YRange.Min, data.YRange.Max);
        heatmap.NaNCellColor = Colors.White;

        // Each reference line has its own pattern, so that the legend tells them apart.
        int k = 0;
        foreach (var (x, label) in data.VerticalLines)
        {
            var line = plot.Add.VerticalLine(x);
            line.Color = Colors.Black;
            line.LinePattern = LineFigure.ReferencePatterns[Math.Min(k++, LineFigure.ReferencePatterns.Count - 1)];
            line.LineWidth = 2;
            line.LegendText = label;
        }

        foreach (var (y, label) in data.HorizontalLines)
        {
            var line = plot.Add.HorizontalLine(y);
            line.Color = Colors.Black;
            line.LinePattern = LineFigure.ReferencePatterns[Math.Min(k++, LineFigure.ReferencePatterns.Count - 1)];
            line.LineWidth = 2;
            line.LegendText = label;
        }

        foreach (int category in present)
        {
            plot.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = data.Categories[category],
                FillColor = CategoryColors[category % CategoryColors.Count],
            });
        }

        if (data.LogX)
        {
            FigureStyle.LogTicksX(plot);
        }
        else if (data.XTickFormatter is { } xFormat)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = xFormat };
        }

        if (data.YTicks is { } yTicks)
        {
            var manual = new ScottPlot.TickGenerators.NumericManual();
            foreach (var (position, label) in yTicks)
            {
                manual.AddMajor(position, label);
            }

            plot.Axes.Left.TickGenerator = manual;
        }
        else if (data.YTickFormatter is { } yFormat)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = yFormat };
        }

        plot.Axes.SetLimits(data.XRange.Min, data.XRange.Max, data.YRange.Min, data.YRange.Max);
        plot.ShowLegend(Edge.Right);
        return FigureStyle.Render(plot, rows * columns, FigureStyle.Width + 250, FigureStyle.Height);
    }

    private sealed class CategoryColormap(int count) : IColormap
    {
        public string Name => "categories";

        public Color GetColor(double position)
        {
            if (double.IsNaN(position))
            {
                return Colors.White;
            }

            int index = (int)Math.Round(Math.Clamp(position, 0, 1) * Math.Max(1, count - 1));
            return CategoryColors[index % CategoryColors.Count];
        }
    }
}
