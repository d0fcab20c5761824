using Sharpness.Experiments.Progress;
using Sharpness.Runs.Sweeps;

namespace Sharpness.Experiments.Sweeps;

/// <summary>
/// Runs the points of a sweep for <see cref="SweepRunner"/>: it knows the commands a specification
/// may name and how a point's settings become a run. The command line implements it with its own
/// parser (every command can be swept); code that sweeps one experiment can implement it directly.
/// </summary>
public interface ISweepPointRunner
{
    /// <summary>Checks that <paramref name="command"/> can be swept (it exists and writes a run folder).</summary>
    /// <param name="command">The specification's command, for example "uv simulate".</param>
    /// <exception cref="InvalidOptionException">It cannot (option <c>spec</c>).</exception>
    void CheckCommand(string command);

    /// <summary>Checks a point's settings against the command before anything runs.</summary>
    /// <param name="command">The command.</param>
    /// <param name="point">The point and its run folder.</param>
    /// <exception cref="InvalidOptionException">A setting does not fit (option <c>spec</c>, naming the point).</exception>
    void CheckPoint(string command, SweepPlannedPoint point);

    /// <summary>Runs a point into its folder (which holds no complete run).</summary>
    /// <param name="command">The command.</param>
    /// <param name="point">The point and its run folder.</param>
    /// <param name="progress">The progress of the point's run, or null.</param>
    /// <param name="cancellationToken">Stops the run at a step boundary with <see cref="OperationCanceledException"/>, leaving the folder incomplete.</param>
    /// <returns>Null when the folder now holds a complete run; otherwise a one-line reason for the failure.</returns>
    string? Run(string command, SweepPlannedPoint point, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken);
}
