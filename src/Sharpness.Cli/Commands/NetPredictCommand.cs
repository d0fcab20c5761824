using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Plots;
using Sharpness.Runs;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

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
    /// <summary>One row per configuration: initial state, prediction, observation, agreement.</summary>
    public const string PredictionsFile = "predictions.csv";

    /// <summary>One row per large learning rate: periods, Lyapunov estimates, labels.</summary>
    public const string OscillationFile = "oscillation.csv";

    /// <summary>The short Markdown summary.</summary>
    public const string SummaryFile = "summary.md";

    /// <summary>Long table of every prediction run's measurements.</summary>
    public const string PredictionTrajectoriesFile = "prediction_trajectories.csv";

    /// <summary>Long table of every oscillation run's steps.</summary>
    public const string OscillationTrajectoriesFile = "oscillation_trajectories.csv";

    private const int DefaultTrainSize = 1000;
    private const int DefaultSteps = 60;
    private const int DefaultSharpnessEvery = 2;
    private const double DefaultLrConstant = 1.0;

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
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for predictions.csv, oscillation.csv, summary.md, figures and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };

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
                     d._lateSharpnessEvery, d._maxPeriod, d._periodTolerance, d._noOscillation, d._out, d._json,
                 })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        var settings = ResolveSettings(parse);
        var configs = Configurations(parse, settings);
        double tolerance = parse.GetValue(_trendTolerance);
        if (!(tolerance > 0 && tolerance < 1))
        {
            throw new UsageException("--trend-tolerance", $"must lie in (0, 1) (got {OptionValues.Text(tolerance)}).");
        }

        var oscillation = parse.GetValue(_noOscillation) ? null : OscillationPlan(parse, settings);
        var files = new List<string> { PredictionsFile, PredictionTrajectoriesFile, SummaryFile, "prediction_sharpness.png", "prediction_sharpness.svg" };
        if (oscillation is not null)
        {
            files.AddRange([OscillationFile, OscillationTrajectoriesFile, "oscillation.png", "oscillation_late.png"]);
        }

        var output = RunOutput.Prepare(parse.GetValue(_out)!, files);
        using var scope = NewDisposeScope();
        var splits = settings.LoadData();
        var (train, test) = settings.ExampleSets(splits);
        int measured = Math.Min(settings.Trainer.Tracking!.MeasurementExamples, train.Count);
        var measurementSet = new ExampleSet(train.Inputs.narrow(0, 0, measured), train.Targets.narrow(0, 0, measured));

        var predictions = new List<PredictionRun>();
        for (int i = 0; i < configs.Count; i++)
        {
            predictions.Add(RunPrediction(configs[i], settings, splits.Train, train, test, measurementSet, tolerance, context, $"{configs[i].Name} ({i + 1}/{configs.Count})"));
        }

        var late = new List<OscillationRun>();
        if (oscillation is not null)
        {
            for (int i = 0; i < oscillation.Rates.Count; i++)
            {
                late.Add(RunOscillation(oscillation, i, settings, splits.Train, train, context, $"oscillation {oscillation.RateNames[i]} ({i + 1}/{oscillation.Rates.Count})"));
            }
        }

        var written = new List<string>();
        WritePredictions(output, predictions);
        WritePredictionTrajectories(output, predictions);
        written.AddRange([PredictionsFile, PredictionTrajectoriesFile]);
        if (oscillation is not null)
        {
            WriteOscillation(output, late);
            WriteOscillationTrajectories(output, late);
            written.AddRange([OscillationFile, OscillationTrajectoriesFile]);
        }

        var results = Results(predictions, late, oscillation);
        var configuration = Configuration(settings, splits, configs, tolerance, oscillation);
        written.AddRange(output.WriteFigures(NetPredictFigures.Render(SavedRun.Writing(output.Path, "net predict", configuration, results))));
        output.WriteText(SummaryFile, Summary(settings, predictions, late, oscillation, results, tolerance, context.Arguments));
        written.Add(SummaryFile);
        output.Complete("net predict", context, configuration, settings.Seed, started, results, written);

        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = configuration.DeepClone(), ["results"] = results.DeepClone(), ["out"] = output.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            foreach (var p in predictions)
            {
                context.Output.WriteLine(FormattableString.Invariant(
                    $"{p.Config.Name}: |f0|/|y| = {p.State?.NormRatio:G4}, <f0,y>/|y|^2 = {p.State?.Projection:G4}, eta*kappa0 = {p.State?.ScaledKernel:G4}; predicted {Label(p.Prediction?.Regime)}, observed {p.Observed.Regime.Label()}{(p.Agrees ? " (agree)" : string.Empty)}"));
            }

            var summary = (JsonObject)results["predictions"]!;
            context.Output.WriteLine($"agreement: {summary["agree"]}/{summary["configurations"]}");
            foreach (var run in late)
            {
                context.Output.WriteLine(FormattableString.Invariant(
                    $"eta = {run.LearningRate:G4} ({run.RateName}): loss {run.LossLabel}, sharpness {run.SharpnessLabel}"));
            }

            context.Output.WriteLine($"wrote {string.Join(", ", written)} and manifest.json in {output.Path}");
        }

        return ExitCodes.Success;
    }

    private NetworkSettings ResolveSettings(ParseResult parse)
    {
        var settings = _net.Resolve(parse);
        if (!LossSupported(settings.Trainer))
        {
            throw new UsageException("--loss", "net predict compares with the UV model, whose loss is the squared error: use mse-sum or mse-mean.");
        }

        if (settings.ModelKind != "fc")
        {
            throw new UsageException("--model", "net predict varies the parameterisation and the readout of fully connected networks: use --model fc.");
        }

        bool Given(Option option) => AnalysisOptions.IsGiven(parse, option);
        var trainer = settings.Trainer;
        if (settings.Preset is null)
        {
            if (!Given(_net.TrainSize))
            {
                settings = settings with { TrainSize = DefaultTrainSize };
            }

            if (!Given(_net.TestSize))
            {
                settings = settings with { TestSize = 0 };
            }

            if (!Given(_net.Steps))
            {
                trainer = trainer with { MaxSteps = DefaultSteps };
            }

            if (!Given(_net.Lr) && !Given(_net.LrConstant))
            {
                trainer = trainer with { LearningRate = LearningRateSpec.RelativeToInitialSharpness(DefaultLrConstant) };
                settings = settings with { LrConstant = DefaultLrConstant };
            }

            if (!Given(_net.SharpnessEvery) && trainer.Tracking is not null)
            {
                trainer = trainer with { Tracking = trainer.Tracking with { Interval = DefaultSharpnessEvery } };
            }
        }

        if (trainer.Tracking is null || trainer.Tracking.Interval == int.MaxValue)
        {
            throw new UsageException("--sharpness-every", "net predict needs the sharpness during the run: give k >= 1.");
        }

        if (trainer.MaxSteps < 1)
        {
            throw new UsageException("--steps", "the prediction runs need at least one step.");
        }

        return settings with { Trainer = trainer };
    }

    private static bool LossSupported(TrainerConfig trainer) => ResidualKernel.IsSquaredError(trainer.Loss);

    private List<PredictionConfig> Configurations(ParseResult parse, NetworkSettings settings)
    {
        var parameterisations = SplitNames(parse.GetValue(_params)!, "--params").Select(p => NetworkNames.ParseParameterisation(p, "--params")).Distinct().ToArray();
        int[] widths = NetworkNames.ParseIntList(parse.GetValue(_widths)!, 1, "--widths").Distinct().ToArray();
        double?[] scales = parse.GetValue(_initScales) is { } text
            ? NetworkNames.ParsePositiveList(text, "--init-scales").Distinct().Select(s => (double?)s).ToArray()
            : [null];
        Array.ForEach(widths, width => Array.ForEach(scales, scale => (settings with { Width = width, InitScale = scale ?? settings.InitScale }).CheckLimits("--widths", initScaleOption: "--init-scales")));
        settings.RequireFloat32("--init-scales", scales.Select(s => s ?? 1));
        string zeroText = parse.GetValue(_zeroReadout)!;
        var zero = zeroText.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)
            ? []
            : SplitNames(zeroText, "--zero-readout-params").Select(p => NetworkNames.ParseParameterisation(p, "--zero-readout-params")).Distinct().ToArray();
        if (settings.Initialisation == Initialisation.Torch)
        {
            var undefined = parameterisations.Concat(zero).Where(p => p is not (NetworkParameterisation.Sp or NetworkParameterisation.MuPOutput)).ToArray();
            if (undefined.Length > 0)
            {
                throw new UsageException("--init", $"torch (PyTorch's default for the standard parameterisation) is not defined for {undefined[0].Name()}: give --params sp,mup-out or --init normal.");
            }

            if (parse.GetValue(_initScales) is not null)
            {
                throw new UsageException("--init-scales", "set the variance of the normal initialisation; --init torch has fixed bounds 1/sqrt(fan_in).");
            }
        }

        var configs = new List<PredictionConfig>();
        foreach (bool zeroReadout in new[] { false, true })
        {
            foreach (var parameterisation in zeroReadout ? zero : parameterisations)
            {
                foreach (int width in widths)
                {
                    foreach (double? scale in scales)
                    {
                        double effective = scale ?? settings.Activation.StandardHiddenVariance();
                        string name = FormattableString.Invariant($"{parameterisation.Name()}-w{width}-s{effective:G4}{(zeroReadout ? "-zero" : string.Empty)}");
                        configs.Add(new PredictionConfig(name, parameterisation, width, scale, effective, zeroReadout));
                    }
                }
            }
        }

        return configs;
    }

    private static string[] SplitNames(string text, string option)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 0 ? parts : throw new UsageException(option, "expected a comma-separated list, got nothing.");
    }

    private Plan OscillationPlan(ParseResult parse, NetworkSettings settings)
    {
        bool factorsGiven = AnalysisOptions.IsGiven(parse, _lrFactors);
        bool ratesGiven = AnalysisOptions.IsGiven(parse, _lrs);
        if (factorsGiven && ratesGiven)
        {
            throw new UsageException("--lrs", "give either --lrs or --lr-factors, not both.");
        }

        int steps = OptionValues.AtLeast(parse.GetValue(_lateSteps), 3, "--late-steps");
        int window = OptionValues.AtLeast(parse.GetValue(_lateWindow), 6, "--late-window");
        if (window > steps + 1)
        {
            throw new UsageException("--late-window", $"must be at most --late-steps + 1 = {steps + 1} (got {window}).");
        }

        int every = OptionValues.AtLeast(parse.GetValue(_lateSharpnessEvery), 1, "--late-sharpness-every");
        int maxPeriod = OptionValues.AtLeast(parse.GetValue(_maxPeriod), 1, "--max-period");
        double periodTolerance = parse.GetValue(_periodTolerance);
        if (!(periodTolerance > 0 && periodTolerance < 1))
        {
            throw new UsageException("--period-tolerance", $"must lie in (0, 1) (got {OptionValues.Text(periodTolerance)}).");
        }

        List<LearningRateSpec> rates;
        List<string> names;
        if (ratesGiven)
        {
            double[] values = NetworkNames.ParsePositiveList(parse.GetValue(_lrs)!, "--lrs");
            settings.RequireFloat32("--lrs", values);
            rates = values.Select(LearningRateSpec.Absolute).ToList();
            names = values.Select(v => FormattableString.Invariant($"eta={v:G4}")).ToList();
        }
        else
        {
            double[] factors = NetworkNames.ParsePositiveList(parse.GetValue(_lrFactors) ?? "3.5,4,4.5,5", "--lr-factors");
            rates = factors.Select(a => LearningRateSpec.RelativeToInitialSharpness(2 * a)).ToList();
            names = factors.Select(a => FormattableString.Invariant($"a={a:G4}")).ToList();
        }

        // The first configuration of the prediction runs (never a zero-readout one).
        var model = Configurations(parse, settings)[0];
        return new Plan(model, rates, names, steps, window, every, maxPeriod, periodTolerance);
    }

    private static PredictionRun RunPrediction(PredictionConfig config, NetworkSettings baseSettings, Nets.Data.Dataset trainData, ExampleSet train, ExampleSet? test, ExampleSet measurementSet, double tolerance, CliContext context, string label)
    {
        var settings = Apply(baseSettings, config);
        var clock = Stopwatch.StartNew();
        using NetworkModule model = settings.BuildModel(trainData);
        var tracking = settings.Trainer.Tracking!;
        var kernels = new Dictionary<int, double>();
        var result = NetRun.Train(model, settings.Trainer, train, test, context, label, record =>
        {
            if (record.Measurement is not null)
            {
                kernels[record.Step] = ResidualKernel.Measure(model, settings.Trainer.Loss, measurementSet.Inputs, measurementSet.Targets, tracking.HvpBatchSize, tracking.Precision);
            }
        });
        clock.Stop();

        var measurements = result.Measurements;
        int[] steps = measurements.Select(m => m.Step).ToArray();
        double[] sharpness = measurements.Select(m => m.Sharpness).ToArray();
        double[] kernel = steps.Select(s => kernels.TryGetValue(s, out double k) ? k : double.NaN).ToArray();
        InitialOutputState? state = null;
        GrowthWedgePrediction? prediction = null;
        if (measurements.Count > 0 && measurements[0].Step == 0)
        {
            var m0 = measurements[0];
            state = new InitialOutputState
            {
                OutputNorm = m0.OutputNorm,
                TargetNorm = m0.TargetNorm,
                OutputTargetInnerProduct = m0.OutputTargetInnerProduct,
                LearningRate = result.LearningRate,
                ResidualKernel = kernel[0],
                InitialSharpness = m0.Sharpness,
            };
            if (double.IsFinite(state.ScaledKernel) && double.IsFinite(state.Projection) && double.IsFinite(state.NormRatio))
            {
                // Rounding can put |p| a hair above q for outputs parallel to the targets.
                prediction = GrowthWedge.Predict(state.Projection, Math.Max(state.NormRatio, Math.Abs(state.Projection)), state.ScaledKernel);
            }
        }

        var observed = Classify(steps, sharpness, tolerance);
        return new PredictionRun(config, result, state, prediction, observed, steps, sharpness, kernel, clock.Elapsed.TotalSeconds);
    }

    private static ObservedEarlyTrend Classify(int[] steps, double[] values, double tolerance) =>
        values.Length > 0 && double.IsFinite(values[0]) && values[0] > 0
            ? EarlyTrendClassifier.Classify(steps, values, tolerance)
            : new ObservedEarlyTrend(EarlyRegime.Flat, null, EarlyRegime.Flat, null, double.NaN, double.NaN, double.NaN, double.NaN, 0);

    private static OscillationRun RunOscillation(Plan plan, int index, NetworkSettings baseSettings, Nets.Data.Dataset trainData, ExampleSet train, CliContext context, string label)
    {
        var settings = Apply(baseSettings, plan.Model);
        var tracking = settings.Trainer.Tracking! with { Interval = plan.Every };
        var trainer = settings.Trainer with
        {
            LearningRate = plan.Rates[index],
            MaxSteps = plan.Steps,
            TrainAccuracyGoal = null,
            LossGoal = null,
            Tracking = tracking,
        };
        var clock = Stopwatch.StartNew();
        using NetworkModule model = settings.BuildModel(trainData);
        using var lateTracker = new SharpnessTracker(trainer.Loss, train, tracking with { Interval = 1 });
        int firstLate = plan.Steps - plan.Window + 1;
        var sharpness = new Dictionary<int, double>();
        var result = NetRun.Train(model, trainer, train, null, context, label, record =>
        {
            if (record.Measurement is { } m)
            {
                sharpness[record.Step] = m.Sharpness;
            }
            else if (record.Step >= firstLate && double.IsFinite(record.Loss) && record.Loss <= trainer.DivergenceThreshold)
            {
                sharpness[record.Step] = lateTracker.Measure(model, record.Step, record.LearningRate, trainer.Momentum).Sharpness;
            }
        });
        clock.Stop();

        string name = plan.RateNames[index];
        bool reachedWindow = !result.Diverged && result.Records[^1].Step == plan.Steps;
        PeriodEstimate? lossPeriod = null, sharpnessPeriod = null;
        LyapunovEstimate? lossLyapunov = null, sharpnessLyapunov = null;
        if (reachedWindow)
        {
            double[] loss = result.Records.Where(r => r.Step >= firstLate).Select(r => r.Loss).ToArray();
            double[] late = Enumerable.Range(firstLate, plan.Window).Select(s => sharpness.TryGetValue(s, out double v) ? v : double.NaN).ToArray();
            lossPeriod = OscillationPeriod.Detect(loss, plan.MaxPeriod, plan.PeriodTolerance);
            sharpnessPeriod = OscillationPeriod.Detect(late, plan.MaxPeriod, plan.PeriodTolerance);
            lossLyapunov = TimeSeriesLyapunov.Estimate(OscillationPeriod.Detrend(loss));
            sharpnessLyapunov = late.All(double.IsFinite) ? TimeSeriesLyapunov.Estimate(OscillationPeriod.Detrend(late)) : null;
        }

        return new OscillationRun(name, result, sharpness, firstLate, lossPeriod, sharpnessPeriod, lossLyapunov, sharpnessLyapunov, clock.Elapsed.TotalSeconds);
    }

    private static NetworkSettings Apply(NetworkSettings settings, PredictionConfig config) => settings with
    {
        Parameterisation = config.Parameterisation,
        Width = config.Width,
        InitScale = config.InitScale,
        ZeroReadout = config.ZeroReadout,
    };

    private static void WritePredictions(RunOutput output, IReadOnlyList<PredictionRun> runs)
    {
        string[] columns =
        [
            "config", "param", "width", "init_scale", "zero_readout", "lr", "lr_sharpness", "initial_sharpness", "residual_kernel", "lr_kernel",
            "f_norm", "y_norm", "f_dot_y", "norm_ratio", "projection", "margin", "predicted_regime", "observed_regime", "observed_at_step",
            "first_move", "first_move_step", "sharpness_min_ratio", "sharpness_max_ratio", "sharpness_final_ratio",
            "agree", "diverged", "steps",
        ];
        output.WriteCsv(PredictionsFile, columns, writer =>
        {
            foreach (var run in runs)
            {
                var s = run.State;
                var o = run.Observed;
                writer.WriteRow(
                [
                    run.Config.Name, run.Config.Parameterisation.Name(), Cell(run.Config.Width), Cell(run.Config.EffectiveInitScale),
                    run.Config.ZeroReadout ? "1" : "0", Cell(run.Result.LearningRate), Cell(s?.ScaledSharpness), Cell(s?.InitialSharpness), Cell(s?.ResidualKernel),
                    Cell(s?.ScaledKernel), Cell(s?.OutputNorm), Cell(s?.TargetNorm), Cell(s?.OutputTargetInnerProduct), Cell(s?.NormRatio), Cell(s?.Projection),
                    Cell(run.Prediction?.Margin), Label(run.Prediction?.Regime), o.Regime.Label(), Cell(o.DecidedAtStep), o.FirstMove.Label(), Cell(o.FirstMoveStep),
                    Cell(o.MinimumRatio), Cell(o.MaximumRatio), Cell(o.FinalRatio), run.Agrees ? "1" : "0",
                    run.Result.Diverged ? "1" : "0", Cell(run.Result.StepsCompleted),
                ]);
            }
        });
    }

    private static void WritePredictionTrajectories(RunOutput output, IReadOnlyList<PredictionRun> runs)
    {
        output.WriteCsv(PredictionTrajectoriesFile, ["config", "step", "loss", "sharpness", "lr_sharpness", "residual_kernel", "f_norm", "f_dot_y"], writer =>
        {
            foreach (var run in runs)
            {
                var byStep = run.Result.Measurements.ToDictionary(m => m.Step);
                for (int i = 0; i < run.Steps.Length; i++)
                {
                    var m = byStep[run.Steps[i]];
                    var record = run.Result.Records.First(r => r.Step == run.Steps[i]);
                    writer.WriteRow([run.Config.Name, Cell(run.Steps[i]), Cell(record.Loss), Cell(run.Sharpness[i]), Cell(run.Result.LearningRate * run.Sharpness[i]), Cell(run.Kernel[i]), Cell(m.OutputNorm), Cell(m.OutputTargetInnerProduct)]);
                }
            }
        });
    }

    private static void WriteOscillation(RunOutput output, IReadOnlyList<OscillationRun> runs)
    {
        string[] columns =
        [
            "rate", "lr", "lr_factor", "initial_sharpness", "diverged", "diverged_at_step", "final_loss",
            "loss_period", "loss_misfit1", "loss_misfit2", "loss_misfit4", "loss_alternation", "loss_relative_amplitude", "loss_amplitude_growth", "loss_lyapunov", "loss_pairs", "loss_label",
            "sharpness_period", "sharpness_misfit1", "sharpness_misfit2", "sharpness_misfit4", "sharpness_alternation", "sharpness_relative_amplitude", "sharpness_amplitude_growth", "sharpness_lyapunov", "sharpness_pairs", "sharpness_label",
            "late_lr_sharpness_mean", "late_lr_sharpness_geometric_mean",
        ];
        output.WriteCsv(OscillationFile, columns, writer =>
        {
            foreach (var run in runs)
            {
                var (mean, geometric) = run.LateScaledSharpness();
                writer.WriteRow(
                [
                    run.RateName, Cell(run.LearningRate), Cell(run.LearningRate * run.Result.InitialSharpness / 2), Cell(run.Result.InitialSharpness),
                    run.Result.Diverged ? "1" : "0", Cell(run.Result.DivergedAtStep), Cell(run.Result.Records[^1].Loss),
                    Cell(run.LossPeriod?.Period), Cell(Misfit(run.LossPeriod, 1)), Cell(Misfit(run.LossPeriod, 2)), Cell(Misfit(run.LossPeriod, 4)), Cell(run.LossPeriod?.AlternationFraction),
                    Cell(run.LossPeriod?.RelativeAmplitude), Cell(run.LossPeriod?.AmplitudeGrowth), Cell(run.LossLyapunov?.Exponent), Cell(run.LossLyapunov?.Pairs), run.LossLabel,
                    Cell(run.SharpnessPeriod?.Period), Cell(Misfit(run.SharpnessPeriod, 1)), Cell(Misfit(run.SharpnessPeriod, 2)), Cell(Misfit(run.SharpnessPeriod, 4)), Cell(run.SharpnessPeriod?.AlternationFraction),
                    Cell(run.SharpnessPeriod?.RelativeAmplitude), Cell(run.SharpnessPeriod?.AmplitudeGrowth), Cell(run.SharpnessLyapunov?.Exponent), Cell(run.SharpnessLyapunov?.Pairs), run.SharpnessLabel,
                    Cell(mean), Cell(geometric),
                ]);
            }
        });
    }

    private static void WriteOscillationTrajectories(RunOutput output, IReadOnlyList<OscillationRun> runs)
    {
        output.WriteCsv(OscillationTrajectoriesFile, ["rate", "step", "loss", "sharpness", "lr_sharpness"], writer =>
        {
            foreach (var run in runs)
            {
                foreach (var record in run.Result.Records)
                {
                    double h = run.Sharpness.TryGetValue(record.Step, out double v) ? v : double.NaN;
                    writer.WriteRow([run.RateName, Cell(record.Step), Cell(record.Loss), Cell(h), Cell(run.LearningRate * h)]);
                }
            }
        });
    }

    private static double? Misfit(PeriodEstimate? estimate, int period) =>
        estimate is not null && estimate.Misfits.Count >= period ? estimate.Misfits[period - 1] : null;

    private static JsonObject Results(IReadOnlyList<PredictionRun> predictions, IReadOnlyList<OscillationRun> late, Plan? plan)
    {
        int n = predictions.Count;
        int agree = predictions.Count(p => p.Agrees);
        var byParam = new JsonObject();
        foreach (var group in predictions.GroupBy(p => p.Config.ZeroReadout ? "zero-readout" : p.Config.Parameterisation.Name()))
        {
            byParam[group.Key] = new JsonObject { ["configurations"] = group.Count(), ["agree"] = group.Count(p => p.Agrees) };
        }

        var result = new JsonObject
        {
            ["predictions"] = new JsonObject
            {
                ["configurations"] = n,
                ["agree"] = agree,
                ["agreement_fraction"] = n == 0 ? null : JsonOutput.Number((double)agree / n),
                ["first_move_agree"] = predictions.Count(p => p.Prediction is not null && p.Prediction.Regime == p.Observed.FirstMove),
                ["predicted_reduction"] = predictions.Count(p => p.Prediction?.Regime == EarlyRegime.SharpnessReduction),
                ["predicted_sharpening"] = predictions.Count(p => p.Prediction?.Regime == EarlyRegime.ProgressiveSharpening),
                ["observed_reduction"] = predictions.Count(p => p.Observed.Regime == EarlyRegime.SharpnessReduction),
                ["observed_sharpening"] = predictions.Count(p => p.Observed.Regime == EarlyRegime.ProgressiveSharpening),
                ["observed_flat"] = predictions.Count(p => p.Observed.Regime == EarlyRegime.Flat),
                ["by_param"] = byParam,
                ["excluding_mup_abc"] = new JsonObject
                {
                    ["configurations"] = predictions.Count(p => p.Config.Parameterisation != NetworkParameterisation.MuPAbc),
                    ["agree"] = predictions.Count(p => p.Config.Parameterisation != NetworkParameterisation.MuPAbc && p.Agrees),
                },
                ["runs"] = new JsonArray(predictions.Select(p => (JsonNode?)new JsonObject
                {
                    ["config"] = p.Config.Name,
                    ["norm_ratio"] = JsonOutput.Number(p.State?.NormRatio),
                    ["projection"] = JsonOutput.Number(p.State?.Projection),
                    ["predicted"] = Label(p.Prediction?.Regime),
                    ["observed"] = p.Observed.Regime.Label(),
                    ["agree"] = p.Agrees,
                    ["seconds"] = p.Seconds,
                }).ToArray()),
                ["seconds"] = predictions.Sum(p => p.Seconds),
            },
        };
        if (plan is not null)
        {
            var runs = new JsonArray();
            foreach (var run in late)
            {
                runs.Add(new JsonObject
                {
                    ["rate"] = run.RateName,
                    ["lr"] = run.LearningRate,
                    ["diverged"] = run.Result.Diverged,
                    ["loss_period"] = run.LossPeriod?.Period,
                    ["sharpness_period"] = run.SharpnessPeriod?.Period,
                    ["loss_label"] = run.LossLabel,
                    ["sharpness_label"] = run.SharpnessLabel,
                    ["loss_amplitude"] = run.LossPeriod is null ? null : LateOscillation.AmplitudeTrend(run.LossPeriod),
                    ["sharpness_amplitude"] = run.SharpnessPeriod is null ? null : LateOscillation.AmplitudeTrend(run.SharpnessPeriod),
                    ["loss_lyapunov"] = JsonOutput.Number(run.LossLyapunov?.Exponent),
                    ["sharpness_lyapunov"] = JsonOutput.Number(run.SharpnessLyapunov?.Exponent),
                    ["seconds"] = run.Seconds,
                });
            }

            var lossChanges = LateOscillation.PeriodDoublings(late.Select(r => (r.LearningRate, r.LossPeriod?.Period)).ToArray());
            var sharpnessChanges = LateOscillation.PeriodDoublings(late.Select(r => (r.LearningRate, r.SharpnessPeriod?.Period)).ToArray());
            result["oscillation"] = new JsonObject
            {
                ["runs"] = runs,
                ["period_two_found"] = late.Any(r => r.LossPeriod?.Period == 2 || r.SharpnessPeriod?.Period == 2),
                ["period_two_steady"] = late.Any(r => IsSteadyPeriodTwo(r.LossPeriod) || IsSteadyPeriodTwo(r.SharpnessPeriod)),
                ["period_two_loss_and_sharpness"] = late.Any(r => r.LossPeriod?.Period == 2 && r.SharpnessPeriod?.Period == 2),
                ["period_doubling_found"] = lossChanges.Concat(sharpnessChanges).Any(c => c.FromPeriod >= 2),
                ["loss_doublings"] = Changes(lossChanges),
                ["sharpness_doublings"] = Changes(sharpnessChanges),
                ["chaos_found"] = late.Any(r => r.LossLabel == "chaos" || r.SharpnessLabel == "chaos"),
                ["seconds"] = late.Sum(r => r.Seconds),
            };
        }

        return result;
    }

    private static bool IsSteadyPeriodTwo(PeriodEstimate? estimate) => estimate is { Period: 2 } e && LateOscillation.AmplitudeTrend(e) == "steady";

    private static JsonArray Changes(IEnumerable<PeriodChange> changes) =>
        new(changes.Select(c => (JsonNode?)new JsonObject { ["from"] = c.FromPeriod, ["to"] = c.ToPeriod, ["from_lr"] = c.FromLearningRate, ["to_lr"] = c.ToLearningRate }).ToArray());

    private static JsonObject Configuration(NetworkSettings settings, Nets.Data.DatasetSplits splits, IReadOnlyList<PredictionConfig> configs, double tolerance, Plan? plan)
    {
        var configuration = settings.Configuration(splits, null);
        configuration.Remove("param");
        configuration.Remove("width");
        configuration.Remove("init_scale");
        configuration.Remove("zero_readout");
        configuration["configurations"] = new JsonArray(configs.Select(c => (JsonNode?)c.Name).ToArray());
        configuration["trend_tolerance"] = tolerance;
        configuration["prediction"] = "growth wedge of the UV model generalised to vector outputs: m = x(1 - 2p + q^2) - 4(q^2 - p) with p = <f0,y>/|y|^2, q = |f0|/|y|, x = eta*kappa0, kappa0 = |grad L|^2/(2L); m > 0 progressive sharpening, m < 0 sharpness reduction";
        configuration["observation"] = "dominant excursion of lambda_H(t)/lambda_H(0) over the run: fall = 1 - min, rise = max - 1; sharpness reduction if fall > trend_tolerance and fall > rise, progressive sharpening if rise > trend_tolerance and rise >= fall, flat otherwise";
        configuration["oscillation"] = null;
        if (plan is not null)
        {
            configuration["oscillation"] = new JsonObject
            {
                ["model"] = plan.Model.Name,
                ["rates"] = new JsonArray(plan.RateNames.Select(n => (JsonNode?)n).ToArray()),
                ["steps"] = plan.Steps,
                ["window"] = plan.Window,
                ["sharpness_every"] = plan.Every,
                ["max_period"] = plan.MaxPeriod,
                ["period_tolerance"] = plan.PeriodTolerance,
                ["lyapunov"] = $"Rosenstein nearest-neighbour divergence of the detrended window, embedding {TimeSeriesLyapunov.DefaultEmbeddingDimension}, horizon {TimeSeriesLyapunov.DefaultHorizon}",
            };
        }

        return configuration;
    }

    private static string Summary(NetworkSettings settings, IReadOnlyList<PredictionRun> predictions, IReadOnlyList<OscillationRun> late, Plan? plan, JsonObject results, double tolerance, IReadOnlyList<string> arguments)
    {
        string G(double? x) => x is double v && double.IsFinite(v) ? v.ToString("G4", CultureInfo.InvariantCulture) : "–";
        var text = new StringBuilder();
        text.AppendLine("# net predict: UV predictions against real networks");
        text.AppendLine();
        text.AppendLine($"Command: `sharpness {string.Join(' ', arguments)}`");
        text.AppendLine();
        text.AppendLine(FormattableString.Invariant(
            $"{settings.Dataset}, {settings.TrainSize} training examples, fc depth {settings.Depth}, {settings.Activation.ToString().ToLowerInvariant()}, loss {settings.Trainer.Loss.Name} ({settings.Trainer.Loss.Convention}), {settings.OptimizerName}, {settings.Trainer.MaxSteps} steps, sharpness every {settings.Trainer.Tracking!.Interval} steps."));
        text.AppendLine();
        text.AppendLine("## Early regime: predicted from the initial output, observed in λ_H");
        text.AppendLine();
        text.AppendLine("p = ⟨f₀,y⟩/‖y‖², q = ‖f₀‖/‖y‖, x = ηκ₀ (κ₀ = ‖∇L‖²/(2L)); margin m = x(1 − 2p + q²) − 4(q² − p): m > 0 predicts progressive sharpening, m < 0 sharpness reduction. "
            + FormattableString.Invariant($"Observed: the larger of the fall 1 − min λ_H(t)/λ_H(0) and the rise max λ_H(t)/λ_H(0) − 1 over the run, if it exceeds {tolerance:G3} (else flat); the first move out of the band 1 ± {tolerance:G3} is shown too."));
        text.AppendLine();
        text.AppendLine("| config | ηλ_H(0) | ηκ₀ | q | p | m | predicted | observed (step) | first move (step) | min, max λ_H/λ_H(0) | agree |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in predictions)
        {
            var s = p.State;
            text.AppendLine($"| {p.Config.Name} | {G(s?.ScaledSharpness)} | {G(s?.ScaledKernel)} | {G(s?.NormRatio)} | {G(s?.Projection)} | {G(p.Prediction?.Margin)} | {Label(p.Prediction?.Regime)} | {p.Observed.Regime.Label()} ({Step(p.Observed.DecidedAtStep)}) | {p.Observed.FirstMove.Label()} ({Step(p.Observed.FirstMoveStep)}) | {G(p.Observed.MinimumRatio)}, {G(p.Observed.MaximumRatio)} | {(p.Agrees ? "yes" : "no")} |");
        }

        var summary = (JsonObject)results["predictions"]!;
        text.AppendLine();
        text.AppendLine(FormattableString.Invariant(
            $"Agreement with the observed λ_H trend: {summary["agree"]}/{summary["configurations"]} (with the first move: {summary["first_move_agree"]}/{summary["configurations"]}); observed flat: {summary["observed_flat"]}."));
        text.AppendLine();
        text.AppendLine("By parameterisation (mup-out is Kalra & Barkeshli's μP, the standard network with its output divided by √width; mup-abc is Yang & Hu's abc form; zero-readout is SP with the readout at zero):");
        text.AppendLine();
        text.AppendLine("| parameterisation | agree |");
        text.AppendLine("|---|---|");
        foreach (var (name, group) in (JsonObject)summary["by_param"]!)
        {
            text.AppendLine($"| {name} | {group!["agree"]}/{group["configurations"]} |");
        }

        var withoutAbc = (JsonObject)summary["excluding_mup_abc"]!;
        text.AppendLine($"| all but mup-abc | {withoutAbc["agree"]}/{withoutAbc["configurations"]} |");
        if (plan is not null)
        {
            text.AppendLine();
            text.AppendLine($"## Late time at large η ({plan.Model.Name}, {plan.Steps} steps, last {plan.Window} analysed)");
            text.AppendLine();
            text.AppendLine("| rate | η | loss | λ_H | Lyapunov (loss) | Lyapunov (λ_H) | mean ηλ_H (late) | geometric mean ηλ_H |");
            text.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var run in late)
            {
                var (mean, geometric) = run.LateScaledSharpness();
                text.AppendLine($"| {run.RateName} | {G(run.LearningRate)} | {Describe(run.LossLabel, run.LossPeriod)} | {Describe(run.SharpnessLabel, run.SharpnessPeriod)} | {Lyapunov(run.LossPeriod, run.LossLyapunov)} | {Lyapunov(run.SharpnessPeriod, run.SharpnessLyapunov)} | {G(mean)} | {G(geometric)} |");
            }

            var o = (JsonObject)results["oscillation"]!;
            text.AppendLine();
            text.AppendLine("Labels: period-p (with the amplitude's trend over the window when it oscillates), transient, chaos, aperiodic or diverged; see docs/real-networks.md. For a 2-cycle of the UV model on its edge-of-stability manifold the geometric mean of ηλ is exactly 2.");
            text.AppendLine();
            text.AppendLine($"Period 2 found: {YesNo(o["period_two_found"])} (steady: {YesNo(o["period_two_steady"])}); period doubling (p → 2p with p ≥ 2) as η grows: {YesNo(o["period_doubling_found"])}; chaos: {YesNo(o["chaos_found"])}.");
        }

        return text.ToString();
    }

    private static string Describe(string label, PeriodEstimate? period) =>
        period is { Period: >= 2 } p ? $"{label}, {LateOscillation.AmplitudeTrend(p)}" : label;

    private static string Step(int? step) => step is int s ? s.ToString(CultureInfo.InvariantCulture) : "–";

    // A series that is smooth on the step scale (period 1) has no meaningful nearest-neighbour exponent.
    private static string Lyapunov(PeriodEstimate? period, LyapunovEstimate? estimate) =>
        period?.Period == 1 ? "(smooth)"
        : estimate is { } e && double.IsFinite(e.Exponent) ? e.Exponent.ToString("G3", CultureInfo.InvariantCulture) : "–";

    private static string YesNo(JsonNode? node) => node?.GetValue<bool>() == true ? "yes" : "not found";

    private static string Label(EarlyRegime? regime) => regime?.Label() ?? "none";

    private static string Cell(double? value) => value is double v ? CsvTable.Format(v) : "nan";

    private static string Cell(int? value) => value is int v ? v.ToString(CultureInfo.InvariantCulture) : "nan";

    private sealed record PredictionConfig(string Name, NetworkParameterisation Parameterisation, int Width, double? InitScale, double EffectiveInitScale, bool ZeroReadout);

    private sealed record PredictionRun(
        PredictionConfig Config,
        TrainingResult Result,
        InitialOutputState? State,
        GrowthWedgePrediction? Prediction,
        ObservedEarlyTrend Observed,
        int[] Steps,
        double[] Sharpness,
        double[] Kernel,
        double Seconds)
    {
        public bool Agrees => Prediction is not null && Prediction.Regime == Observed.Regime;
    }

    private sealed record Plan(PredictionConfig Model, List<LearningRateSpec> Rates, List<string> RateNames, int Steps, int Window, int Every, int MaxPeriod, double PeriodTolerance);

    private sealed record OscillationRun(
        string RateName,
        TrainingResult Result,
        Dictionary<int, double> Sharpness,
        int FirstLateStep,
        PeriodEstimate? LossPeriod,
        PeriodEstimate? SharpnessPeriod,
        LyapunovEstimate? LossLyapunov,
        LyapunovEstimate? SharpnessLyapunov,
        double Seconds)
    {
        public double LearningRate => Result.LearningRate;

        public string LossLabel => LateOscillation.Label(Result.Diverged, LossPeriod, LossLyapunov);

        public string SharpnessLabel => LateOscillation.Label(Result.Diverged, SharpnessPeriod, SharpnessLyapunov);

        /// <summary>Arithmetic and geometric means of ηλ_H over the late window (for a UV 2-cycle the geometric mean is exactly 2).</summary>
        public (double Mean, double Geometric) LateScaledSharpness()
        {
            double[] late = Sharpness.Where(kv => kv.Key >= FirstLateStep && double.IsFinite(kv.Value) && kv.Value > 0).Select(kv => LearningRate * kv.Value).ToArray();
            return late.Length == 0 ? (double.NaN, double.NaN) : (late.Average(), Math.Exp(late.Average(Math.Log)));
        }
    }
}
