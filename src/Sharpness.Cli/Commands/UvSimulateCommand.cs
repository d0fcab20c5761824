using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using Sharpness.Uv;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv simulate</c>: gradient descent of the UV model in parameter space with exact sharpness per step.</summary>
public sealed class UvSimulateCommand
{
    /// <summary>Default learning rate when neither --lr nor --lr-constant is given.</summary>
    public const double DefaultLearningRate = 0.5;

    /// <summary>File written with one row per step.</summary>
    public const string TrajectoryFile = "trajectory.csv";

    /// <summary>Figure of the sharpness and loss against step.</summary>
    public const string FigureFile = "trajectory.png";

    /// <summary>Columns of <see cref="TrajectoryFile"/>.</summary>
    public static readonly IReadOnlyList<string> TrajectoryColumns = ["step", "loss", "f", "residual", "ntk", "sharpness", "lr_ntk", "lr_sharpness", "q"];

    private readonly UvModelOptions _model = new();
    private readonly Option<double?> _lr = new("--lr") { Description = $"Learning rate eta > 0. Default {DefaultLearningRate.ToString(CultureInfo.InvariantCulture)} unless --lr-constant is given." };
    private readonly Option<double?> _lrConstant = new("--lr-constant") { Description = "Set eta = c / lambda_H(0), with c > 0 (c = 2 puts the first step at the stability threshold). Excludes --lr." };
    private readonly Option<double> _weightDecay = new("--weight-decay") { Description = "L2 weight decay gamma >= 0 (weights scaled by 1 - eta*gamma each step).", DefaultValueFactory = _ => 0.0 };
    private readonly Option<int> _steps = new("--steps") { Description = "Gradient-descent steps T >= 0 (T + 1 rows: steps 0..T).", DefaultValueFactory = _ => 200 };
    private readonly Option<double> _divergenceThreshold = new("--divergence-threshold") { Description = "Stop as diverged when |eta f / s| or eta*lambda exceeds this (scaled units).", DefaultValueFactory = _ => 1e6 };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Run folder for trajectory.csv and manifest.json (new or empty). Default: write nothing, print the summary only." };
    private readonly Option<bool> _json = new("--json") { Description = "Print one JSON object summarising the run instead of the human summary." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new UvSimulateCommand();
        var command = new Command("simulate", "Gradient descent of the UV model in parameter space, with the closed-form Hessian sharpness at every step.");
        definition._model.AddTo(command);
        foreach (Option option in new Option[] { definition._lr, definition._lrConstant, definition._weightDecay, definition._steps, definition._divergenceThreshold, definition._out, definition._json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        var (model, training, lrWasDefault) = BuildConfiguration(parse);
        DirectoryInfo? outDir = parse.GetValue(_out);
        string[] files = [TrajectoryFile, FigureFile];
        RunOutput? output = outDir is null ? null : RunOutput.Prepare(outDir, files);
        UvRunResult result = UvGradientDescent.Run(model, training);
        JsonObject configuration = ConfigurationJson(parse, model, training, result, lrWasDefault);
        JsonObject summary = SummaryJson(result);

        if (output is not null)
        {
            output.WriteCsv(TrajectoryFile, TrajectoryColumns, writer =>
            {
                foreach (var record in result.Records)
                {
                    writer.WriteRow(Row(record));
                }
            });
            output.WriteFigures(UvSimulateFigures.Render(SavedRun.Writing(output.Path, "uv simulate", configuration, summary)));
            output.Complete("uv simulate", context, configuration, model.Seed, started, summary, files);
        }

        if (parse.GetValue(_json))
        {
            var document = new JsonObject { ["configuration"] = configuration, ["results"] = summary, ["out"] = outDir?.FullName };
            context.Output.WriteLine(document.ToJsonString(JsonOutput.Options));
        }
        else
        {
            WriteHumanSummary(context.Output, model, result, outDir);
        }

        return ExitCodes.Success;
    }

    private (UvModelConfig Model, UvTrainingConfig Training, bool LrWasDefault) BuildConfiguration(ParseResult parse)
    {
        UvModelConfig model = _model.Build(parse);
        double weightDecay = OptionValues.NonNegative(parse.GetValue(_weightDecay), "--weight-decay");
        int steps = OptionValues.AtLeast(parse.GetValue(_steps), 0, "--steps");
        double threshold = OptionValues.Positive(parse.GetValue(_divergenceThreshold), "--divergence-threshold");
        double? lr = parse.GetValue(_lr);
        double? lrConstant = parse.GetValue(_lrConstant);
        if (lr is not null && lrConstant is not null)
        {
            throw new UsageException("--lr", "give either --lr or --lr-constant, not both.");
        }

        LearningRateSpec learningRate = lrConstant is double c
            ? LearningRateSpec.RelativeToInitialSharpness(OptionValues.Positive(c, "--lr-constant"))
            : LearningRateSpec.Absolute(OptionValues.Positive(lr ?? DefaultLearningRate, "--lr"));

        _model.CheckStart(parse, model, learningRate, lrConstant is null ? "--lr" : "--lr-constant");
        if (lrConstant is not null && !(InitialSharpness(model) > 0))
        {
            throw new UsageException("--lr-constant", "needs a positive initial sharpness lambda_H(0), but it is zero (all weights zero and f = y); use --lr.");
        }

        ResourceLimits.RequireMemory("--steps", $"{steps:N0} steps", UvCost.SimulationBytes(model.EffectiveWidth, model.InputDimension, steps), "the trajectory (one record per step)");
        var training = new UvTrainingConfig { LearningRate = learningRate, WeightDecay = weightDecay, Steps = steps, DivergenceThreshold = threshold };
        return (model, training, lr is null && lrConstant is null);
    }

    private static double InitialSharpness(UvModelConfig model)
    {
        var network = UvNetwork.Create(model);
        return UvSharpness.Hessian(new UvFunctionState(network.Output, network.Ntk), model.Target, network.Normaliser, network.Width);
    }

    private static double[] Row(UvStepRecord r) =>
        [r.Step, r.Loss, r.Output, r.Residual, r.Ntk, r.Sharpness, r.LrNtk, r.LrSharpness, r.Q];

    private JsonObject ConfigurationJson(ParseResult parse, UvModelConfig model, UvTrainingConfig training, UvRunResult result, bool lrWasDefault)
    {
        var configuration = _model.ToJson(parse, model);
        configuration["lr"] = result.LearningRate;
        configuration["lr_constant"] = training.LearningRate.IsRelativeToInitialSharpness ? training.LearningRate.Value : null;
        configuration["lr_source"] = training.LearningRate.IsRelativeToInitialSharpness ? "lr-constant" : lrWasDefault ? "default" : "lr";
        configuration["weight_decay"] = training.WeightDecay;
        configuration["steps"] = training.Steps;
        configuration["divergence_threshold"] = training.DivergenceThreshold;
        configuration["loss"] = "0.5*(f-y)^2";
        configuration["sharpness"] = "top eigenvalue of the Hessian of the data loss (closed form)";
        return configuration;
    }

    private static JsonObject SummaryJson(UvRunResult result)
    {
        var first = result.Records[0];
        var last = result.Records[^1];
        return new JsonObject
        {
            ["steps_completed"] = result.StepsCompleted,
            ["learning_rate"] = result.LearningRate,
            ["critical_learning_rate"] = JsonOutput.Number(UvSharpness.CriticalLearningRate(result.Target, result.Normaliser)),
            ["r"] = result.ScaledTarget,
            ["x0"] = first.LrNtk,
            ["g0"] = result.LearningRate * first.Output / result.Normaliser,
            ["initial"] = RecordJson(first),
            ["final"] = RecordJson(last),
            ["labels"] = new JsonArray(result.Regimes.Labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            ["ntk_labels"] = new JsonArray(result.Regimes.NtkLabels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            ["outcome"] = result.Regimes.Outcome.ToString().ToLowerInvariant(),
            ["period"] = result.Regimes.Period,
            ["lyapunov_exponent"] = JsonOutput.Number(result.Regimes.LyapunovExponent),
            ["diverged"] = result.Diverged,
            ["diverged_at_step"] = result.DivergedAtStep,
        };
    }

    private static JsonObject RecordJson(UvStepRecord r) => new()
    {
        ["step"] = r.Step,
        ["loss"] = JsonOutput.Number(r.Loss),
        ["f"] = JsonOutput.Number(r.Output),
        ["residual"] = JsonOutput.Number(r.Residual),
        ["ntk"] = JsonOutput.Number(r.Ntk),
        ["sharpness"] = JsonOutput.Number(r.Sharpness),
        ["lr_ntk"] = JsonOutput.Number(r.LrNtk),
        ["lr_sharpness"] = JsonOutput.Number(r.LrSharpness),
        ["q"] = JsonOutput.Number(r.Q),
    };

    private static void WriteHumanSummary(TextWriter output, UvModelConfig model, UvRunResult result, DirectoryInfo? outDir)
    {
        var first = result.Records[0];
        var last = result.Records[^1];
        string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
        output.WriteLine($"UV model: n = {result.Width}, d = {model.InputDimension}, {model.Parameterisation}, sigma_w^2 = {G(model.BaseVariance)}, s = S/|x| = {G(result.Normaliser)}, y = {G(result.Target)}");
        output.WriteLine($"eta = {G(result.LearningRate)}, r = eta/eta_c = {G(result.ScaledTarget)}, eta*lambda(0) = {G(first.LrNtk)}, eta*lambda_H(0) = {G(first.LrSharpness)}");
        output.WriteLine($"step {first.Step,6}: loss {G(first.Loss)}, f {G(first.Output)}, NTK lambda {G(first.Ntk)}, Hessian sharpness lambda_H {G(first.Sharpness)}");
        output.WriteLine($"step {last.Step,6}: loss {G(last.Loss)}, f {G(last.Output)}, NTK lambda {G(last.Ntk)}, Hessian sharpness lambda_H {G(last.Sharpness)} (2/eta = {G(2 / result.LearningRate)})");
        string labels = result.Regimes.Labels.Count == 0 ? "none" : string.Join(", ", result.Regimes.Labels);
        string ntkLabels = result.Regimes.NtkLabels.Count == 0 ? "none" : string.Join(", ", result.Regimes.NtkLabels);
        output.WriteLine($"regimes (lambda_H): {labels}; early trend of the NTK lambda: {ntkLabels}; outcome: {result.Regimes.Outcome.ToString().ToLowerInvariant()}" + (result.Diverged ? $" at step {result.DivergedAtStep}" : string.Empty));
        if (outDir is not null)
        {
            output.WriteLine($"wrote {TrajectoryFile}, {FigureFile} and {RunDirectory.ManifestFileName} in {outDir.FullName}");
        }
    }
}
