using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Sharpness.Experiments.Jobs;
using Sharpness.Experiments.Progress;
using Sharpness.Nets.Data;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using Sharpness.Uv.Simulation;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Nets;

/// <summary>One prediction run: the initial state, the growth-wedge prediction and the observed early trend.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="Result">The training run.</param>
/// <param name="State">The initial output relative to the targets (null when step 0 was not measured).</param>
/// <param name="Prediction">The growth wedge's prediction (null when the state is not finite).</param>
/// <param name="Observed">The observed trend of λ_H(t)/λ_H(0).</param>
/// <param name="Steps">The measured steps.</param>
/// <param name="Sharpness">λ_H at those steps.</param>
/// <param name="Kernel">The residual kernel κ at those steps.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record NetPredictRun(
    NetPredictConfiguration Config,
    TrainingResult Result,
    InitialOutputState? State,
    GrowthWedgePrediction? Prediction,
    ObservedEarlyTrend Observed,
    IReadOnlyList<int> Steps,
    IReadOnlyList<double> Sharpness,
    IReadOnlyList<double> Kernel,
    double Seconds)
{
    /// <summary>Whether the predicted regime is the observed one.</summary>
    public bool Agrees => Prediction is not null && Prediction.Regime == Observed.Regime;
}

/// <summary>One oscillation run: the late periods and Lyapunov estimates of the loss and of λ_H.</summary>
/// <param name="RateName">The rate's name (a=3.5 or eta=0.1).</param>
/// <param name="Result">The training run.</param>
/// <param name="Sharpness">λ_H by step (every step of the late window, every few before).</param>
/// <param name="FirstLateStep">The window's first step.</param>
/// <param name="LossPeriod">The loss's period in the window (null when the run did not reach it).</param>
/// <param name="SharpnessPeriod">λ_H's period in the window.</param>
/// <param name="LossLyapunov">The loss's Lyapunov estimate.</param>
/// <param name="SharpnessLyapunov">λ_H's Lyapunov estimate.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record NetOscillationRun(
    string RateName,
    TrainingResult Result,
    IReadOnlyDictionary<int, double> Sharpness,
    int FirstLateStep,
    PeriodEstimate? LossPeriod,
    PeriodEstimate? SharpnessPeriod,
    LyapunovEstimate? LossLyapunov,
    LyapunovEstimate? SharpnessLyapunov,
    double Seconds)
{
    /// <summary>η.</summary>
    public double LearningRate => Result.LearningRate;

    /// <summary>The loss's label: period-p, transient, chaos, aperiodic or diverged.</summary>
    public string LossLabel => LateOscillation.Label(Result.Diverged, LossPeriod, LossLyapunov);

    /// <summary>λ_H's label.</summary>
    public string SharpnessLabel => LateOscillation.Label(Result.Diverged, SharpnessPeriod, SharpnessLyapunov);

    /// <summary>Arithmetic and geometric means of ηλ_H over the late window (for a UV 2-cycle the geometric mean is exactly 2).</summary>
    public (double Mean, double Geometric) LateScaledSharpness()
    {
        double[] late = Sharpness.Where(kv => kv.Key >= FirstLateStep && double.IsFinite(kv.Value) && kv.Value > 0).Select(kv => LearningRate * kv.Value).ToArray();
        return late.Length == 0 ? (double.NaN, double.NaN) : (late.Average(), Math.Exp(late.Average(Math.Log)));
    }
}

/// <summary>A finished <see cref="NetPredictExperiment"/> run.</summary>
/// <param name="Settings">The shared settings.</param>
/// <param name="TrendTolerance">The band that decided the observed trends.</param>
/// <param name="Plan">The oscillation runs' plan (null without them).</param>
/// <param name="Predictions">One per configuration, in order.</param>
/// <param name="Oscillations">One per learning rate, in order (empty without them).</param>
/// <param name="Configuration">The manifest's configuration.</param>
/// <param name="Results">The manifest's results.</param>
/// <param name="StartedUtc">When the run started.</param>
public sealed record NetPredictResult(
    NetworkSettings Settings,
    double TrendTolerance,
    NetOscillationPlan? Plan,
    IReadOnlyList<NetPredictRun> Predictions,
    IReadOnlyList<NetOscillationRun> Oscillations,
    JsonObject Configuration,
    JsonObject Results,
    DateTimeOffset StartedUtc)
{
    /// <summary>How many runs trained side by side, and why (the manifest's <c>execution</c>); null when not recorded.</summary>
    public JobPlan? Jobs { get; init; }

    /// <summary>Runs taken from the journal of an interrupted attempt instead of being trained.</summary>
    public int ResumedRuns { get; init; }

    /// <summary>The manifest's <c>execution</c>: the job plan and <c>resumed_runs</c>; null without a plan.</summary>
    public JsonObject? Execution()
    {
        if (Jobs is null)
        {
            return null;
        }

        var execution = Jobs.ToJson();
        execution["resumed_runs"] = ResumedRuns;
        return execution;
    }
}

/// <summary>
/// <c>net predict</c> as a library call: the UV model's predictions against real networks. Part 1 measures
/// the initial output relative to the targets for each parameterisation, width, init scale and zero readout,
/// predicts the early sharpness trend from the growth wedge and observes it; part 2 trains at large learning
/// rates and looks for period-2 oscillation, period doubling and chaos in the late loss and sharpness.
/// <see cref="NetPredictWriter"/> writes it as a run folder.
/// </summary>
public static class NetPredictExperiment
{
    /// <summary>The command, as manifests name it.</summary>
    public const string Command = "net predict";

    /// <summary>Trains every configuration and learning rate (nothing is written).</summary>
    /// <param name="options">What to run.</param>
    /// <param name="progress">
    /// Receives "runs" snapshots of task <c>net predict</c> (one unit per configuration and per learning rate)
    /// and each run's per-step snapshots (task <c>net predict/sp-w64-s2 (1/5)</c>, <c>net predict/oscillation a=3.5 (1/4)</c>); null for none.
    /// </param>
    /// <param name="cancellationToken">Stops at a step boundary.</param>
    /// <param name="journal">
    /// A journal file (<see cref="RunJournal"/>) that records every finished run (its steps, measurements and the values
    /// the experiment adds) as it finishes, so that a run stopped part-way (Ctrl-C, SIGKILL) and started again with the
    /// same options and journal trains only the runs it had not finished (<see cref="NetPredictResult.ResumedRuns"/>);
    /// null for none.
    /// </param>
    /// <returns>The predictions and oscillations.</returns>
    /// <exception cref="InvalidOptionException">An option is invalid.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static NetPredictResult Run(NetPredictOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default, string? journal = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (configs, plan) = options.Resolve();
        var started = DateTimeOffset.UtcNow;
        var settings = options.Network;
        using var scope = NewDisposeScope();
        using var splits = settings.LoadData();
        var (train, _) = settings.ExampleSets(splits);
        int measured = Math.Min(settings.Trainer.Tracking!.MeasurementExamples, train.Count);
        var measurementSet = new ExampleSet(train.Inputs.narrow(0, 0, measured), train.Targets.narrow(0, 0, measured));
        var outer = new ProgressTracker(progress, Command, configs.Count + (plan?.Rates.Count ?? 0), "runs");
        var configuration = NetPredictSummary.Configuration(settings, splits, configs, options.TrendTolerance, plan);

        // The journal is identified by the complete configuration: another run's journal is started afresh.
        using var saved = new RunJournalFile(journal, configuration);
        var entries = saved.Entries;

        // Every prediction run and every oscillation run is independent: they run side by side (--jobs), the
        // prediction runs first, and are gathered by index.
        int runs = configs.Count + (plan?.Rates.Count ?? 0);
        var predictions = new NetPredictRun[configs.Count];
        var late = new NetOscillationRun[plan?.Rates.Count ?? 0];
        void Analyse(int k, TrainedRun run)
        {
            if (k < configs.Count)
            {
                predictions[k] = AnalysePrediction(configs[k], run, options.TrendTolerance);
            }
            else
            {
                late[k - configs.Count] = AnalyseOscillation(plan!, k - configs.Count, run);
            }
        }

        var toDo = new List<int>();
        for (int k = 0; k < runs; k++)
        {
            var trainer = k < configs.Count ? configs[k].Apply(settings).Trainer : OscillationTrainer(plan!, k - configs.Count, settings);
            if (entries.TryGetValue(k, out var entry) && TrainedRun.Read(entry, trainer) is { } earlier)
            {
                Analyse(k, earlier);
                outer.Advance();
            }
            else
            {
                toDo.Add(k);
            }
        }

        int resumed = runs - toDo.Count;
        if (resumed > 0)
        {
            outer.Announce(FormattableString.Invariant($"{resumed} of {runs} runs resumed from an interrupted attempt"));
        }

        // Every prediction run and every oscillation run is independent: they run side by side (--jobs), the
        // prediction runs first, and are gathered by index.
        var jobs = NetJobs.Plan(options.Jobs, [.. configs.Select(c => c.Apply(settings)), .. plan is null ? [] : new[] { plan.Model.Apply(settings) }], toDo.Count);
        IReadOnlyList<JobRunState> states;
        try
        {
            states = new JobScheduler(jobs).Run(
                toDo.Count,
                (j, slot, token) =>
                {
                    token.ThrowIfCancellationRequested();
                    int k = toDo[j];
                    var runProgress = slot.Progress(progress, Command);
                    TrainedRun run;
                    if (k < configs.Count)
                    {
                        string task = $"{configs[k].Name} ({k + 1}/{configs.Count})";
                        run = TrainPrediction(configs[k], settings, splits, measurementSet, runProgress, token, task);
                    }
                    else
                    {
                        int i = k - configs.Count;
                        string task = $"oscillation {plan!.RateNames[i]} ({i + 1}/{plan.Rates.Count})";
                        run = TrainOscillation(plan, i, settings, splits, train, runProgress, token, task);
                    }

                    Analyse(k, run);
                    saved.Append(k, run.Write());
                },
                cancellationToken,
                finishedInOrder: (_, state) =>
                {
                    if (state == JobRunState.Completed)
                    {
                        outer.Advance();
                    }
                });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An error repeats when run again: the journal this attempt began is not kept.
            saved.DiscardIfCreated();
            throw;
        }

        if (states.Any(s => s != JobRunState.Completed))
        {
            throw new OperationCanceledException(cancellationToken);
        }

        var results = NetPredictSummary.Results(predictions, late, plan);
        outer.Complete();
        return new NetPredictResult(settings, options.TrendTolerance, plan, predictions, late, configuration, results, started) { Jobs = jobs, ResumedRuns = resumed };
    }

    private static TrainedRun TrainPrediction(
        NetPredictConfiguration config, NetworkSettings baseSettings, DatasetSplits splits, ExampleSet measurementSet,
        IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, string task)
    {
        var settings = config.Apply(baseSettings);
        var clock = Stopwatch.StartNew();
        var tracking = settings.Trainer.Tracking!;
        var kernels = new Dictionary<int, double>();
        var observer = new StepObserver((model, record) =>
        {
            if (record.Measurement is not null)
            {
                kernels[record.Step] = ResidualKernel.Measure(model, settings.Trainer.Loss, measurementSet.Inputs, measurementSet.Targets, tracking.HvpBatchSize, tracking.Precision);
            }
        });
        var result = NetTrainExperiment.Train(settings, splits, progress, cancellationToken, observer, task, keepCancelledRun: false).Training;
        clock.Stop();
        return new TrainedRun(result, kernels, clock.Elapsed.TotalSeconds);
    }

    private static NetPredictRun AnalysePrediction(NetPredictConfiguration config, TrainedRun run, double tolerance)
    {
        var (result, kernels, seconds) = run;
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

        var observed = sharpness.Length > 0 && double.IsFinite(sharpness[0]) && sharpness[0] > 0
            ? EarlyTrendClassifier.Classify(steps, sharpness, tolerance)
            : new ObservedEarlyTrend(EarlyRegime.Flat, null, EarlyRegime.Flat, null, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        return new NetPredictRun(config, result, state, prediction, observed, steps, sharpness, kernel, seconds);
    }

    // The trainer of oscillation run <index>: the plan's model at the rate, a fixed number of steps, no goals.
    private static TrainerConfig OscillationTrainer(NetOscillationPlan plan, int index, NetworkSettings baseSettings)
    {
        var settings = plan.Model.Apply(baseSettings);
        return settings.Trainer with
        {
            LearningRate = plan.Rates[index],
            MaxSteps = plan.Steps,
            TrainAccuracyGoal = null,
            LossGoal = null,
            Tracking = settings.Trainer.Tracking! with { Interval = plan.Every },
        };
    }

    private static TrainedRun TrainOscillation(
        NetOscillationPlan plan, int index, NetworkSettings baseSettings, DatasetSplits splits, ExampleSet train,
        IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, string task)
    {
        var settings = plan.Model.Apply(baseSettings);
        var trainer = OscillationTrainer(plan, index, baseSettings);
        var tracking = trainer.Tracking!;
        var clock = Stopwatch.StartNew();
        using var lateTracker = new SharpnessTracker(trainer.Loss, train, tracking with { Interval = 1 });
        int firstLate = plan.Steps - plan.Window + 1;
        var sharpness = new Dictionary<int, double>();
        var observer = new StepObserver((model, record) =>
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

        // No test set: the oscillation runs look at the training loss only.
        var result = NetTrainExperiment.Train(settings with { Trainer = trainer, TestSize = 0 }, splits, progress, cancellationToken, observer, task, keepCancelledRun: false).Training;
        clock.Stop();
        return new TrainedRun(result, sharpness, clock.Elapsed.TotalSeconds);
    }

    private static NetOscillationRun AnalyseOscillation(NetOscillationPlan plan, int index, TrainedRun run)
    {
        var (result, sharpness, seconds) = run;
        int firstLate = plan.Steps - plan.Window + 1;
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

        return new NetOscillationRun(plan.RateNames[index], result, sharpness, firstLate, lossPeriod, sharpnessPeriod, lossLyapunov, sharpnessLyapunov, seconds);
    }

    /// <summary>
    /// A trained run before its analysis: the training, the values the experiment measured besides it (the residual
    /// kernel of a prediction run, λ_H of an oscillation run, by step) and its wall time. What the journal keeps.
    /// </summary>
    private sealed record TrainedRun(TrainingResult Result, Dictionary<int, double> Values, double Seconds)
    {
        // Every double is written so that it reads back to the same bits (NaN and infinities by name); the loss and
        // the trainer's configuration are not written but given back from the options, which the journal matches.
        private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

        /// <summary>The run as one journal value: its JSON in base64, which holds no comma or line break.</summary>
        public string Write() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(
            new Saved([.. Result.Records], [.. Result.Measurements], Result.LearningRate, Result.InitialSharpness, Result.Diverged, Result.DivergedAtStep, Result.StopReason, Values, Seconds), Json));

        /// <summary>A journal value read back, with the trainer the run used; null when it cannot be read (the run is then trained again).</summary>
        public static TrainedRun? Read(string value, TrainerConfig trainer)
        {
            try
            {
                var saved = JsonSerializer.Deserialize<Saved>(Convert.FromBase64String(value), Json);
                if (saved is null || saved.Records.Count == 0)
                {
                    return null;
                }

                var result = new TrainingResult
                {
                    Records = saved.Records,
                    Measurements = saved.Measurements,
                    LearningRate = saved.LearningRate,
                    InitialSharpness = saved.InitialSharpness,
                    Diverged = saved.Diverged,
                    DivergedAtStep = saved.DivergedAtStep,
                    StopReason = saved.StopReason,
                    Loss = trainer.Loss,
                    Config = trainer,
                };
                return new TrainedRun(result, saved.Values, saved.Seconds);
            }
            catch (Exception e) when (e is FormatException or JsonException or NotSupportedException)
            {
                return null;
            }
        }

        private sealed record Saved(
            List<TrainingStepRecord> Records,
            List<SharpnessMeasurement> Measurements,
            double LearningRate,
            double InitialSharpness,
            bool Diverged,
            int? DivergedAtStep,
            TrainingStopReason StopReason,
            Dictionary<int, double> Values,
            double Seconds);
    }

    /// <summary>Hands every step, with the model, to a callback (the measurements a prediction or oscillation run adds).</summary>
    private sealed class StepObserver(Action<NetworkModule, TrainingStepRecord> onStep) : INetTrainObserver
    {
        private NetworkModule? _model;

        public void OnStart(NetworkModule model, NetworkSettings settings) => _model = model;

        public void OnStep(TrainingStepRecord record) => onStep(_model!, record);

        public void OnFinished(NetworkModule model, TrainingResult result, JsonObject data)
        {
        }
    }
}
