using Sharpness.Experiments.Progress;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// <c>uv simulate</c> as a library call: gradient descent of the UV model f = vᵀUx/S in parameter
/// space, with the closed-form Hessian sharpness λ_H at every step and the regime labels of
/// docs/uv-model.md.
/// </summary>
/// <example>
/// <code>
/// var result = UvSimulateExperiment.Run(new UvSimulateOptions
/// {
///     Model = new UvModelOptions { Width = 1000, Param = Parameterisation.MuP },
///     LrConstant = 1.8,
///     Steps = 500,
/// });
/// Console.WriteLine(string.Join(", ", result.Run.Regimes.Labels));
/// </code>
/// </example>
public static class UvSimulateExperiment
{
    /// <summary>The command name a manifest records.</summary>
    public const string Command = "uv simulate";

    /// <summary>Runs the simulation.</summary>
    /// <param name="options">What to run.</param>
    /// <param name="progress">Receives "steps" snapshots with the current loss and λ_H; null for none.</param>
    /// <param name="cancellationToken">Stops the run at a step boundary with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The trajectory and its labels; a diverged run is a result (<see cref="UvRunResult.Diverged"/>), not an error.</returns>
    /// <exception cref="InvalidOptionException">An option is invalid (see <see cref="UvSimulateOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static UvSimulateResult Run(UvSimulateOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = DateTimeOffset.UtcNow;
        var (model, training) = options.Resolve();
        var tracker = new ProgressTracker(progress, Command, training.Steps);
        var run = UvGradientDescent.Run(model, training, cancellationToken, record =>
        {
            if (tracker.IsDue)
            {
                tracker.Report(record.Step, [new ProgressMetric("loss", record.Loss, record.Step), new ProgressMetric("sharpness", record.Sharpness, record.Step)]);
            }
        });
        cancellationToken.ThrowIfCancellationRequested();
        var last = run.Records[^1];
        tracker.Complete(run.Diverged ? $"diverged at step {run.DivergedAtStep}" : null, [new ProgressMetric("loss", last.Loss, last.Step), new ProgressMetric("sharpness", last.Sharpness, last.Step)]);
        return new UvSimulateResult { Options = options, Model = model, Training = training, Run = run, StartedUtc = started };
    }
}
