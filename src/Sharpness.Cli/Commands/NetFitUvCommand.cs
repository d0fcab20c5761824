using System.CommandLine;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Nets;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net fit-uv</c>: fits the UV model's exact map to the sharpness trajectory of a real
/// run (trained here with the top eigenvector's function-space projection measured, or read from a
/// <c>net train</c> folder) and reports the fit error next to baselines.
/// </summary>
public sealed class NetFitUvCommand
{
    private readonly NetOptions _net = new();
    private readonly Option<DirectoryInfo?> _run = new("--run") { Description = "Fit an existing run folder instead of training: a fit-uv folder (refit from its fit.csv, e.g. with another window) or a net train folder (manifest.json and metrics.csv; the effective output is then the projection on the target direction and only the free fit is made)." };
    private readonly Option<int?> _fitFrom = new("--fit-from") { Description = "First step of the fit window; the UV trajectory starts there. Default: the first measured step." };
    private readonly Option<int?> _fitTo = new("--fit-to") { Description = "Last step of the fit window; later measurements are held out. Default: two thirds of the way through the measurements." };
    private readonly Option<int> _starts = new("--starts") { Description = "Starting points of the free fit (Nelder-Mead from each, best kept).", DefaultValueFactory = _ => 24 };
    private readonly Option<double> _outputWeight = new("--output-weight") { Description = "Weight of the effective output f/y in the least-squares objective (0: sharpness only).", DefaultValueFactory = _ => 0.0 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for fit.csv, fit.png, fit.svg, effective.png, summary.md, manifest.json (and metrics.csv and the sharpness figures when training).", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetFitUvCommand();
        var command = new Command("fit-uv", "Fit the UV model's exact map (r = eta/eta_c and the initial state) to a real run's sharpness trajectory, projected on the top Hessian eigenvector; reports the fit error next to baselines.");
        d._net.Add(command);
        foreach (Option option in new Option[] { d._run, d._fitFrom, d._fitTo, d._starts, d._outputWeight, d._out, d._json, d._quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var fit = new NetFitUvOptions
        {
            FitFrom = parse.GetValue(_fitFrom),
            FitTo = parse.GetValue(_fitTo),
            Starts = parse.GetValue(_starts),
            OutputWeight = parse.GetValue(_outputWeight),
        };
        fit.ValidateFit(); // the fit's own options first, before the run is read or the training resolved
        var options = fit with { Source = parse.GetValue(_run) is { } runDir ? ReadRun(parse, runDir) : null };
        options = options with { Network = options.Source is null ? _net.Resolve(parse) : null };
        options.Validate();
        var folder = NetFitUvWriter.Prepare(parse.GetValue(_out)!.FullName, options);
        var (result, written) = CommandProgress.Run(
            context, parse.GetValue(_quiet), progress => NetFitUvWriter.Run(folder, options, progress.Progress, progress.Cancellation, context.Arguments), log => new NetStepLines(log, "fit-uv"));
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = result.Configuration.DeepClone(), ["results"] = result.Results.DeepClone(), ["out"] = folder.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            context.Output.Write(NetFitUvWriter.Summary(result, context.Arguments));
            context.Output.WriteLine($"wrote {string.Join(", ", written)} and manifest.json in {folder.Path}");
        }

        return ExitCodes.Success;
    }

    /// <summary>Reads a complete net train or fit-uv folder; the training options cannot be combined with it.</summary>
    private NetFitUvSource ReadRun(ParseResult parse, DirectoryInfo folder)
    {
        var given = _net.All.FirstOrDefault(o => AnalysisOptions.IsGiven(parse, o));
        if (given is not null)
        {
            throw new UsageException(given.Name, "training options cannot be combined with --run (the run's own settings are used).");
        }

        return NetFitUvSource.Read(folder.FullName);
    }
}
