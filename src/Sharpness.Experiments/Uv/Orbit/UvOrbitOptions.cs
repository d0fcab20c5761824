using Sharpness.Uv;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>The swept parameter of an orbit diagram.</summary>
public enum OrbitAxis
{
    /// <summary>r = ηy/s, the learning rate in units of the critical one, from <see cref="UvOrbitOptions.X0"/> and <see cref="UvOrbitOptions.G0"/>.</summary>
    R,

    /// <summary>The physical learning rate η of the model of <see cref="UvOrbitOptions.Model"/>.</summary>
    Eta,

    /// <summary>c = ηλ₀ for the model of <see cref="UvOrbitOptions.Model"/>.</summary>
    C,
}

/// <summary>
/// Options of <see cref="UvOrbitExperiment"/> (<c>sharpness uv orbit</c>): the orbit (bifurcation)
/// diagram of the UV model's scaled map, ηλ, ηλ_H and g of the late iterates against r, η or c.
/// </summary>
public sealed record UvOrbitOptions
{
    /// <summary>Default initial x = ηλ₀: 1.</summary>
    public const double DefaultX0 = 1.0;

    /// <summary>Default initial g = ηf₀/s: 0.2.</summary>
    public const double DefaultG0 = 0.2;

    /// <summary>The swept parameter. Default <see cref="OrbitAxis.R"/>.</summary>
    public OrbitAxis Axis { get; init; } = OrbitAxis.R;

    /// <summary>Smallest swept value (in units of <see cref="Axis"/>; positive for η and c). Default 0.5.</summary>
    public double Min { get; init; } = 0.5;

    /// <summary>Largest swept value. Default 2.</summary>
    public double Max { get; init; } = 2.0;

    /// <summary>Number of swept values, evenly spaced with the ends included, ≥ 1. Default 1000.</summary>
    public int Points { get; init; } = 1000;

    /// <summary>Steps discarded at each value, ≥ 0. Default 2000.</summary>
    public int Transient { get; init; } = 2000;

    /// <summary>Steps kept at each value after the transient, ≥ 1. Default 200.</summary>
    public int Keep { get; init; } = 200;

    /// <summary>Initial x = ηλ₀ (scaled NTK), for <see cref="OrbitAxis.R"/> only. Default <see cref="DefaultX0"/>.</summary>
    public double? X0 { get; init; }

    /// <summary>Initial g = ηf₀/s (scaled output), for <see cref="OrbitAxis.R"/> only. Default <see cref="DefaultG0"/>.</summary>
    public double? G0 { get; init; }

    /// <summary>Start each value from the previous value's final state (shows hysteresis). Default off.</summary>
    public bool WarmStart { get; init; }

    /// <summary>Sweep order with <see cref="WarmStart"/>: up, down or both (up then down). Default up; only with <see cref="WarmStart"/>.</summary>
    public SweepDirection? Direction { get; init; }

    /// <summary>Lower limit of the figure's vertical axis (zoom). Default: automatic.</summary>
    public double? ValueMin { get; init; }

    /// <summary>Upper limit of the figure's vertical axis (zoom). Default: automatic.</summary>
    public double? ValueMax { get; init; }

    /// <summary>A value diverges when |g| or x exceeds this. Default 1e6.</summary>
    public double DivergenceThreshold { get; init; } = 1e6;

    /// <summary>The model whose initial state sets the scaled variables for <see cref="OrbitAxis.Eta"/> and <see cref="OrbitAxis.C"/>.</summary>
    public UvModelOptions Model { get; init; } = new();

    /// <summary>Whether the sweep visits every value twice (warm-started, up then down).</summary>
    public bool TwoPasses => WarmStart && Direction == SweepDirection.Both;

    /// <summary>The name of <see cref="Axis"/> in files and manifests: r, eta or c.</summary>
    public string AxisName => AxisNames[(int)Axis];

    private static readonly string[] AxisNames = ["r", "eta", "c"];

    /// <summary>Reads an axis name: r, eta or c.</summary>
    /// <param name="text">The name.</param>
    /// <exception cref="InvalidOptionException">Another name (option <c>--axis</c>).</exception>
    public static OrbitAxis ParseAxis(string text) => OptionChecks.Choice(text, "--axis", ("r", OrbitAxis.R), ("eta", OrbitAxis.Eta), ("c", OrbitAxis.C));

    /// <summary>Reads a sweep direction: up, down or both.</summary>
    /// <param name="text">The name.</param>
    /// <exception cref="InvalidOptionException">Another name (option <c>--direction</c>).</exception>
    public static SweepDirection ParseDirection(string text) => OptionChecks.Choice(text, "--direction", ("up", SweepDirection.Up), ("down", SweepDirection.Down), ("both", SweepDirection.Both));

    /// <summary>Checks every option (and reads the model's init file for <see cref="OrbitAxis.Eta"/> and <see cref="OrbitAxis.C"/>).</summary>
    /// <exception cref="InvalidOptionException">An option is out of range or does not apply.</exception>
    public void Validate()
    {
        OptionChecks.Range(Min, Max, "--r-min", "--r-max");

        // The figure's linear axis pads the range by a fraction of its width, which must stay a finite number.
        if (!double.IsFinite(4 * (Max - Min)))
        {
            throw new InvalidOptionException("--r-max", $"the range from --r-min {OptionChecks.Text(Min)} to {OptionChecks.Text(Max)} is wider than a figure's axis can span (at most {OptionChecks.Text(double.MaxValue / 4)}).");
        }

        OptionChecks.AtLeast(Points, 1, "--points");
        OptionChecks.AtLeast(Transient, 0, "--transient");
        OptionChecks.AtLeast(Keep, 1, "--keep");
        OptionChecks.Positive(DivergenceThreshold, "--divergence-threshold");
        if (!WarmStart && Direction is not null)
        {
            throw new InvalidOptionException("--direction", "applies only with --warm-start (cold-started values do not depend on the order).");
        }

        double? valueMin = ValueMin is double vMin ? OptionChecks.Finite(vMin, "--value-min") : null;
        double? valueMax = ValueMax is double vMax ? OptionChecks.Finite(vMax, "--value-max") : null;
        if (valueMin is double lo && valueMax is double hi)
        {
            OptionChecks.Range(lo, hi, "--value-min", "--value-max");
        }

        // Streamed (the command, UvOrbitWriter.Run): the samples of the chunks computed together
        // (two per core) and of the values queued for the table (at most four chunks).
        double inFlight = OrbitDiagram.ChunkSize * ((2.0 * Environment.ProcessorCount) + 4);
        OptionChecks.Memory(SizeOption, Size, UvCost.OrbitStreamedBytes(Points, Keep, TwoPasses ? 2 : 1, inFlight), "the orbit diagram streamed to orbit.csv");
        OptionChecks.Operations(SizeOption, Size, UvCost.OrbitSteps(Points, Transient, Keep, TwoPasses ? 2 : 1), "map steps");

        if (Axis == OrbitAxis.R)
        {
            OptionChecks.Finite(X0 ?? DefaultX0, "--x0");
            OptionChecks.Finite(G0 ?? DefaultG0, "--g0");
            return;
        }

        if (X0 is not null || G0 is not null)
        {
            throw new InvalidOptionException(X0 is not null ? "--x0" : "--g0", $"applies to --axis r; with --axis {AxisName} the model options set the initial state.");
        }

        if (Min <= 0)
        {
            throw new InvalidOptionException("--r-min", $"must be positive for --axis {AxisName} (got {OptionChecks.Text(Min)}).");
        }

        ArgumentNullException.ThrowIfNull(Model);
        var model = Model.Build();
        Model.CheckStart(model, Axis == OrbitAxis.Eta ? LearningRateSpec.Absolute(Max) : LearningRateSpec.RelativeToInitialSharpness(Max), "--r-max");
    }

    /// <summary>
    /// Refuses a diagram whose samples, held in memory all at once (<see cref="UvOrbitExperiment.Run(UvOrbitOptions, IProgress{Progress.ExperimentProgress}?, CancellationToken)"/>),
    /// would exceed the memory budget; streaming them has only <see cref="Validate"/>'s bound.
    /// </summary>
    /// <exception cref="InvalidOptionException">The samples would not fit.</exception>
    public void CheckInMemory() =>
        OptionChecks.Memory(SizeOption, Size, UvCost.OrbitBytes(Points, Keep, TwoPasses ? 2 : 1), "the orbit diagram held in memory (UvOrbitWriter.Run streams it instead)");

    /// <summary>Refuses a table (orbit.csv) larger than the free space where <paramref name="folder"/> will be.</summary>
    /// <param name="folder">The run folder.</param>
    /// <exception cref="Sharpness.Runs.Safety.EnvironmentException">The table would not fit (the environment's failure, exit code 3 on the command line).</exception>
    public void CheckOutput(string folder) =>
        OptionChecks.Disk(SizeOption, Size, UvCost.OrbitTableBytes(Points, Keep, TwoPasses ? 2 : 1), folder, "orbit.csv");

    private string Size => $"{Points:N0} values with {Transient:N0} + {Keep:N0} steps each";

    private string SizeOption => Keep > Points ? "--keep" : "--points";
}
