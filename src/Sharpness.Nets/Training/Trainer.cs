using Sharpness.Nets.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Training;

/// <summary>
/// Trains a <see cref="NetworkModule"/> with full-batch gradient descent or SGD, heavy-ball momentum and
/// a linear learning-rate warm-up (<see cref="TrainerConfig"/>), measuring the sharpness along the way
/// (<see cref="SharpnessTracker"/>). Independent of files and the console: progress goes to the
/// optional per-step callback.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> in place on <paramref name="train"/> until the step budget, a goal,
    /// divergence or cancellation ends the run.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Step t: (1) the mean loss, accuracy and gradient at θ_t (whole training set for gradient descent,
    /// mini-batch t for SGD), accumulated over physical batches; (2) divergence check (loss not finite or
    /// above <see cref="TrainerConfig.DivergenceThreshold"/>); (3) on measurement steps, a sharpness
    /// measurement at θ_t; (4) the record, passed to <paramref name="onStep"/>; (5) stop checks in the
    /// order divergence, accuracy goal, loss goal, step budget, cancellation; (6) the update with η_t.
    /// With η = c/λ_H(0), λ_H(0) is measured before step 0 (by the tracker when tracking is on, and that
    /// measurement is step 0's).
    /// </para>
    /// <para>
    /// Each step, and each physical batch within it, runs in its own dispose scope; the callback runs
    /// inside the step's scope while the model holds θ_t, so anything it keeps must be copied or detached.
    /// With <see cref="TrainerConfig.Threads"/> set (default 1) the same model, data and configuration
    /// give a bit-identical run.
    /// </para>
    /// </remarks>
    /// <param name="model">The network; its parameters are updated in place (type <see cref="NetworkModule.DType"/>).</param>
    /// <param name="config">Settings; validated here.</param>
    /// <param name="train">Training examples; copied once into the model's type in LibTorch's own memory (the caller's tensors are not modified).</param>
    /// <param name="test">Optional test set, evaluated at sharpness measurements.</param>
    /// <param name="onStep">Optional callback after every step's record (for progress or streaming); exceptions propagate.</param>
    /// <param name="cancellationToken">Stops the run after the current step's record (<see cref="TrainingStopReason.Cancelled"/>), without an exception.</param>
    /// <returns>The records, measurements and outcome.</returns>
    /// <exception cref="ArgumentException">The data do not fit the model or the loss, or an accuracy goal is set for a single-output model.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="InitialSharpnessException">η = c/λ_H(0) was asked for but λ_H(0) is not positive and finite (nothing was trained).</exception>
    public static TrainingResult Run(
        NetworkModule model,
        TrainerConfig config,
        ExampleSet train,
        ExampleSet? test = null,
        Action<TrainingStepRecord>? onStep = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        config.Validate();
        train.Validate(model, config.Loss, nameof(train));
        test?.Validate(model, config.Loss, nameof(test));
        if (config.TrainAccuracyGoal is not null && model.OutputDimension < 2)
        {
            throw new ArgumentException("An accuracy goal needs a classification output (at least 2 outputs).", nameof(config));
        }

        if (config.Threads is int threads)
        {
            NativeThreads.Set(threads);
        }

        using var tracker = config.Tracking is { } tracking ? new SharpnessTracker(config.Loss, train, tracking, test) : null;
        var (learningRate, initialSharpness, initialMeasurement) = ResolveLearningRate(model, config, train, tracker);

        using var stepper = new GradientStepper(model, config, train);
        var records = new List<TrainingStepRecord>();
        var measurements = new List<SharpnessMeasurement>();
        TrainingStopReason reason;
        for (int step = 0; ; step++)
        {
            using var stepScope = NewDisposeScope();
            bool last = step == config.MaxSteps;
            var (loss, accuracy, examples) = stepper.Evaluate(step, withGradient: !last);
            double rate = config.LearningRateAt(step, learningRate);
            bool diverged = !double.IsFinite(loss) || loss > config.DivergenceThreshold;
            SharpnessMeasurement? measurement = null;
            if (!diverged && tracker is not null && tracker.Options.IsDue(step))
            {
                measurement = step == 0 && initialMeasurement is not null
                    ? initialMeasurement
                    : tracker.Measure(model, step, rate, config.Momentum);
                measurements.Add(measurement);
            }

            var record = new TrainingStepRecord
            {
                Step = step,
                Loss = loss,
                Accuracy = accuracy,
                Examples = examples,
                LearningRate = rate,
                PeakLearningRate = learningRate,
                Measurement = measurement,
            };
            records.Add(record);
            onStep?.Invoke(record);

            if (diverged)
            {
                reason = TrainingStopReason.Diverged;
                break;
            }

            if (config.TrainAccuracyGoal is double accuracyGoal && accuracy >= accuracyGoal)
            {
                reason = TrainingStopReason.AccuracyGoal;
                break;
            }

            if (config.LossGoal is double lossGoal && loss <= lossGoal)
            {
                reason = TrainingStopReason.LossGoal;
                break;
            }

            if (last)
            {
                reason = TrainingStopReason.StepBudget;
                break;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                reason = TrainingStopReason.Cancelled;
                break;
            }

            stepper.Update(rate);
        }

        if (double.IsNaN(initialSharpness) && measurements.Count > 0 && measurements[0].Step == 0)
        {
            initialSharpness = measurements[0].Sharpness;
        }

        return new TrainingResult
        {
            Records = records,
            Measurements = measurements,
            LearningRate = learningRate,
            InitialSharpness = initialSharpness,
            Diverged = reason == TrainingStopReason.Diverged,
            DivergedAtStep = reason == TrainingStopReason.Diverged ? records[^1].Step : null,
            StopReason = reason,
            Loss = config.Loss,
            Config = config,
        };
    }

    /// <summary>The peak rate η, λ_H(0) when it was measured (else NaN), and the tracker's step-0 measurement when it served for λ_H(0).</summary>
    private static (double LearningRate, double InitialSharpness, SharpnessMeasurement? Initial) ResolveLearningRate(
        NetworkModule model, TrainerConfig config, ExampleSet train, SharpnessTracker? tracker)
    {
        if (!config.LearningRate.IsRelativeToInitialSharpness)
        {
            return (config.LearningRate.Value, double.NaN, null);
        }

        if (tracker is null)
        {
            using var probe = new SharpnessTracker(config.Loss, train);
            double sharpness = InitialSharpnessException.RequireUsable(probe.Measure(model, 0, double.NaN, config.Momentum).Sharpness);
            return (config.LearningRate.Resolve(sharpness), sharpness, null);
        }

        SharpnessMeasurement initial = tracker.Measure(model, 0, double.NaN, config.Momentum);
        InitialSharpnessException.RequireUsable(initial.Sharpness);
        double learningRate = config.LearningRate.Resolve(initial.Sharpness);
        return (learningRate, initial.Sharpness, initial with { LearningRate = config.LearningRateAt(0, learningRate) });
    }
}
