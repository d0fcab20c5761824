using System.Globalization;
using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>Figures of a <c>uv phase</c> run: phase.png and .svg from phase.csv, scaled or physical.</summary>
public static class UvPhaseFigures
{
    /// <summary>The category written for a cell that no weights realise (scaled mode).</summary>
    public const string Unrealisable = "unrealisable";

    /// <summary><paramref name="count"/> values evenly spaced from <paramref name="min"/> to <paramref name="max"/>, ends included (count ≥ 2).</summary>
    /// <param name="min">First value.</param>
    /// <param name="max">Last value.</param>
    /// <param name="count">Number of values.</param>
    public static double[] Linear(double min, double max, int count) =>
        Core.EvenGrid.Values(min, max, count);

    /// <summary>The physical mode's horizontal values: evenly spaced, or evenly spaced in log when <paramref name="log"/>.</summary>
    /// <param name="min">First value.</param>
    /// <param name="max">Last value.</param>
    /// <param name="count">Number of values (≥ 2).</param>
    /// <param name="log">Whether to space them in log.</param>
    public static double[] PhysicalAxis(double min, double max, int count, bool log) => log
        ? Enumerable.Range(0, count).Select(i => min * Math.Pow(max / min, (double)i / (count - 1))).ToArray()
        : Linear(min, max, count);

    /// <summary>How a category is written in phase.csv (commas would split the cell).</summary>
    /// <param name="category">Index into <see cref="RegimeCategory.Names"/>, or −1 for an unrealisable cell.</param>
    public static string CsvName(int category) => category < 0 ? Unrealisable : RegimeCategory.Names[category].Replace(',', ';');

    /// <summary>The phase diagram, coloured by category (PNG, and SVG when the grid is small enough).</summary>
    /// <param name="run">The run: its configuration (mode, axes, steps) and phase.csv.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return [new NamedFigure("phase", run.Configuration.Text("mode") == "physical" ? Physical(run) : Scaled(run))];
    }

    private static RenderedFigure Scaled(SavedRun run)
    {
        var config = run.Configuration;
        double cMin = config.Number("c_min"), cMax = config.Number("c_max"), rMin = config.Number("r_min"), rMax = config.Number("r_max");
        int cPoints = config.Integer("c_points"), rPoints = config.Integer("r_points");
        double ratio = config.Number("output_ratio");
        int steps = config.Integer("steps");
        double[] cs = Linear(cMin, cMax, cPoints), rs = Linear(rMin, rMax, rPoints);
        var cells = ReadCells(run, "category", rPoints, cPoints, allowUnrealisable: true);
        double halfC = (cs[1] - cs[0]) / 2, halfR = (rs[1] - rs[0]) / 2;
        return CategoryMapFigure.Render(new CategoryMapData
        {
            Title = $"UV model regimes, f₀/y = {ratio.ToString("G4", CultureInfo.InvariantCulture)}, {steps} steps",
            XLabel = "c = ηλ₀ (initial NTK times learning rate)",
            YLabel = "r = η/η_c (scaled target)",
            XRange = (cMin - halfC, cMax + halfC),
            YRange = (rMin - halfR, rMax + halfR),
            Cells = cells,
            Categories = RegimeCategory.Names,
            VerticalLines = [(2, "c = 2"), (4, "c = 4")],
            HorizontalLines = [(1, "r = 1 (η = η_c)")],
        });
    }

    private static RenderedFigure Physical(SavedRun run)
    {
        var config = run.Configuration;
        string xAxis = config.Text("x_axis"), yAxis = config.Text("y_axis");
        bool logX = config.Flag("log_x");
        string[] yTexts = config.Texts("y_values");
        int seeds = config.Integer("seeds"), steps = config.Integer("steps");
        double[] xs = PhysicalAxis(config.Number("x_min"), config.Number("x_max"), config.Integer("x_points"), logX);
        int rows = yTexts.Length;
        var cells = ReadCells(run, "majority", rows, xs.Length, allowUnrealisable: false);
        string parameterisation = yAxis == "param" && Parameterisation.TryParse(yTexts[0], out var first) ? first!.ToString() : config.Text("param");

        bool numericY = yAxis != "param";
        double[] yPlot = numericY ? yTexts.Select(t => Math.Log10(double.Parse(t, CultureInfo.InvariantCulture))).ToArray() : Enumerable.Range(0, rows).Select(i => (double)i).ToArray();
        double[] xPlot = logX ? xs.Select(Math.Log10).ToArray() : xs;
        double halfX = (xPlot[1] - xPlot[0]) / 2;
        double halfY = rows > 1 ? (yPlot[^1] - yPlot[0]) / (rows - 1) / 2 : 0.5;
        string xName = xAxis == "eta" ? "learning rate η" : "c = η λ_H(0)";
        return CategoryMapFigure.Render(new CategoryMapData
        {
            Title = $"UV model regimes over {yAxis} ({parameterisation}, majority of {seeds} seeds, {steps} steps)",
            XLabel = logX ? $"{xName} (log scale)" : xName,
            YLabel = numericY ? $"{(yAxis == "width" ? "width n" : "σ_w²")} (log scale)" : "parameterisation",
            XRange = (xPlot[0] - halfX, xPlot[^1] + halfX),
            YRange = (yPlot[0] - halfY, yPlot[^1] + halfY),
            Cells = cells,
            Categories = RegimeCategory.Names,
            VerticalLines = xAxis == "c" ? [(logX ? Math.Log10(2) : 2, "c = 2")] : [],
            LogX = logX,
            YTicks = yPlot.Select((position, i) => (position, yTexts[i])).ToArray(),
        });
    }

    // phase.csv lists the cells row by row (bottom row first), each row left to right.
    private static int[,] ReadCells(SavedRun run, string column, int rows, int columns, bool allowUnrealisable)
    {
        var byName = Enumerable.Range(allowUnrealisable ? -1 : 0, RegimeCategory.Names.Count + (allowUnrealisable ? 1 : 0)).ToDictionary(CsvName, k => k, StringComparer.Ordinal);
        var cells = new int[rows, columns];
        using var csv = run.OpenCsv(UvPhaseWriter.CsvFile);
        try
        {
            int index = csv.Column(column);
            int n = 0;
            while (csv.Read())
            {
                if (n >= rows * columns)
                {
                    throw new InvalidDataException($"'{csv.Path}' has more than the {rows} x {columns} cells its manifest describes.");
                }

                string name = csv.Text(index);
                cells[n / columns, n % columns] = byName.TryGetValue(name, out int category)
                    ? category
                    : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{csv.Path}' line {csv.Line}: '{name}' is not a regime category."));
                n++;
            }

            return n == rows * columns
                ? cells
                : throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{csv.Path}' has {n} cells; its manifest describes {rows} x {columns}."));
        }
        catch (InvalidDataException e)
        {
            throw new RunDataException(e.Message);
        }
    }
}
