using System.CommandLine;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using static TorchSharp.torch;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net early-phase</c>: the early-training phase diagram of Kalra &amp; Barkeshli. For every depth,
/// width, variant (parameterisation or zero readout) and seed it measures λ_H(0) and λ_NTK(0) once, trains a few
/// steps at η = c/λ_H(0) for the grid values of c a search needs, and reports c_loss, c_sharp and c_max against
/// both eigenvalues, with their spread over seeds, a phase figure and a Markdown summary.
/// </summary>
public sealed class NetEarlyPhaseCommand
{
    private readonly NetOptions _net = new();
    private readonly Option<string> _depths = new("--depths") { Description = "Comma-separated depths (linear layers including the readout).", DefaultValueFactory = _ => "2,4,6" };
    private readonly Option<string> _widths = new("--widths") { Description = "Comma-separated hidden widths.", DefaultValueFactory = _ => "64,256,1024" };
    private readonly Option<string> _variants = new("--variants") { Description = "Comma-separated variants: sp, ntp, mup-abc, mup-out, small-readout (parameterisations, docs/real-networks.md) and zero-readout (SP with the readout initialised at zero).", DefaultValueFactory = _ => "sp" };
    private readonly Option<int> _seeds = new("--seeds") { Description = "Initialisations per configuration: seeds --seed, --seed+1, ...", DefaultValueFactory = _ => 2 };
    private readonly Option<double> _cMin = new("--c-min") { Description = "Smallest c = eta*lambda_H(0) of the grid.", DefaultValueFactory = _ => 0.5 };
    private readonly Option<double> _cMax = new("--c-max") { Description = "Largest c of the grid (the grid stops at the last 2^x not above it).", DefaultValueFactory = _ => 64.0 };
    private readonly Option<double> _xStep = new("--x-step") { Description = "Step of x = log2 c on the grid.", DefaultValueFactory = _ => 0.1 };
    private readonly Option<int> _earlySteps = new("--early-steps") { Description = "Steps T per run: losses and sharpness at steps 1..T are compared with their initial values.", DefaultValueFactory = _ => 10 };
    private readonly Option<string> _search = new("--search") { Description = "bisect (binary search over grid indices, about log2(grid size) runs per constant, assumes monotonicity and reports any probe that contradicts it) or scan (the definitions literally: c_loss and c_sharp scanned upwards, c_max downwards).", DefaultValueFactory = _ => "bisect" };
    private readonly Option<bool> _noSharpness = new("--no-sharpness") { Description = "Skip c_sharp (the only part that needs Hessian products during training)." };
    private readonly Option<int> _decideBelowAfter = new("--decide-below-after") { Description = "Sharpness runs: a measurement concludes lambda_H(t) <= lambda_H(0) once the top Ritz value plus its residual is below lambda_H(0), after at least this many Lanczos products; 0: only a converged measurement (--lanczos-tolerance) decides (slower).", DefaultValueFactory = _ => 8 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new, empty, or left by an interrupted run of the same command, which it resumes) for points.csv, critical.csv, summary.md, phase.png/.svg and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the Markdown table." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();
    private readonly Option<int?> _jobs = AnalysisOptions.Jobs("Initialisations");

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetEarlyPhaseCommand();
        var command = new Command("early-phase", "Early-training phase diagram (Kalra & Barkeshli): c_loss, c_sharp and c_max of eta = c/lambda_H(0) over depths, widths, variants and seeds.");
        d._net.Add(command, d._net.Preset, d._net.Model, d._net.Depth, d._net.Width, d._net.Param, d._net.ZeroReadout, d._net.Lr, d._net.LrConstant,
            d._net.Steps, d._net.SharpnessEvery, d._net.TopK, d._net.AccuracyGoal, d._net.LossGoal, d._net.TestSize);
        foreach (Option option in new Option[] { d._depths, d._widths, d._variants, d._seeds, d._cMin, d._cMax, d._xStep, d._earlySteps, d._search, d._noSharpness, d._decideBelowAfter, d._jobs, d._out, d._json, d._quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var settings = _net.Resolve(parse, "early");
        // The early preset trains with SGD; this command defaults to full-batch GD on a subset (no sampling noise
        // in the loss comparisons), to 1,000 training examples and to float32 Hessian products (the constants and
        // every decision agree with float64 ones; docs/real-networks.md). Typed options win.
        var tracking = settings.Trainer.Tracking ?? new SharpnessTrackerOptions();
        settings = settings with
        {
            Trainer = settings.Trainer with { Tracking = AnalysisOptions.IsGiven(parse, _net.HvpPrecision) ? tracking : tracking with { Precision = ScalarType.Float32 } },
        };
        settings = settings with
        {
            TrainSize = AnalysisOptions.IsGiven(parse, _net.TrainSize) ? settings.TrainSize : NetEarlyPhaseOptions.DefaultTrainSize,
            TestSize = 0,
            OptimizerName = AnalysisOptions.IsGiven(parse, _net.Optimizer) ? settings.OptimizerName : "gd",
            Trainer = AnalysisOptions.IsGiven(parse, _net.Optimizer) ? settings.Trainer : settings.Trainer with { Optimizer = OptimizerKind.GradientDescent },
        };
        var options = new NetEarlyPhaseOptions
        {
            Network = settings,
            Depths = NetworkNames.ParseIntList(parse.GetValue(_depths)!, 1, "--depths"),
            Widths = NetworkNames.ParseIntList(parse.GetValue(_widths)!, 1, "--widths"),
            Variants = NetEarlyPhaseOptions.ParseVariants(parse.GetValue(_variants)!),
            Seeds = parse.GetValue(_seeds),
            CMin = parse.GetValue(_cMin),
            CMax = parse.GetValue(_cMax),
            XStep = parse.GetValue(_xStep),
            EarlySteps = parse.GetValue(_earlySteps),
            Search = NetEarlyPhaseOptions.ParseSearch(parse.GetValue(_search)!),
            MeasureSharpness = !parse.GetValue(_noSharpness),
            DecideBelowAfter = parse.GetValue(_decideBelowAfter),
            Jobs = parse.GetValue(_jobs),
            HvpPrecisionReason = AnalysisOptions.IsGiven(parse, _net.HvpPrecision)
                ? "given by --hvp-precision"
                : "float32 by default here: every decision and every digit of the summary are those of float64 products (NetEarlyPhasePrecisionTests; docs/performance.md, \"Precision\")",
        };
        options.Validate();
        var folder = NetEarlyPhaseWriter.Prepare(parse.GetValue(_out)!.FullName);
        var result = CommandProgress.Run(context, parse.GetValue(_quiet), run => NetEarlyPhaseExperiment.Run(options, run.Progress, run.Cancellation, NetEarlyPhaseWriter.Journal(folder)), log => new NetStepLines(log));
        var files = NetEarlyPhaseWriter.Write(folder, result, context.Arguments);
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = result.Configuration.DeepClone(), ["results"] = result.Results.DeepClone(), ["out"] = folder.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            context.Output.Write(EarlyPhaseSummary.ToMarkdown(result.Groups));
            context.Output.WriteLine($"jobs: {result.Jobs!.Used} ({result.Jobs.Reason})" + (result.ResumedInitialisations > 0 ? $"; {result.ResumedInitialisations} initialisations resumed from an interrupted attempt" : string.Empty));
            context.Output.WriteLine(FormattableString.Invariant($"{Words.Count(result.Runs.Count, "initialisation")}, {Words.Count(result.Runs.Sum(r => r.Result.Probes.Count), "training run")} in {result.Seconds:F0} s; wrote {string.Join(", ", files)} and manifest.json in {folder.Path}"));
        }

        return ExitCodes.Success;
    }
}
