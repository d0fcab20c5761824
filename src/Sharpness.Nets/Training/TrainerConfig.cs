using Sharpness.Nets.Hessian;
using Sharpness.Uv.Simulation;

namespace Sharpness.Nets.Training;

/// <summary>
/// Settings of a training run (<see cref="Trainer.Run"/>): optimiser, learning rate and its warm-up,
/// heavy-ball momentum, loss convention, stop conditions and sharpness tracking. Every property has
/// a default; <see cref="Validate"/> checks them.
/// </summary>
/// <remarks>
/// <para>
/// Steps are counted from 0. Step t computes the loss and gradient at the parameters θ_t, records
/// them, and (unless the run stops there) updates
/// <c>m_{t+1} = β m_t + g_t</c>, <c>θ_{t+1} = θ_t − η_t m_{t+1}</c> with m_0 = 0 (heavy ball in the
/// form PyTorch's SGD uses, no dampening; β = 0 is plain gradient descent θ_{t+1} = θ_t − η_t g_t).
/// On a quadratic with curvature λ this is stable exactly when η λ &lt; 2 + 2β, hence the threshold
/// (2 + 2β)/η that <see cref="SharpnessMeasurement.Threshold"/> reports.
/// </para>
/// <para>
/// The gradient g_t is that of the mean loss L = (1/B) Σ ℓ_i over the step's B examples (all N for
/// gradient descent, the mini-batch for SGD), the same normalisation as
/// <see cref="AutogradHessianOperator"/>, so its sharpness and η_t are on the same scale.
/// </para>
/// </remarks>
public sealed record TrainerConfig
{
    /// <summary>Default <see cref="DivergenceThreshold"/>: a loss above 1e5 counts as divergence.</summary>
    public const double DefaultDivergenceThreshold = 1e5;

    /// <summary>Full-batch gradient descent (default) or SGD.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.GradientDescent;

    /// <summary>
    /// SGD mini-batch size B ≥ 1 (examples per step; capped at N). Ignored by full-batch gradient
    /// descent. Default 512 (Kalra &amp; Barkeshli).
    /// </summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>
    /// Examples per forward/backward pass, ≥ 1: a step's gradient is accumulated over consecutive
    /// slices of this many examples, each contributing its summed loss divided by the step's example
    /// count, so the value changes memory use and rounding only, never the gradient. Also used for
    /// loss and accuracy evaluation. Default 1000.
    /// </summary>
    public int PhysicalBatchSize { get; init; } = 1000;

    /// <summary>
    /// The peak learning rate η: absolute, or η = c / λ_H(0) with λ_H(0) the top Hessian eigenvalue at
    /// initialisation, measured with Lanczos on the measurement set (see <see cref="Tracking"/>).
    /// Default η = 0.01.
    /// </summary>
    public LearningRateSpec LearningRate { get; init; } = LearningRateSpec.Absolute(0.01);

    /// <summary>
    /// Linear warm-up length W ≥ 0 in steps: η_t = η (t + 1)/W for t &lt; W, η afterwards (so step 0
    /// already moves, and step W − 1 uses the full rate). 0 (default) is a constant rate.
    /// </summary>
    public int WarmupSteps { get; init; }

    /// <summary>Heavy-ball momentum β in [0, 1). Default 0 (plain gradient descent).</summary>
    public double Momentum { get; init; }

    /// <summary>
    /// Per-example loss and its convention (it rescales the sharpness): MSE summed over classes
    /// (Cohen et al., default), MSE averaged over classes (Kalra &amp; Barkeshli) or cross-entropy.
    /// </summary>
    public LossFunction Loss { get; init; } = LossFunction.HalfSquaredError;

    /// <summary>Step budget T ≥ 0: at most T updates, so at most T + 1 records (steps 0..T). Default 1000.</summary>
    public int MaxSteps { get; init; } = 1000;

    /// <summary>
    /// Stop as soon as a step's training accuracy (fraction in [0, 1]) is at least this, e.g. 0.99:
    /// the whole training set's for gradient descent, the step's mini-batch's for SGD
    /// (<see cref="TrainingStepRecord.Accuracy"/>). Null (default): no accuracy goal. Needs a
    /// classification output (k ≥ 2 outputs).
    /// </summary>
    public double? TrainAccuracyGoal { get; init; }

    /// <summary>
    /// Stop as soon as a step's training loss (<see cref="TrainingStepRecord.Loss"/>: the whole set's for
    /// gradient descent, the mini-batch's for SGD) is at most this. Null (default): no loss goal.
    /// </summary>
    public double? LossGoal { get; init; }

    /// <summary>
    /// A step whose loss is not finite or exceeds this is labelled diverged and ends the run
    /// (no exception). Default <see cref="DefaultDivergenceThreshold"/> (1e5).
    /// </summary>
    public double DivergenceThreshold { get; init; } = DefaultDivergenceThreshold;

    /// <summary>Seed of the SGD sampler (<see cref="ShuffledBatchSampler"/>). Default 0. The weights' seed belongs to the model.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// LibTorch intra-op thread count, set process-wide (and left so) at the start of a run. Default 1:
    /// single-threaded CPU kernels reduce in a fixed order, so the same model, data and settings give a
    /// bit-identical run. Null leaves the setting alone; a fixed larger count is reproducible in
    /// practice on the same machine but not guaranteed. (TorchSharp 0.107 does not implement
    /// <c>use_deterministic_algorithms</c>; the CPU kernels used here need no such switch.)
    /// </summary>
    public int? Threads { get; init; } = 1;

    /// <summary>
    /// Sharpness tracking: when set, <see cref="SharpnessTracker"/> measures every
    /// <see cref="SharpnessTrackerOptions.Interval"/> steps. Null (default): no tracking; with
    /// η = c/λ_H(0) the initial sharpness is then measured once with default tracker options.
    /// </summary>
    public SharpnessTrackerOptions? Tracking { get; init; }

    /// <summary>The learning rate η_t of step t: η (t + 1)/W during the warm-up (t &lt; W), η afterwards.</summary>
    /// <param name="step">Step index t ≥ 0.</param>
    /// <param name="peakLearningRate">The resolved peak rate η.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public double LearningRateAt(int step, double peakLearningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return step < WarmupSteps ? peakLearningRate * (step + 1) / WarmupSteps : peakLearningRate;
    }

    /// <summary>Checks every setting and throws on the first problem, naming the property.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentNullException"><see cref="LearningRate"/> or <see cref="Loss"/> is null.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Optimizer))
        {
            throw new ArgumentOutOfRangeException(nameof(Optimizer), Optimizer, "Unknown optimiser.");
        }

        ArgumentNullException.ThrowIfNull(LearningRate, nameof(LearningRate));
        ArgumentNullException.ThrowIfNull(Loss, nameof(Loss));
        ThrowIfBelow(BatchSize, 1, nameof(BatchSize));
        ThrowIfBelow(PhysicalBatchSize, 1, nameof(PhysicalBatchSize));
        ThrowIfBelow(WarmupSteps, 0, nameof(WarmupSteps));
        ThrowIfBelow(MaxSteps, 0, nameof(MaxSteps));
        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "The momentum β must lie in [0, 1).");
        }

        if (TrainAccuracyGoal is double accuracy && !(accuracy >= 0 && accuracy <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TrainAccuracyGoal), accuracy, "The accuracy goal is a fraction in [0, 1].");
        }

        if (LossGoal is double lossGoal && !double.IsFinite(lossGoal))
        {
            throw new ArgumentOutOfRangeException(nameof(LossGoal), lossGoal, "The loss goal must be finite.");
        }

        if (!(DivergenceThreshold > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(DivergenceThreshold), DivergenceThreshold, "The divergence threshold must be positive.");
        }

        if (Threads is int threads && threads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), threads, "The thread count must be at least 1.");
        }

        Tracking?.Validate();
    }

    private static void ThrowIfBelow(int value, int minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {minimum}.");
        }
    }
}
