using Sharpness.Nets.Training;

namespace Sharpness.Nets.Experiments;

/// <summary>Settings of <see cref="EarlyPhaseExperiment.Run"/>: the grid, the search, the training and the measurements.</summary>
public sealed record EarlyPhaseOptions
{
    /// <summary>The grid of c = η λ_H(0).</summary>
    public required LearningRateConstantGrid Grid { get; init; }

    /// <summary>Number T ≥ 1 of early steps: the loss and sharpness are compared with their initial values at steps 1..T. Default 10.</summary>
    public int Steps { get; init; } = 10;

    /// <summary>How the critical constants are searched. Default <see cref="GridSearchMode.Bisect"/>.</summary>
    public GridSearchMode Search { get; init; } = GridSearchMode.Bisect;

    /// <summary>
    /// Training settings of every probe: optimiser (full-batch GD or SGD), batch sizes, loss, momentum,
    /// warm-up, divergence threshold, sampler seed, threads. The learning rate, step budget, goals and tracking
    /// are set per probe. Default: full-batch GD with MSE averaged over classes (Kalra &amp; Barkeshli).
    /// </summary>
    public TrainerConfig Trainer { get; init; } = new() { Loss = Hessian.LossFunction.HalfMeanSquaredError };

    /// <summary>
    /// How λ_H(0), λ_NTK(0) and the sharpness during probes are measured: measurement set size, precision,
    /// batch size of the products, Lanczos tolerance and budget, start-vector seed. (Interval, Count and
    /// WarmStart are not used: every step of a sharpness probe is measured, warm-started from the previous one.)
    /// </summary>
    public SharpnessTrackerOptions Measurement { get; init; } = new();

    /// <summary>
    /// During sharpness probes, a measurement may conclude λ_H(t) ≤ λ_H(0) as soon as the top Ritz value plus its
    /// residual is below λ_H(0), once Lanczos has made at least this many products (default 8); null: only a converged
    /// measurement (residual tolerance) decides. A Ritz value above λ_H(0) always ends a measurement at once (it is a
    /// lower bound of λ_H).
    /// </summary>
    public int? DecideBelowAfter { get; init; } = 8;

    /// <summary>Whether to search c_sharp (the expensive part). Default true.</summary>
    public bool MeasureSharpness { get; init; } = true;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentNullException">A required setting is null.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Grid, nameof(Grid));
        ArgumentNullException.ThrowIfNull(Trainer, nameof(Trainer));
        ArgumentNullException.ThrowIfNull(Measurement, nameof(Measurement));
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
        if (DecideBelowAfter is int after)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(after, 1, nameof(DecideBelowAfter));
        }

        if (!Enum.IsDefined(Search))
        {
            throw new ArgumentOutOfRangeException(nameof(Search), Search, "Unknown search mode.");
        }

        Trainer.Validate();
        Measurement.Validate();
    }
}
