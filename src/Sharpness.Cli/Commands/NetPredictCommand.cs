using System.CommandLine;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net predict</c>: the UV model's predictions against real networks. Part 1 measures the
/// initial output relative to the targets for each parameterisation, width, init scale and zero
/// readout, predicts the early sharpness trend from the growth wedge and puts the observed trend next
/// to it. Part 2 trains at large learning rates and looks for period-2 oscillation, period doubling
/// and chaos in the late loss and sharpness.
/// </summary>
public sealed class NetPredictCommand
{
    private readonly NetOptions _net = new();
    private readonly Option<string> _params = new("--params") { Description = "Comma-separated parameterisations of the prediction runs: sp, ntp, mup-out (Kalra & Barkeshli's muP), mup-abc (Yang & Hu's muP), small-readout.", DefaultValueFactory = _ => "sp,ntp,mup-out,mup-abc" };
    private readonly Option<string> _widths = new("--widths") { Description = "Comma-separated hidden widths of the prediction runs.", DefaultValueFactory = _ => "64,256" };
    private readonly Option<string?> _initScales = new("--init-scales") { Description = "Comma-separated hidden-layer variances sigma_w^2 of the prediction runs. Default: the activation's (2 for relu, 1 otherwise)." };
    private readonly Option<string> _zeroReadout = new("--zero-readout-params") { Description = "Parameterisations that also run with a zero readout (zero initial output), at every width and init scale; none for no such runs.", DefaultValueFactory = _ => "sp" };
    private readonly Option<double> _trendTolerance = new("--trend-tolerance") { Description = "Relative band around lambda_H(0) whose first exit decides the observed early trend (flat if never left).", DefaultValueFactory = _ => EarlyTrendClassifier.DefaultTolerance };
    private readonly Option<string?> _lrFactors = new("--lr-factors") { Description = "Oscillation runs: learning rates as multiples a of 2/lambda_H(0) (eta = 2a/lambda_H(0)), comma-separated. Default 3.5,4,4.5,5 unless --lrs is given." };
    private readonly Option<string?> _lrs = new("--lrs") { Description = "Oscillation runs: absolute learning rates, comma-separated. Excludes --lr-factors." };
    private readonly Option<int> _lateSteps = new("--late-steps") { Description = "Oscillation runs: steps per run.", DefaultValueFactory = _ => 300 };
    private readonly Option<int> _lateWindow = new("--late-window") { Description = "Oscillation runs: the last W steps, where the sharpness is measured every step and the periods and Lyapunov exponents are estimated.", DefaultValueFactory = _ => 40 };
    private readonly Option<int> _lateSharpnessEvery = new("--late-sharpness-every") { Description = "Oscillation runs: sharpness every k steps before the late window (for the figures).", DefaultValueFactory = _ => 10 };
    private readonly Option<int> _maxPeriod = new("--max-period") { Description = "Largest period looked for in the late series.", DefaultValueFactory = _ => OscillationPeriod.DefaultMaxPeriod };
    private readonly Option<double> _periodTolerance = new("--period-tolerance") { Description = "Misfit below which a period is accepted (0: exact repetition, about 1: noise).", DefaultValueFactory = _ => OscillationPeriod.DefaultTolerance };
    private readonly Option<bool> _noOscillation = new("--no-oscillation") { Description = "Skip the oscillation runs (part 2)." };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new, empty, or left by an interrupted run of the same command, which it resumes) for predictions.csv, oscillation.csv, summary.md, figures and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();
    private readonly Option<int?> _jobs = AnalysisOptions.Jobs("Runs (prediction and oscillation runs alike)");

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetPredictCommand();
        var command = new Command("predict", "The UV model's predictions against real networks: early sharpness trend from the initial output (growth wedge), and late-time oscillation at large eta.");
        d._net.Add(command, d._net.Param, d._net.Width, d._net.InitScale, d._net.ZeroReadout);
        foreach (Option option in new Option[]
                 {
                     d._params, d._widths, d._initScales, d._zeroReadout, d._trendTolerance, d._lrFactors, d._lrs, d._lateSteps, d._lateWindow,
                     d._lateSharpnessEvery, d._maxPeriod, d._periodTolerance, d._noOscillation, d._jobs, d._out, d._json, d._quiet,
                 })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = Bind(parse);
        options.Validate();
        var folder = NetPredictWriter.Prepare(parse.GetValue(_out)!.FullName, options.Oscillation);
        var (result, written) = CommandProgress.Run(
            context, parse.GetValue(_quiet), run => NetPredictWriter.Run(folder, options, run.Progress, run.Cancellation, context.Arguments), log => new NetStepLines(log));
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = result.Configuration.DeepClone(), ["results"] = result.Results.DeepClone(), ["out"] = folder.Path }.ToJsonString(JsonOutput.Options));
            return ExitCodes.Success;
        }

        foreach (var p in result.Predictions)
        {
            context.Output.WriteLine(FormattableString.Invariant(
                $"{p.Config.Name}: |f0|/|y| = {p.State?.NormRatio:G4}, <f0,y>/|y|^2 = {p.State?.Projection:G4}, eta*kappa0 = {p.State?.ScaledKernel:G4}; predicted {p.Prediction?.Regime.Label() ?? "none"}, observed {p.Observed.Regime.Label()}{(p.Agrees ? " (agree)" : string.Empty)}"));
        }

        var summary = (JsonObject)result.Results["predictions"]!;
        context.Output.WriteLine($"agreement: {summary["agree"]}/{summary["configurations"]}");
        foreach (var run in result.Oscillations)
        {
            context.Output.WriteLine(FormattableString.Invariant($"eta = {run.LearningRate:G4} ({run.RateName}): loss {run.LossLabel}, sharpness {run.SharpnessLabel}"));
        }

        context.Output.WriteLine($"jobs: {result.Jobs!.Used} ({result.Jobs.Reason})" + (result.ResumedRuns > 0 ? $"; {result.ResumedRuns} runs resumed from an interrupted attempt" : string.Empty));
        context.Output.WriteLine($"wrote {string.Join(", ", written)} and manifest.json in {folder.Path}");
        return ExitCodes.Success;
    }

    private NetPredictOptions Bind(ParseResult parse)
    {
        var settings = NetPredictOptions.WithCommandDefaults(_net.Resolve(parse), name => parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == name) is { } option && AnalysisOptions.IsGiven(parse, option));
        bool oscillation = !parse.GetValue(_noOscillation);
        string zero = parse.GetValue(_zeroReadout)!;
        return new NetPredictOptions
        {
            Network = settings,
            Parameterisations = Parameterisations(parse.GetValue(_params)!, "--params"),
            Widths = NetworkNames.ParseIntList(parse.GetValue(_widths)!, 1, "--widths"),
            InitScales = parse.GetValue(_initScales) is { } scales ? NetworkNames.ParsePositiveList(scales, "--init-scales") : null,
            ZeroReadoutParameterisations = zero.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : Parameterisations(zero, "--zero-readout-params"),
            TrendTolerance = parse.GetValue(_trendTolerance),
            Oscillation = oscillation,
            LearningRates = oscillation && AnalysisOptions.IsGiven(parse, _lrs) ? NetworkNames.ParsePositiveList(parse.GetValue(_lrs)!, "--lrs") : null,
            LearningRateFactors = oscillation && AnalysisOptions.IsGiven(parse, _lrFactors) ? NetworkNames.ParsePositiveList(parse.GetValue(_lrFactors)!, "--lr-factors") : null,
            LateSteps = parse.GetValue(_lateSteps),
            LateWindow = parse.GetValue(_lateWindow),
            LateSharpnessEvery = parse.GetValue(_lateSharpnessEvery),
            MaxPeriod = parse.GetValue(_maxPeriod),
            PeriodTolerance = parse.GetValue(_periodTolerance),
            Jobs = parse.GetValue(_jobs),
        };
    }

    private static NetworkParameterisation[] Parameterisations(string text, string option)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0
            ? parts.Select(p => NetworkNames.ParseParameterisation(p, option)).Distinct().ToArray()
            : throw new UsageException(option, "expected a comma-separated list, got nothing.");
    }
}
