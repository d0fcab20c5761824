using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv simulate</c>: the command line of <see cref="UvSimulateExperiment"/>.</summary>
public sealed class UvSimulateCommand
{
    /// <summary>File written with one row per step.</summary>
    public const string TrajectoryFile = UvSimulateWriter.TrajectoryFile;

    private readonly UvModelArguments _model = new();
    private readonly Option<double?> _lr = new("--lr") { Description = $"Learning rate eta > 0. Default {UvSimulateOptions.DefaultLearningRate.ToString(CultureInfo.InvariantCulture)} unless --lr-constant is given." };
    private readonly Option<double?> _lrConstant = new("--lr-constant") { Description = "Set eta = c / lambda_H(0), with c > 0 (c = 2 puts the first step at the stability threshold). Excludes --lr." };
    private readonly Option<double> _weightDecay = new("--weight-decay") { Description = "L2 weight decay gamma >= 0 (weights scaled by 1 - eta*gamma each step).", DefaultValueFactory = _ => 0.0 };
    private readonly Option<int> _steps = new("--steps") { Description = "Gradient-descent steps T >= 0 (T + 1 rows: steps 0..T).", DefaultValueFactory = _ => 200 };
    private readonly Option<double> _divergenceThreshold = new("--divergence-threshold") { Description = "Stop as diverged when |eta f / s| or eta*lambda exceeds this (scaled units).", DefaultValueFactory = _ => 1e6 };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Run folder for trajectory.csv and manifest.json (new or empty). Default: write nothing, print the summary only." };
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object summarising the run instead of the human summary." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvSimulateCommand();
        var command = new Command("simulate", "Gradient descent of the UV model in parameter space, with the closed-form Hessian sharpness at every step.");
        definition._model.AddTo(command);
        foreach (Option option in new Option[] { definition._lr, definition._lrConstant, definition._weightDecay, definition._steps, definition._divergenceThreshold, definition._out, definition._json, definition._quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var options = new UvSimulateOptions
        {
            Model = _model.Bind(parse),
            Lr = parse.GetValue(_lr),
            LrConstant = parse.GetValue(_lrConstant),
            WeightDecay = parse.GetValue(_weightDecay),
            Steps = parse.GetValue(_steps),
            DivergenceThreshold = parse.GetValue(_divergenceThreshold),
        };
        options.Validate();
        RunFolder? folder = parse.GetValue(_out) is { } outDir ? UvSimulateWriter.Prepare(outDir.FullName) : null;
        var result = CommandProgress.Run(context, parse.GetValue(_quiet), run => UvSimulateExperiment.Run(options, run.Progress, run.Cancellation));
        if (folder is not null)
        {
            UvSimulateWriter.Write(folder, result, context.Arguments);
        }

        if (parse.GetValue(_json))
        {
            var document = new JsonObject { ["configuration"] = UvSimulateWriter.Configuration(result), ["results"] = UvSimulateWriter.Results(result), ["out"] = folder?.Path };
            context.Output.WriteLine(document.ToJsonString(JsonOutput.Options));
        }
        else
        {
            WriteHumanSummary(context.Output, result, folder);
        }

        return ExitCodes.Success;
    }

    private static void WriteHumanSummary(TextWriter output, UvSimulateResult result, RunFolder? folder)
    {
        var run = result.Run;
        var first = run.Records[0];
        var last = run.Records[^1];
        string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        output.WriteLine($"UV model: n = {run.Width}, d = {result.Model.InputDimension}, {result.Model.Parameterisation}, sigma_w^2 = {G(result.Model.BaseVariance)}, s = S/|x| = {G(run.Normaliser)}, y = {G(run.Target)}");
        output.WriteLine($"eta = {G(run.LearningRate)}, r = eta/eta_c = {G(run.ScaledTarget)}, eta*lambda(0) = {G(first.LrNtk)}, eta*lambda_H(0) = {G(first.LrSharpness)}");
        output.WriteLine($"step {first.Step,6}: loss {G(first.Loss)}, f {G(first.Output)}, NTK lambda {G(first.Ntk)}, Hessian sharpness lambda_H {G(first.Sharpness)}");
        output.WriteLine($"step {last.Step,6}: loss {G(last.Loss)}, f {G(last.Output)}, NTK lambda {G(last.Ntk)}, Hessian sharpness lambda_H {G(last.Sharpness)} (2/eta = {G(2 / run.LearningRate)})");
        string labels = run.Regimes.Labels.Count == 0 ? "none" : string.Join(", ", run.Regimes.Labels);
        string ntkLabels = run.Regimes.NtkLabels.Count == 0 ? "none" : string.Join(", ", run.Regimes.NtkLabels);
        output.WriteLine($"regimes (lambda_H): {labels}; early trend of the NTK lambda: {ntkLabels}; outcome: {run.Regimes.Outcome.ToString().ToLowerInvariant()}" + (run.Diverged ? $" at step {run.DivergedAtStep}" : string.Empty));
        if (folder is not null)
        {
            output.WriteLine($"wrote {UvSimulateWriter.TrajectoryFile}, {UvSimulateWriter.FigureFile} and {RunDirectory.ManifestFileName} in {folder.Path}");
        }
    }
}
