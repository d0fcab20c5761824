using System.Text.Json.Nodes;
using Sharpness.Runs;
using Sharpness.Uv;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// The UV model at initialisation, f = vᵀUx/S on one example (x, y), as the experiments that take
/// a model (<c>uv simulate</c>, <c>uv orbit --axis eta|c</c>, <c>uv phase --mode physical</c>) describe it.
/// docs/uv-model.md has the conventions.
/// </summary>
public sealed record UvModelOptions
{
    /// <summary>Default width when neither <see cref="Width"/> nor an init file gives one.</summary>
    public const int DefaultWidth = 100;

    /// <summary>Width n (hidden units), ≥ 1. Default: <see cref="DefaultWidth"/>, or the init file's.</summary>
    public int? Width { get; init; }

    /// <summary>Input dimension d ≥ 1; the input is x = (1,…,1)/√d. Default: 1, or the init file's.</summary>
    public int? InputDimension { get; init; }

    /// <summary>Parameterisation: NTP (default), μP, SP or the interpolation s ∈ [0, 1] (<see cref="ParseParam"/> reads the names).</summary>
    public Parameterisation Param { get; init; } = Parameterisation.Ntp;

    /// <summary>Base variance σ_w² &gt; 0 of the initialisation. Default 1.</summary>
    public double InitScale { get; init; } = 1.0;

    /// <summary>Output normaliser S &gt; 0 overriding the parameterisation's. Default: from <see cref="Param"/>.</summary>
    public double? Normalizer { get; init; }

    /// <summary>Target y (finite). Default 1.</summary>
    public double Target { get; init; } = 1.0;

    /// <summary>Seed of the initial weights (same seed, same weights, on every machine). Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Explicit initial weights as JSON (<see cref="UvInitFile"/>): <c>{"u": [...], "v": [...]}</c> for d = 1,
    /// or <c>{"U": [[...], ...], "v": [...], "x": [...]}</c>. Default: none (random weights from <see cref="Seed"/>).
    /// </summary>
    public string? InitFile { get; init; }

    /// <summary>Reads a parameterisation: ntp, mup, sp, or s=&lt;value in [0, 1]&gt;.</summary>
    /// <param name="text">The name.</param>
    /// <exception cref="InvalidOptionException">It is none of those (option <c>--param</c>).</exception>
    public static Parameterisation ParseParam(string text) => Parameterisation.TryParse(text, out var parameterisation)
        ? parameterisation!
        : throw new InvalidOptionException("--param", $"expected ntp, mup, sp or s=<value in [0,1]>, got '{text}'.");

    /// <summary>The model configuration the options describe, with the init file read.</summary>
    /// <exception cref="InvalidOptionException">A value is out of range, or the init file is unreadable, malformed or disagrees with <see cref="Width"/> or <see cref="InputDimension"/>.</exception>
    public UvModelConfig Build()
    {
        if (Width is int w0)
        {
            OptionChecks.AtLeast(w0, 1, "--width");
        }

        if (InputDimension is int d0)
        {
            OptionChecks.AtLeast(d0, 1, "--input-dim");
        }

        OptionChecks.Memory(Width is null && InputDimension is not null ? "--input-dim" : "--width", $"a width of {Width ?? DefaultWidth:N0} with input dimension {InputDimension ?? 1:N0}", UvCost.SimulationBytes(Width ?? DefaultWidth, InputDimension ?? 1, 0), "the network's weights");
        ArgumentNullException.ThrowIfNull(Param);
        var model = new UvModelConfig
        {
            Width = Width ?? DefaultWidth,
            Input = UnitInput(InputDimension ?? 1),
            Target = OptionChecks.Finite(Target, "--target"),
            Parameterisation = Param,
            BaseVariance = OptionChecks.Positive(InitScale, "--init-scale"),
            NormaliserOverride = Normalizer is double s ? OptionChecks.Positive(s, "--normalizer") : null,
            Seed = Seed,
        };

        if (InitFile is not { } file)
        {
            return model;
        }

        string path = Path.GetFullPath(file);
        var contents = UvInitFile.Read(path);
        int fileWidth = contents.Weights.V.Length;
        if (Width is int w && w != fileWidth)
        {
            throw new InvalidOptionException("--width", $"is {w} but the init file has {fileWidth} hidden units; omit --width or make them agree.");
        }

        if (InputDimension is int d && d != contents.Input.Length)
        {
            throw new InvalidOptionException("--input-dim", $"is {d} but the init file's input x has {contents.Input.Length} components.");
        }

        if (contents.Input.All(xi => xi == 0))
        {
            throw new InvalidOptionException("--init-file", $"'{path}': the input x must be nonzero.");
        }

        return model with { Width = fileWidth, Input = contents.Input, InitialWeights = contents.Weights };
    }

    /// <summary>
    /// Refuses a model that is not finite at step 0 (see <see cref="UvGradientDescent.CheckStart"/>),
    /// naming the option at fault: --normalizer (or --param), --init-file or --init-scale, --target,
    /// or the learning-rate option.
    /// </summary>
    /// <param name="model">The model <see cref="Build"/> returned for these options.</param>
    /// <param name="learningRate">How η is chosen.</param>
    /// <param name="rateOption">The option that set η.</param>
    /// <exception cref="InvalidOptionException">The initial state is not finite.</exception>
    public void CheckStart(UvModelConfig model, LearningRateSpec learningRate, string rateOption)
    {
        if (UvGradientDescent.CheckStart(model, learningRate) is not { } problem)
        {
            return;
        }

        string option = problem.Cause switch
        {
            UvStartCause.Normaliser => Normalizer is null ? "--param" : "--normalizer",
            UvStartCause.Weights => InitFile is null ? "--init-scale" : "--init-file",
            UvStartCause.Target => "--target",
            _ => rateOption,
        };
        throw new InvalidOptionException(option, problem.Description + "; choose a value that keeps the initial state finite.");
    }

    /// <summary>The model's configuration as a manifest records it (every value, defaults included).</summary>
    /// <param name="model">The model <see cref="Build"/> returned for these options.</param>
    public JsonObject ToJson(UvModelConfig model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new JsonObject
        {
            ["width"] = model.EffectiveWidth,
            ["input_dim"] = model.InputDimension,
            ["input"] = new JsonArray(model.Input.Select(v => JsonOutput.Number(v)).ToArray()),
            ["param"] = model.Parameterisation.ToString(),
            ["init_scale"] = model.BaseVariance,
            ["normalizer"] = model.Normaliser,
            ["normalizer_override"] = JsonOutput.Number(model.NormaliserOverride),
            ["effective_normalizer"] = model.EffectiveNormaliser,
            ["target"] = model.Target,
            ["seed"] = model.Seed,
            ["init_file"] = InitFile is null ? null : Path.GetFullPath(InitFile),
        };
    }

    private static double[] UnitInput(int dimension)
    {
        var x = new double[dimension];
        Array.Fill(x, 1 / Math.Sqrt(dimension));
        return x;
    }
}
