using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;

namespace Sharpness.Experiments.Uv;

/// <summary>Figures of a <c>uv orbit</c> run: orbit.png from orbit.csv (every stride-th kept step of each value).</summary>
public static class UvOrbitFigures
{
    /// <summary>Largest number of points drawn in the figure (the CSV keeps all of them).</summary>
    public const int MaxPlottedPoints = 1_500_000;

    /// <summary>The swept values: <paramref name="count"/> evenly spaced from <paramref name="min"/> to <paramref name="max"/>, ends included.</summary>
    /// <param name="min">First value.</param>
    /// <param name="max">Last value.</param>
    /// <param name="count">Number of values, ≥ 1.</param>
    public static double[] Grid(double min, double max, int count) =>
        Core.EvenGrid.Values(min, max, count);

    /// <summary>Every how many kept steps of a value one is drawn, so that at most <see cref="MaxPlottedPoints"/> are.</summary>
    /// <param name="count">Swept values.</param>
    /// <param name="keep">Kept steps per value.</param>
    /// <param name="twoPasses">Whether the sweep runs up and down (warm start, direction both).</param>
    public static int Stride(int count, int keep, bool twoPasses) =>
        Math.Max(1, (int)Math.Ceiling((double)count * keep * (twoPasses ? 2 : 1) / MaxPlottedPoints));

    /// <summary>Whether the kept step with index <paramref name="kept"/> (0 for the first kept step of a value) is drawn.</summary>
    /// <param name="kept">Index of the kept step.</param>
    /// <param name="stride">The <see cref="Stride"/>.</param>
    public static bool IsPlotted(long kept, int stride) => kept % stride == 0;

    /// <summary>The learning rate η at an axis value: η itself (axis eta) or c/λ₀ (axis c).</summary>
    /// <param name="axis">eta or c.</param>
    /// <param name="value">The axis value.</param>
    /// <param name="initialNtk">λ₀, the model's initial NTK.</param>
    public static double LearningRate(string axis, double value, double initialNtk) => axis == "eta" ? value : value / initialNtk;

    /// <summary>The scaled target r = ηy/s at an axis value (the axis value itself for axis r).</summary>
    /// <param name="axis">r, eta or c.</param>
    /// <param name="value">The axis value.</param>
    /// <param name="model">The model's initial λ₀, s and y (results.model_initial), or null for axis r.</param>
    public static double ScaledTarget(string axis, double value, ManifestSection? model) => axis == "r"
        ? value
        : LearningRate(axis, value, model!.Number("ntk")) * model.Number("target") / model.Number("normaliser");

    /// <summary>ηλ (top) and ηλ_H (bottom) of the drawn iterates against the swept parameter (PNG only).</summary>
    /// <param name="run">The run: its configuration, results flip_points_marked and model_initial, and orbit.csv.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Render(run, ReadPlotted(run));
    }

    /// <summary>
    /// The figure from the drawn iterates given directly: what <see cref="Render(SavedRun)"/> reads back
    /// from orbit.csv (the CSV's numbers parse back to the same doubles, so both draw the same figure).
    /// The writer draws this way, while orbit.csv is still being written.
    /// </summary>
    /// <param name="run">The run's configuration and results (its files need not exist yet).</param>
    /// <param name="plotted">The drawn iterates: every <see cref="Stride"/>-th kept iterate of each value, in CSV order.</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run, OrbitPlotPoints plotted)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(plotted);
        var config = run.Configuration;
        string axis = config.Text("axis");
        double min = config.Number("min"), max = config.Number("max");
        int count = config.Integer("points"), transient = config.Integer("transient"), keep = config.Integer("keep");
        bool warm = config.Flag("warm_start");
        string? direction = config.OptionalText("direction");
        double? valueMin = config.OptionalNumber("value_min"), valueMax = config.OptionalNumber("value_max");
        var model = axis == "r" ? null : run.Results.OptionalSection("model_initial")
            ?? throw new RunDataException($"'{SavedRun.ManifestPath(run.Folder)}': results.model_initial is null, but --axis {axis} needs the model's initial NTK, normaliser and target.");
        double[] grid = Grid(min, max, count);
        var figure = OrbitDiagramFigure.Render(new OrbitFigureData
        {
            AxisLabel = axis switch { "r" => "r = η/η_c = ηy/s (scaled target)", "eta" => "learning rate η", _ => "c = ηλ₀" },
            Axis = plotted.Axis.ToArray(),
            LrNtk = plotted.LrNtk.ToArray(),
            LrSharpness = plotted.LrSharpness.ToArray(),
            Grid = grid.Select(a => (a, ScaledTarget(axis, a, model))).ToArray(),
            FlipPoints = run.Results.Numbers("flip_points_marked"),
            AxisWindow = (min, max),
            ValueWindow = valueMin is double a0 && valueMax is double b0 ? (a0, b0) : null,
            Title = $"Orbit diagram, {(warm ? $"warm-started ({direction})" : "cold-started")}, {transient} transient + {keep} kept steps",
        });
        return [new NamedFigure("orbit", figure)];
    }

    /// <summary>Reads the drawn iterates back from a run's orbit.csv.</summary>
    /// <param name="run">The run.</param>
    public static OrbitPlotPoints ReadPlotted(SavedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var config = run.Configuration;
        string axis = config.Text("axis");
        int transient = config.Integer("transient");
        int stride = Stride(config.Integer("points"), config.Integer("keep"), config.Flag("warm_start") && config.OptionalText("direction") == "both");
        var plotted = new OrbitPlotPoints();
        using var csv = run.OpenCsv(UvOrbitWriter.CsvFile);
        try
        {
            int stepColumn = csv.Column("step"), ntkColumn = csv.Column("lr_ntk"), sharpnessColumn = csv.Column("lr_sharpness");
            int axisColumn = csv.Column(axis == "r" ? "r" : axis);
            while (csv.Read())
            {
                if (IsPlotted((long)csv.Number(stepColumn) - transient - 1, stride))
                {
                    plotted.Add(csv.Number(axisColumn), csv.Number(ntkColumn), csv.Number(sharpnessColumn));
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new RunDataException(e.Message);
        }

        return plotted;
    }
}

/// <summary>The iterates an orbit figure draws: axis value, ηλ and ηλ_H of each, in the order of orbit.csv.</summary>
public sealed class OrbitPlotPoints
{
    /// <summary>Horizontal coordinate (the swept value) of each drawn iterate.</summary>
    public List<double> Axis { get; } = [];

    /// <summary>ηλ of each drawn iterate.</summary>
    public List<double> LrNtk { get; } = [];

    /// <summary>ηλ_H of each drawn iterate.</summary>
    public List<double> LrSharpness { get; } = [];

    /// <summary>Adds one iterate.</summary>
    /// <param name="axis">Its swept value.</param>
    /// <param name="lrNtk">Its ηλ.</param>
    /// <param name="lrSharpness">Its ηλ_H.</param>
    public void Add(double axis, double lrNtk, double lrSharpness)
    {
        Axis.Add(axis);
        LrNtk.Add(lrNtk);
        LrSharpness.Add(lrSharpness);
    }
}
