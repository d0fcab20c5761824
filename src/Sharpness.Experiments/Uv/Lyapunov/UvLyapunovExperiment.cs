using Sharpness.Core.Dynamics;
using Sharpness.Experiments.Progress;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// <c>uv lyapunov</c> as a library call: the Lyapunov spectrum (QR of tangent-map products), period
/// and label of the late dynamics of the scaled map, each r on its own core.
/// </summary>
public static class UvLyapunovExperiment
{
    /// <summary>The command name a manifest records.</summary>
    public const string Command = "uv lyapunov";

    /// <summary>Classifies the late dynamics at every r.</summary>
    /// <param name="options">One r or a sweep.</param>
    /// <param name="progress">Receives "values" snapshots; null for none.</param>
    /// <param name="cancellationToken">Stops between values with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="InvalidOptionException">An option is invalid (see <see cref="UvLyapunovOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static UvLyapunovResult Run(UvLyapunovOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = DateTimeOffset.UtcNow;
        double[] grid = options.Grid();
        IIteratedMap map = options.Manifold ? new UvManifoldMap() : new UvScaledIteratedMap();
        double[] start = options.Manifold ? [options.G0] : [options.G0, options.X0];
        var classes = new LongRunClass[grid.Length];
        var tracker = new ProgressTracker(progress, Command, grid.Length, "values");
        Parallel.For(0, grid.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            classes[i] = LongRunClassifier.Classify(map, grid[i], start, options.Transient, options.Steps);
            tracker.Advance();
        });
        tracker.Complete();
        return new UvLyapunovResult { Options = options, Grid = grid, Classes = classes, StartedUtc = started };
    }
}
