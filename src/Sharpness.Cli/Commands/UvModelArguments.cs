using System.CommandLine;
using Sharpness.Experiments.Uv;

namespace Sharpness.Cli.Commands;

/// <summary>The options that define a UV model at initialisation (<see cref="UvModelOptions"/>), shared by the commands that take one.</summary>
internal sealed class UvModelArguments
{
    private readonly Option<int?> _width = new("--width") { Description = $"Width n (hidden units), >= 1. Default {UvModelOptions.DefaultWidth}, or the init file's." };
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

    /// <summary>The model the options describe (not yet validated: <see cref="UvModelOptions.Build"/> does that).</summary>
    /// <exception cref="Sharpness.Experiments.InvalidOptionException">--param names no parameterisation.</exception>
    public UvModelOptions Bind(ParseResult parse) => new()
    {
        Width = parse.GetValue(_width),
        InputDimension = parse.GetValue(_inputDim),
        Param = UvModelOptions.ParseParam(parse.GetValue(_param)!),
        InitScale = parse.GetValue(_initScale),
        Normalizer = parse.GetValue(_normalizer),
        Target = parse.GetValue(_target),
        Seed = parse.GetValue(_seed),
        InitFile = parse.GetValue(_initFile)?.FullName,
    };
}
