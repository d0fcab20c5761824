using System.CommandLine;
using System.Text.Json.Nodes;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using Sharpness.Uv;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Cli.Commands;

/// <summary>The options that define a UV model at initialisation, shared by the commands that take one.</summary>
internal sealed class UvModelOptions
{
    /// <summary>Default width when neither --width nor --init-file gives one.</summary>
    public const int DefaultWidth = 100;

    private readonly Option<int?> _width = new("--width") { Description = $"Width n (hidden units), >= 1. Default {DefaultWidth}, or the init file's." };
    private readonly Option<int?> _inputDim = new("--input-dim") { Description = "Input dimension d, >= 1; x is the unit vector (1,...,1)/sqrt(d). Default 1, or the init file's." };
    private readonly Option<string> _param = new("--param") { Description = "Parameterisation: ntp, mup, sp, or s=<value> with value in [0,1] (s=0 is NTP, s=1 is muP).", DefaultValueFactory = _ => "ntp" };
    private readonly Option<double> _initScale = new("--init-scale") { Description = "Base variance sigma_w^2 > 0 of the initialisation.", DefaultValueFactory = _ => 1.0 };
    private readonly Option<double?> _normalizer = new("--normalizer") { Description = "Output normaliser S > 0 overriding the parameterisation's (f = v.Ux/S). Default: from --param." };
    private readonly Option<double> _target = new("--target") { Description = "Target y.", DefaultValueFactory = _ => 1.0 };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed of the initial weights.", DefaultValueFactory = _ => 0UL };
    private readonly Option<FileInfo?> _initFile = new("--init-file") { Description = "JSON initial weights: {\"u\": [...], \"v\": [...]} for d = 1, or {\"U\": [[...]], \"v\": [...], \"x\": [...]}." };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _width, _inputDim, _param, _initScale, _normalizer, _target, _seed, _initFile })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The model configuration the options describe (validated; errors name the option).</summary>
    public UvModelConfig Build(ParseResult parse)
    {
        int? width = parse.GetValue(_width);
        int? inputDim = parse.GetValue(_inputDim);
        if (width is int w0)
        {
            OptionValues.AtLeast(w0, 1, "--width");
        }

        if (inputDim is int d0)
        {
            OptionValues.AtLeast(d0, 1, "--input-dim");
        }

        ResourceLimits.RequireMemory(width is null && inputDim is not null ? "--input-dim" : "--width", $"a width of {width ?? DefaultWidth:N0} with input dimension {inputDim ?? 1:N0}", UvCost.SimulationBytes(width ?? DefaultWidth, inputDim ?? 1, 0), "the network's weights");

        string paramText = parse.GetValue(_param)!;
        if (!Parameterisation.TryParse(paramText, out var parameterisation))
        {
            throw new UsageException("--param", $"expected ntp, mup, sp or s=<value in [0,1]>, got '{paramText}'.");
        }

        var model = new UvModelConfig
        {
            Width = width ?? DefaultWidth,
            Input = UnitInput(inputDim ?? 1),
            Target = OptionValues.Finite(parse.GetValue(_target), "--target"),
            Parameterisation = parameterisation!,
            BaseVariance = OptionValues.Positive(parse.GetValue(_initScale), "--init-scale"),
            NormaliserOverride = parse.GetValue(_normalizer) is double s ? OptionValues.Positive(s, "--normalizer") : null,
            Seed = parse.GetValue(_seed),
        };

        if (parse.GetValue(_initFile) is not { } file)
        {
            return model;
        }

        var contents = UvInitFile.Read(file.FullName);
        int fileWidth = contents.Weights.V.Length;
        if (width is int w && w != fileWidth)
        {
            throw new UsageException("--width", $"is {w} but the init file has {fileWidth} hidden units; omit --width or make them agree.");
        }

        if (inputDim is int d && d != contents.Input.Length)
        {
            throw new UsageException("--input-dim", $"is {d} but the init file's input x has {contents.Input.Length} components.");
        }

        if (contents.Input.All(xi => xi == 0))
        {
            throw new UsageException("--init-file", $"'{file.FullName}': the input x must be nonzero.");
        }

        return model with { Width = fileWidth, Input = contents.Input, InitialWeights = contents.Weights };
    }

    /// <summary>
    /// Refuses a model that is not finite at step 0 (see <see cref="UvGradientDescent.CheckStart"/>),
    /// naming the option at fault: --normalizer, --init-file or --init-scale, or the learning-rate option.
    /// </summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="model">The model.</param>
    /// <param name="learningRate">How η is chosen.</param>
    /// <param name="rateOption">The option that set η.</param>
    public void CheckStart(ParseResult parse, UvModelConfig model, LearningRateSpec learningRate, string rateOption)
    {
        if (UvGradientDescent.CheckStart(model, learningRate) is not { } problem)
        {
            return;
        }

        string option = problem.Cause switch
        {
            UvStartCause.Normaliser => parse.GetValue(_normalizer) is null ? "--param" : "--normalizer",
            UvStartCause.Weights => parse.GetValue(_initFile) is null ? "--init-scale" : "--init-file",
            _ => rateOption,
        };
        throw new UsageException(option, problem.Description + "; choose a value that keeps the initial state finite.");
    }

    /// <summary>The model's configuration as manifest JSON (every value, defaults included).</summary>
    public JsonObject ToJson(ParseResult parse, UvModelConfig model) => new()
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
        ["init_file"] = parse.GetValue(_initFile)?.FullName,
    };

    private static double[] UnitInput(int dimension)
    {
        var x = new double[dimension];
        Array.Fill(x, 1 / Math.Sqrt(dimension));
        return x;
    }
}
