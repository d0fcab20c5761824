using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Runs;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Cli.Commands;

/// <summary><c>sharpness uv simulate</c>: gradient descent of the UV model in parameter space with exact sharpness per step.</summary>
public static class UvSimulateCommand
{
    /// <summary>Default width when neither --width nor --init-file gives one.</summary>
    public const int DefaultWidth = 100;

    /// <summary>Default learning rate when neither --lr nor --lr-constant is given.</summary>
    public const double DefaultLearningRate = 0.5;

    /// <summary>File written with one row per step.</summary>
    public const string TrajectoryFile = "trajectory.csv";

    /// <summary>Columns of <see cref="TrajectoryFile"/>.</summary>
    public static readonly IReadOnlyList<string> TrajectoryColumns = ["step", "loss", "f", "residual", "ntk", "sharpness", "lr_ntk", "lr_sharpness", "q"];

    private static readonly Option<int?> Width = new("--width") { Description = $"Width n (hidden units), >= 1. Default {DefaultWidth}, or the init file's." };
    private static readonly Option<int?> InputDim = new("--input-dim") { Description = "Input dimension d, >= 1; x is the unit vector (1,...,1)/sqrt(d). Default 1, or the init file's." };
    private static readonly Option<string> Param = new("--param") { Description = "Parameterisation: ntp, mup, sp, or s=<value> with value in [0,1] (s=0 is NTP, s=1 is muP).", DefaultValueFactory = _ => "ntp" };
    private static readonly Option<double> InitScale = new("--init-scale") { Description = "Base variance sigma_w^2 > 0 of the initialisation.", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<double?> Normalizer = new("--normalizer") { Description = "Output normaliser S > 0 overriding the parameterisation's (f = v.Ux/S). Default: from --param." };
    private static readonly Option<double> Target = new("--target") { Description = "Target y.", DefaultValueFactory = _ => 1.0 };
    private static readonly Option<double?> Lr = new("--lr") { Description = $"Learning rate eta > 0. Default {DefaultLearningRate.ToString(CultureInfo.InvariantCulture)} unless --lr-constant is given." };
    private static readonly Option<double?> LrConstant = new("--lr-constant") { Description = "Set eta = c / lambda_H(0), with c > 0 (c = 2 puts the first step at the stability threshold). Excludes --lr." };
    private static readonly Option<double> WeightDecay = new("--weight-decay") { Description = "L2 weight decay gamma >= 0 (weights scaled by 1 - eta*gamma each step).", DefaultValueFactory = _ => 0.0 };
    private static readonly Option<int> Steps = new("--steps") { Description = "Gradient-descent steps T >= 0 (T + 1 rows: steps 0..T).", DefaultValueFactory = _ => 200 };
    private static readonly Option<ulong> Seed = new("--seed") { Description = "Seed of the initial weights.", DefaultValueFactory = _ => 0UL };
    private static readonly Option<FileInfo?> InitFile = new("--init-file") { Description = "JSON initial weights: {\"u\": [...], \"v\": [...]} for d = 1, or {\"U\": [[...]], \"v\": [...], \"x\": [...]}." };
    private static readonly Option<double> DivergenceThreshold = new("--divergence-threshold") { Description = "Stop as diverged when |eta f / s| or eta*lambda exceeds this (scaled units).", DefaultValueFactory = _ => 1e6 };
    private static readonly Option<DirectoryInfo?> Out = new("--out") { Description = "Run folder for trajectory.csv and manifest.json (new or empty). Default: write nothing, print the summary only." };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object summarising the run instead of the human summary." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var command = new Command("simulate", "Gradient descent of the UV model in parameter space, with the closed-form Hessian sharpness at every step.");
        foreach (Option option in new Option[] { Width, InputDim, Param, InitScale, Normalizer, Target, Lr, LrConstant, WeightDecay, Steps, Seed, InitFile, DivergenceThreshold, Out, Json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => Execute(parse, context));
        return command;
    }

    private static int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        var (model, training, lrWasDefault) = BuildConfiguration(parse);
        DirectoryInfo? outDir = parse.GetValue(Out);
        string[] files = [TrajectoryFile];
        if (outDir is not null && RunDirectory.CheckUsable(outDir.FullName, files) is { } problem)
        {
            throw new UsageException("--out", problem);
        }

        UvRunResult result = UvGradientDescent.Run(model, training);
        JsonObject configuration = ConfigurationJson(parse, model, training, result, lrWasDefault);
        JsonObject summary = SummaryJson(result);

        if (outDir is not null)
        {
            var run = RunDirectory.Create(outDir.FullName, files);
            run.WriteAtomic(TrajectoryFile, stream => CsvTable.Write(stream, TrajectoryColumns, result.Records.Select(Row)));
            run.WriteManifest(new RunManifest
            {
                Command = "uv simulate",
                Arguments = context.Arguments,
                Configuration = configuration,
                Seed = model.Seed,
                StartedUtc = started,
                FinishedUtc = DateTimeOffset.UtcNow,
                Results = summary,
                Files = files,
            });
        }

        if (parse.GetValue(Json))
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

    private static (UvModelConfig Model, UvTrainingConfig Training, bool LrWasDefault) BuildConfiguration(ParseResult parse)
    {
        int? width = parse.GetValue(Width);
        int? inputDim = parse.GetValue(InputDim);
        if (width is < 1)
        {
            throw new UsageException("--width", $"must be at least 1 (got {width}).");
        }

        if (inputDim is < 1)
        {
            throw new UsageException("--input-dim", $"must be at least 1 (got {inputDim}).");
        }

        string paramText = parse.GetValue(Param)!;
        if (!Parameterisation.TryParse(paramText, out var parameterisation))
        {
            throw new UsageException("--param", $"expected ntp, mup, sp or s=<value in [0,1]>, got '{paramText}'.");
        }

        double initScale = Positive(parse.GetValue(InitScale), "--init-scale");
        double? normaliser = parse.GetValue(Normalizer) is double sValue ? Positive(sValue, "--normalizer") : null;
        double target = Finite(parse.GetValue(Target), "--target");
        double weightDecay = Finite(parse.GetValue(WeightDecay), "--weight-decay");
        if (weightDecay < 0)
        {
            throw new UsageException("--weight-decay", $"must be non-negative (got {Text(weightDecay)}).");
        }

        int steps = parse.GetValue(Steps);
        if (steps < 0)
        {
            throw new UsageException("--steps", $"must be non-negative (got {steps}).");
        }

        double threshold = Positive(parse.GetValue(DivergenceThreshold), "--divergence-threshold");
        double? lr = parse.GetValue(Lr);
        double? lrConstant = parse.GetValue(LrConstant);
        if (lr is not null && lrConstant is not null)
        {
            throw new UsageException("--lr", "give either --lr or --lr-constant, not both.");
        }

        LearningRateSpec learningRate = lrConstant is double c
            ? LearningRateSpec.RelativeToInitialSharpness(Positive(c, "--lr-constant"))
            : LearningRateSpec.Absolute(Positive(lr ?? DefaultLearningRate, "--lr"));

        var model = new UvModelConfig
        {
            Width = width ?? DefaultWidth,
            Input = UnitInput(inputDim ?? 1),
            Target = target,
            Parameterisation = parameterisation!,
            BaseVariance = initScale,
            NormaliserOverride = normaliser,
            Seed = parse.GetValue(Seed),
        };

        if (parse.GetValue(InitFile) is { } file)
        {
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

            model = model with { Width = fileWidth, Input = contents.Input, InitialWeights = contents.Weights };
        }

        var training = new UvTrainingConfig { LearningRate = learningRate, WeightDecay = weightDecay, Steps = steps, DivergenceThreshold = threshold };
        if (lrConstant is not null)
        {
            double initialSharpness = InitialSharpness(model);
            if (!(initialSharpness > 0))
            {
                throw new UsageException("--lr-constant", "needs a positive initial sharpness lambda_H(0), but it is zero (all weights zero and f = y); use --lr.");
            }
        }

        return (model, training, lr is null && lrConstant is null);
    }

    private static double InitialSharpness(UvModelConfig model)
    {
        var network = UvNetwork.Create(model);
        return UvSharpness.Hessian(new UvFunctionState(network.Output, network.Ntk), model.Target, network.Normaliser, network.Width);
    }

    private static double[] UnitInput(int dimension)
    {
        var x = new double[dimension];
        Array.Fill(x, 1 / Math.Sqrt(dimension));
        return x;
    }

    private static double Positive(double value, string option)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new UsageException(option, $"must be a positive finite number (got {Text(value)}).");
        }

        return value;
    }

    private static double Finite(double value, string option)
    {
        if (!double.IsFinite(value))
        {
            throw new UsageException(option, $"must be a finite number (got {Text(value)}).");
        }

        return value;
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static IReadOnlyList<double> Row(UvStepRecord r) =>
        [r.Step, r.Loss, r.Output, r.Residual, r.Ntk, r.Sharpness, r.LrNtk, r.LrSharpness, r.Q];

    private static JsonObject ConfigurationJson(ParseResult parse, UvModelConfig model, UvTrainingConfig training, UvRunResult result, bool lrWasDefault) => new()
    {
        ["width"] = model.EffectiveWidth,
        ["input_dim"] = model.InputDimension,
        ["input"] = new JsonArray(model.Input.Select(v => JsonOutput.Number(v)).ToArray()),
        ["param"] = model.Parameterisation.ToString(),
        ["init_scale"] = model.BaseVariance,
        ["normalizer"] = model.Normaliser,
        ["normalizer_override"] = JsonOutput.Number(model.NormaliserOverride),
        ["effective_normalizer"] = result.Normaliser,
        ["target"] = model.Target,
        ["lr"] = result.LearningRate,
        ["lr_constant"] = training.LearningRate.IsRelativeToInitialSharpness ? training.LearningRate.Value : null,
        ["lr_source"] = training.LearningRate.IsRelativeToInitialSharpness ? "lr-constant" : lrWasDefault ? "default" : "lr",
        ["weight_decay"] = training.WeightDecay,
        ["steps"] = training.Steps,
        ["seed"] = model.Seed,
        ["init_file"] = parse.GetValue(InitFile)?.FullName,
        ["divergence_threshold"] = training.DivergenceThreshold,
        ["loss"] = "0.5*(f-y)^2",
        ["sharpness"] = "top eigenvalue of the Hessian of the data loss (closed form)",
    };

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
            output.WriteLine($"wrote {Path.Combine(outDir.FullName, TrajectoryFile)} and {RunDirectory.ManifestFileName}");
        }
    }
}
