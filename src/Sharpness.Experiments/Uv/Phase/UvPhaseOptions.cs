using System.Globalization;
using Sharpness.Uv;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>How a phase diagram is computed.</summary>
public enum PhaseMode
{
    /// <summary>c = ηλ₀ against r with the exact scaled map from one initial output ratio.</summary>
    Scaled,

    /// <summary>η or c against width, init scale or parameterisation, with parameter-space runs from random initialisations.</summary>
    Physical,
}

/// <summary>The horizontal axis of a physical phase diagram.</summary>
public enum PhaseXAxis
{
    /// <summary>The learning rate η.</summary>
    Eta,

    /// <summary>c, with η = c/λ_H(0) per run.</summary>
    C,
}

/// <summary>The vertical axis of a physical phase diagram.</summary>
public enum PhaseYAxis
{
    /// <summary>Width n.</summary>
    Width,

    /// <summary>Base variance σ_w².</summary>
    InitScale,

    /// <summary>Parameterisation.</summary>
    Param,
}

/// <summary>
/// Options of <see cref="UvPhaseExperiment"/> (<c>sharpness uv phase</c>): phase diagrams of the
/// regime categories of docs/uv-model.md (sharpness reduction, progressive sharpening, catapult,
/// EoS, chaos, divergence).
/// </summary>
public sealed record UvPhaseOptions
{
    /// <summary>Scaled (default) or physical.</summary>
    public PhaseMode Mode { get; init; } = PhaseMode.Scaled;

    /// <summary>Smallest c = ηλ₀ (scaled mode), or smallest horizontal value (physical mode, positive). Default 0.1.</summary>
    public double CMin { get; init; } = 0.1;

    /// <summary>Largest c (or horizontal value). Default 4.5.</summary>
    public double CMax { get; init; } = 4.5;

    /// <summary>Number of c (or horizontal) values, ≥ 2. Default 90.</summary>
    public int CPoints { get; init; } = 90;

    /// <summary>Scaled mode: smallest r = η/η_c. Default 0.02.</summary>
    public double RMin { get; init; } = 0.02;

    /// <summary>Scaled mode: largest r. Default 2.</summary>
    public double RMax { get; init; } = 2.0;

    /// <summary>Scaled mode: number of r values, ≥ 2. Default 100.</summary>
    public int RPoints { get; init; } = 100;

    /// <summary>Scaled mode: initial output relative to the target, f₀/y = g₀/r. Default 0.</summary>
    public double OutputRatio { get; init; }

    /// <summary>Physical mode: η or c (default) on the horizontal axis.</summary>
    public PhaseXAxis XAxis { get; init; } = PhaseXAxis.C;

    /// <summary>Physical mode: space the horizontal values logarithmically. Default off.</summary>
    public bool LogX { get; init; }

    /// <summary>Physical mode: width (default), init scale or parameterisation on the vertical axis.</summary>
    public PhaseYAxis YAxis { get; init; } = PhaseYAxis.Width;

    /// <summary>Physical mode: the values of <see cref="YAxis"/> (widths, σ_w² values or parameterisation names). Default 2, 8, 32, 128, 512, 2048.</summary>
    public IReadOnlyList<string> YValues { get; init; } = ["2", "8", "32", "128", "512", "2048"];

    /// <summary>Physical mode: initialisations per cell (seeds Model.Seed, Model.Seed + 1, …), ≥ 1. Default 5.</summary>
    public int Seeds { get; init; } = 5;

    /// <summary>Steps per run, ≥ 1. Default 2000.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>Physical mode: the model every cell varies (no init file: the cells draw random initialisations).</summary>
    public UvModelOptions Model { get; init; } = new();

    /// <summary>Name of <see cref="Mode"/> in manifests.</summary>
    public string ModeName => Mode == PhaseMode.Scaled ? "scaled" : "physical";

    /// <summary>Name of <see cref="XAxis"/> in files and manifests.</summary>
    public string XAxisName => XAxis == PhaseXAxis.Eta ? "eta" : "c";

    /// <summary>Name of <see cref="YAxis"/> in files and manifests.</summary>
    public string YAxisName => YAxis switch { PhaseYAxis.Width => "width", PhaseYAxis.InitScale => "init-scale", _ => "param" };

    /// <summary>Reads a mode: scaled or physical.</summary>
    /// <param name="text">The name.</param>
    /// <exception cref="InvalidOptionException">Another name (<c>--mode</c>).</exception>
    public static PhaseMode ParseMode(string text) => OptionChecks.Choice(text, "--mode", ("scaled", PhaseMode.Scaled), ("physical", PhaseMode.Physical));

    /// <summary>Reads a horizontal axis: eta or c.</summary>
    /// <param name="text">The name.</param>
    /// <exception cref="InvalidOptionException">Another name (<c>--x-axis</c>).</exception>
    public static PhaseXAxis ParseXAxis(string text) => OptionChecks.Choice(text, "--x-axis", ("eta", PhaseXAxis.Eta), ("c", PhaseXAxis.C));

    /// <summary>Reads a vertical axis: width, init-scale or param.</summary>
    /// <param name="text">The name.</param>
    /// <exception cref="InvalidOptionException">Another name (<c>--y-axis</c>).</exception>
    public static PhaseYAxis ParseYAxis(string text) => OptionChecks.Choice(text, "--y-axis", ("width", PhaseYAxis.Width), ("init-scale", PhaseYAxis.InitScale), ("param", PhaseYAxis.Param));

    /// <summary>Checks every option (and, in physical mode, builds every row's model).</summary>
    /// <exception cref="InvalidOptionException">An option is out of range or does not apply.</exception>
    public void Validate()
    {
        OptionChecks.Range(CMin, CMax, "--c-min", "--c-max");
        OptionChecks.AtLeast(CPoints, 2, "--c-points");
        OptionChecks.AtLeast(Steps, 1, "--steps");
        if (Mode == PhaseMode.Scaled)
        {
            OptionChecks.Range(RMin, RMax, "--r-min", "--r-max");
            OptionChecks.AtLeast(RPoints, 2, "--r-points");
            OptionChecks.Finite(OutputRatio, "--output-ratio");
            string cells = RPoints > CPoints ? "--r-points" : "--c-points", size = $"{CPoints:N0} x {RPoints:N0} cells of {Steps:N0} steps";
            OptionChecks.Memory(cells, size, UvCost.PhaseCellBytes((double)CPoints * RPoints), "the phase diagram");
            OptionChecks.Operations(cells, size, (double)CPoints * RPoints * Steps, "map steps");
            if (!(CMax >= 2 * Math.Abs(OutputRatio) * UvPhaseFigures.Linear(RMin, RMax, RPoints).Min(Math.Abs)))
            {
                throw new InvalidOptionException("--output-ratio", $"{OptionChecks.Text(OutputRatio)} leaves no cell of the grid realisable (every c is below 2|g0| = 2|ratio|*r, which no weights give); lower it or raise --c-max.");
            }

            return;
        }

        var (_, rows) = RowModels();
        OptionChecks.Memory("--y-values", $"runs of width up to {rows.Max(m => m.EffectiveWidth):N0} and {Steps:N0} steps", Environment.ProcessorCount * rows.Max(m => UvCost.SimulationBytes(m.EffectiveWidth, m.InputDimension, Steps)), "the runs computed at once");
        OptionChecks.Operations("--seeds", $"{CPoints:N0} x {rows.Length:N0} cells of {Seeds:N0} seeds and {Steps:N0} steps", (double)CPoints * Seeds * Steps * rows.Sum(m => (double)m.EffectiveWidth * m.InputDimension), "weight updates");
        foreach (var (model, text) in rows.Zip(YValues))
        {
            if (UvGradientDescent.CheckStart(model, XAxis == PhaseXAxis.Eta ? LearningRateSpec.Absolute(CMax) : LearningRateSpec.RelativeToInitialSharpness(CMax)) is { } problem)
            {
                throw new InvalidOptionException(problem.Cause == UvStartCause.LearningRate ? "--c-max" : "--y-values", $"{text}: {problem.Description}.");
            }
        }
    }

    /// <summary>Physical mode: the validated base model and the model of every row.</summary>
    /// <exception cref="InvalidOptionException">An option is invalid.</exception>
    internal (UvModelConfig Base, UvModelConfig[] Rows) RowModels()
    {
        if (LogX && !(CMin > 0))
        {
            throw new InvalidOptionException("--c-min", "must be positive with --log-x.");
        }

        if (!(CMin > 0))
        {
            throw new InvalidOptionException("--c-min", $"must be positive: it is a learning rate or c = eta*lambda_H(0) (got {OptionChecks.Text(CMin)}).");
        }

        ArgumentNullException.ThrowIfNull(YValues);
        if (YValues.Count == 0)
        {
            throw new InvalidOptionException("--y-values", "needs at least one value.");
        }

        OptionChecks.AtLeast(Seeds, 1, "--seeds");
        ArgumentNullException.ThrowIfNull(Model);
        UvModelConfig baseModel = Model.Build();
        if (baseModel.InitialWeights is not null)
        {
            throw new InvalidOptionException("--init-file", "does not apply to physical phase diagrams, which draw random initialisations.");
        }

        return (baseModel, YValues.Select(text => RowModel(baseModel, text)).ToArray());
    }

    private UvModelConfig RowModel(UvModelConfig baseModel, string text)
    {
        switch (YAxis)
        {
            case PhaseYAxis.Width:
                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int width) && width >= 1
                    ? baseModel with { Width = width }
                    : throw new InvalidOptionException("--y-values", $"'{text}' is not a width (an integer >= 1).");
            case PhaseYAxis.InitScale:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double scale) && scale > 0 && double.IsFinite(scale)
                    ? baseModel with { BaseVariance = scale }
                    : throw new InvalidOptionException("--y-values", $"'{text}' is not an init scale (a positive number).");
            default:
                return Parameterisation.TryParse(text, out var parameterisation)
                    ? baseModel with { Parameterisation = parameterisation! }
                    : throw new InvalidOptionException("--y-values", $"'{text}' is not a parameterisation (ntp, mup, sp or s=<value>).");
        }
    }
}
