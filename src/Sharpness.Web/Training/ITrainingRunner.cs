using Sharpness.Experiments.Progress;

namespace Sharpness.Web.Training;

/// <summary>
/// Runs one training run of a job into its run folder, reporting the metrics columns, every row
/// (one per step, the columns of <c>metrics.csv</c>) and progress snapshots. The server's adapter
/// (<see cref="NetTrainAdapter"/>) calls the library entry points of <c>net train</c> and <c>net eos</c>.
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

    /// <summary>
    /// Trains every learning rate of an eos job as <c>net eos</c> does (one sub-folder each, then eos.csv, summary.md,
    /// the figure and the manifest in <paramref name="folder"/>); returns how it ended, or null when this runner
    /// trains eos jobs one learning rate at a time through <see cref="Run"/> (the default).
    /// </summary>
    /// <param name="request">The job's settings (kind eos).</param>
    /// <param name="folder">The job's folder (absolute; new).</param>
    /// <param name="run">The job's run path under the runs folder, which names the sub-runs in events.</param>
    /// <param name="started">Receives each sub-run's path and η as it starts.</param>
    /// <param name="columns">Receives a sub-run's path and metrics columns once, before its rows.</param>
    /// <param name="row">Receives a sub-run's path and each row as it is measured.</param>
    /// <param name="progress">Receives progress snapshots.</param>
    /// <param name="cancellationToken">Stops at a step boundary; the learning rates already trained stay complete.</param>
    string? RunEos(
        TrainingRequest request,
        string folder,
        string run,
        Action<string, double> started,
        Action<string, IReadOnlyList<string>> columns,
        Action<string, double[]> row,
        IProgress<ExperimentProgress> progress,
        CancellationToken cancellationToken) => null;
}
