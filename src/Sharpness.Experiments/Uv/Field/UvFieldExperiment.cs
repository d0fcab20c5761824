using Sharpness.Experiments.Progress;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary><c>uv field</c> as a library call: the trajectories to overlay on the vector field of one GD step of the scaled map.</summary>
public static class UvFieldExperiment
{
    /// <summary>The command name a manifest records.</summary>
    public const string Command = "uv field";

    /// <summary>Iterates the trajectories.</summary>
    /// <param name="options">r, the window and the starts.</param>
    /// <param name="progress">Receives a final snapshot; null for none.</param>
    /// <param name="cancellationToken">Stops between trajectories with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="InvalidOptionException">An option is invalid (see <see cref="UvFieldOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static UvFieldResult Run(UvFieldOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = DateTimeOffset.UtcNow;
        var (hMin, hMax) = options.Window();
        var tracker = new ProgressTracker(progress, Command, options.Trajectories.Count, "trajectories");
        var trajectories = new List<IReadOnlyList<UvScaledState>>();
        foreach (var start in options.Trajectories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var states = new List<UvScaledState> { start };
            for (int t = 0; t < options.TrajectorySteps && Math.Abs(states[^1].G) < 1e6 && Math.Abs(states[^1].X) < 1e6; t++)
            {
                states.Add(UvScaledMap.Step(states[^1], options.R));
            }

            trajectories.Add(states);
            tracker.Advance();
        }

        tracker.Complete();
        return new UvFieldResult { Options = options, HMin = hMin, HMax = hMax, Trajectories = trajectories, StartedUtc = started };
    }
}
