using Sharpness.Experiments.Progress;

namespace Sharpness.Web.Training;

/// <summary>
/// Runs one training run of a job into its run folder, reporting the metrics columns, every row
/// (one per step, the columns of <c>metrics.csv</c>) and progress snapshots. The server's adapter
/// (<see cref="NetTrainAdapter"/>) drives the Nets library's trainer today; a library entry point for
/// <c>net train</c> can take its place behind this interface.
/// </summary>
public interface ITrainingRunner
{
    /// <summary>Trains one run; returns a short description of how it ended (stop reason).</summary>
    /// <param name="request">The job's settings.</param>
    /// <param name="learningRate">This run's η, or null for η = c/λ_H(0).</param>
    /// <param name="folder">The run folder (absolute; new).</param>
    /// <param name="task">The progress task path ("net train" or "net eos/eta=…").</param>
    /// <param name="columns">Receives the metrics columns once, before any row.</param>
    /// <param name="row">Receives each row as it is measured.</param>
    /// <param name="progress">Receives progress snapshots.</param>
    /// <param name="cancellationToken">Stops the run after the current step; the data so far are written.</param>
    string Run(
        TrainingRequest request,
        double? learningRate,
        string folder,
        string task,
        Action<IReadOnlyList<string>> columns,
        Action<double[]> row,
        IProgress<ExperimentProgress> progress,
        CancellationToken cancellationToken);
}
