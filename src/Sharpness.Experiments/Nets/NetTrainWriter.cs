using System.Text.Json.Nodes;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Runs;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using Sharpness.Runs.Logging;
using Sharpness.Runs.Safety;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// Writes a <see cref="NetTrainExperiment"/> run as a run folder while it trains: metrics.csv grows row
/// by row as <c>metrics.csv.partial</c> (flushed after every step, readable by another process, such as
/// <c>sharpness serve --runs</c> following the run) and is renamed when the run ends; the planned
/// checkpoints are saved at their steps; then the figures (sharpness.png, lr_sharpness.png/.svg, drawn
/// from metrics.csv) and manifest.json, last. A run that is cancelled or fails leaves no partial file:
/// only the checkpoints already saved stay (resumable state), and the folder is released.
/// </summary>
public sealed class NetTrainWriter : INetTrainObserver, IDisposable
{
    /// <summary>The per-step table.</summary>
    public const string MetricsFile = "metrics.csv";

    /// <summary>The figure files.</summary>
    public static IReadOnlyList<string> FigureFiles { get; } = ["sharpness.png", "lr_sharpness.png", "lr_sharpness.svg"];

    private readonly RunFolder _folder;
    private readonly bool _ownsFolder;
    private readonly CheckpointPlan _plan;
    private readonly string? _tensorBoardFolder;
    private readonly List<string> _checkpointFiles = [];
    private TensorBoardWriter? _tensorBoard;
    private CheckpointWriter? _checkpoints;
    private FileStream? _stream;
    private CsvTableWriter? _csv;
    private double[] _row = [];
    private int _topK;
    private bool _torchScript;
    private TorchScriptSource? _scriptSource;

    /// <summary>Creates the writer of a run.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="plan">The checkpoints to save (default none).</param>
    /// <param name="tensorBoard">A folder for TensorBoard event files, outside the run folder; null for none.</param>
    /// <param name="ownsFolder">
    /// Whether disposing the writer releases the folder (default); false for an experiment that writes more files
    /// into the folder after the training (net fit-uv) and completes it itself.
    /// </param>
    public NetTrainWriter(RunFolder folder, CheckpointPlan? plan = null, string? tensorBoard = null, bool ownsFolder = true)
    {
        ArgumentNullException.ThrowIfNull(folder);
        _folder = folder;
        _ownsFolder = ownsFolder;
        _plan = plan ?? CheckpointPlan.None;
        _tensorBoardFolder = tensorBoard;
    }

    /// <summary>Runs of this size still to write, this one included, for the disk check before training (net eos: the learning rates to come); default 1.</summary>
    public int RunsToCome { get; init; } = 1;

    /// <summary>The columns of metrics.csv for <paramref name="topK"/> measured eigenvalues.</summary>
    /// <param name="topK">Eigenvalues per measurement (the second and later get columns eigenvalue2, ...).</param>
    public static IReadOnlyList<string> Columns(int topK) =>
    [
        "step", "loss", "accuracy", "lr", "sharpness", "threshold", "residual", "matvecs", "converged", "lr_sharpness", "f_norm", "f_dot_y", "y_norm", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
        .. Enumerable.Range(2, Math.Max(0, topK - 1)).Select(k => $"eigenvalue{k}"),
    ];

    /// <summary>The files a run writes besides the manifest, in the manifest's order of kinds.</summary>
    /// <param name="settings">The run's settings.</param>
    /// <param name="plan">Its checkpoints.</param>
    public static IReadOnlyList<string> Files(NetworkSettings settings, CheckpointPlan plan)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(plan);
        // A TorchScript module is saved as its own state_dict and model.pt, not by the built-in models' writer.
        return [MetricsFile, .. FigureFiles, .. settings.TorchScript is not null ? (plan.Final ? TorchScriptSource.CheckpointFiles : []) : plan.Files];
    }

    /// <summary>
    /// Checks the checkpoint plan and the TensorBoard folder against the settings, then claims the run
    /// folder (<see cref="RunFolder.Prepare"/>), before anything is trained.
    /// </summary>
    /// <param name="path">The run folder (new, empty, or left by an interrupted attempt at the same run).</param>
    /// <param name="settings">The run's settings.</param>
    /// <param name="plan">Its checkpoints.</param>
    /// <param name="tensorBoard">The TensorBoard folder, or null.</param>
    /// <exception cref="InvalidOptionException">Steps to save with a TorchScript module (<c>--checkpoint-steps</c>), a TensorBoard folder inside the run folder (<c>--tensorboard</c>), or an unusable run folder (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path, NetworkSettings settings, CheckpointPlan plan, string? tensorBoard = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(plan);
        if (settings.TorchScript is not null && plan.Steps.Count > 0)
        {
            throw new InvalidOptionException("--checkpoint-steps", "a TorchScript module is saved at the end of the run only (--checkpoint or --checkpoint-steps final).");
        }

        if (tensorBoard is not null && RunDirectory.CheckOutside(Path.GetFullPath(tensorBoard), Path.GetFullPath(path), "--out") is { } problem)
        {
            throw new InvalidOptionException("--tensorboard", problem);
        }

        return RunFolder.Prepare(path, Files(settings, plan));
    }

    /// <summary>Trains and writes the whole run folder (see the class remarks); returns the result and the files written besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="settings">The run's settings.</param>
    /// <param name="plan">Its checkpoints.</param>
    /// <param name="tensorBoard">The TensorBoard folder, or null.</param>
    /// <param name="progress">Progress after every step (see <see cref="NetTrainExperiment.Run(NetworkSettings, IProgress{ExperimentProgress}?, CancellationToken, INetTrainObserver?, string, bool)"/>).</param>
    /// <param name="cancellationToken">Stops at a step boundary; no partial file is left.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    /// <param name="task">The task path of the snapshots.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static (NetTrainResult Result, IReadOnlyList<string> Files) Run(
        RunFolder folder,
        NetworkSettings settings,
        CheckpointPlan? plan = null,
        string? tensorBoard = null,
        IProgress<ExperimentProgress>? progress = null,
        CancellationToken cancellationToken = default,
        IReadOnlyList<string>? arguments = null,
        string task = NetTrainExperiment.Command)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var started = DateTimeOffset.UtcNow;
        using var writer = new NetTrainWriter(folder, plan, tensorBoard);
        var result = NetTrainExperiment.Run(settings, progress, cancellationToken, writer, task);
        return (result, writer.Complete(result, started, arguments));
    }

    /// <inheritdoc/>
    public void OnStart(NetworkModule model, NetworkSettings settings)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);

        // Checkpoints and metrics larger than the free space are refused before the first step (exit code 3).
        _plan.RequireDisk(_folder.Path, model, settings.Trainer, settings.TopK, RunsToCome);
        _scriptSource = settings.TorchScript;
        _torchScript = _scriptSource is not null;
        _topK = settings.TopK;
        _checkpoints = new CheckpointWriter(_folder, model, _torchScript ? CheckpointPlan.None : _plan);
        _tensorBoard = _tensorBoardFolder is null ? null : new TensorBoardWriter(_tensorBoardFolder);
        var columns = Columns(_topK);
        _row = new double[columns.Count];
        _stream = SafeFile.CreateTemporary(_folder.Path, MetricsFile);
        _csv = new CsvTableWriter(_stream, columns);
        _csv.Flush();
    }

    /// <inheritdoc/>
    public void OnStep(TrainingStepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (_csv is null)
        {
            throw new InvalidOperationException("OnStart was not called.");
        }

        Fill(_row, record, record.PeakLearningRate, _topK);
        _csv.WriteRow(_row);
        _csv.Flush();
        _checkpoints!.OnStep(record);
        if (_tensorBoard is { } logs)
        {
            logs.AddScalar("loss", record.Step, record.Loss);
            logs.AddScalar("accuracy", record.Step, record.Accuracy);
            if (record.Measurement is { } m)
            {
                logs.AddScalar("sharpness", record.Step, m.Sharpness);
                logs.AddScalar("threshold", record.Step, m.Threshold);
            }
        }
    }

    /// <inheritdoc/>
    public void OnFinished(NetworkModule model, TrainingResult result, JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (_csv is null || _stream is null)
        {
            throw new InvalidOperationException("OnStart was not called.");
        }

        _csv.Dispose();
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _stream = null;
        _csv = null;
        SafeFile.Commit(_folder.Path, MetricsFile);
        _checkpointFiles.AddRange(_torchScript
            ? _plan.Final ? _scriptSource!.WriteCheckpoint(_folder, (TorchScriptNetwork)model) : []
            : _checkpoints!.Finish(result, data));
    }

    /// <summary>Draws the figures from metrics.csv and writes the manifest, which marks the run complete; returns the files written besides the manifest.</summary>
    /// <param name="result">The finished run.</param>
    /// <param name="started">When the run started.</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a run from code).</param>
    public IReadOnlyList<string> Complete(NetTrainResult result, DateTimeOffset started, IReadOnlyList<string>? arguments = null) => Complete(result, started, arguments, checkpointsFirst: false);

    /// <summary>As <see cref="Complete(NetTrainResult, DateTimeOffset, IReadOnlyList{string}?)"/>; <paramref name="checkpointsFirst"/> lists the checkpoints before the figures (as net eos's runs do).</summary>
    internal IReadOnlyList<string> Complete(NetTrainResult result, DateTimeOffset started, IReadOnlyList<string>? arguments, bool checkpointsFirst)
    {
        ArgumentNullException.ThrowIfNull(result);
        var written = new List<string> { MetricsFile };
        if (checkpointsFirst)
        {
            written.AddRange(_checkpointFiles);
        }

        written.AddRange(_folder.WriteFigures(NetTrainFigures.Render(SavedRun.Writing(_folder.Path, NetTrainExperiment.Command, result.Configuration, result.Results))));
        if (!checkpointsFirst)
        {
            written.AddRange(_checkpointFiles);
        }

        _folder.Complete(new RunRecord(NetTrainExperiment.Command, arguments ?? [], result.Configuration, result.Settings.Seed, started, result.Results), written);
        return written;
    }

    /// <summary>Closes the TensorBoard file; a run that did not finish loses its partial metrics.csv; the folder is released when the writer owns it.</summary>
    public void Dispose()
    {
        _tensorBoard?.Dispose();
        _tensorBoard = null;
        if (_stream is not null)
        {
            _stream.Dispose();
            _stream = null;
            SafeFile.TryDelete(SafeFile.TemporaryPath(_folder.Path, MetricsFile));
        }

        if (_ownsFolder)
        {
            _folder.Dispose();
        }
    }

    /// <summary>Writes metrics.csv of a finished run at once (for experiments that keep their runs' records).</summary>
    /// <param name="folder">The run folder.</param>
    /// <param name="result">The run.</param>
    /// <param name="topK">Eigenvalues per measurement.</param>
    public static void WriteMetrics(RunFolder folder, TrainingResult result, int topK)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        var columns = Columns(topK);
        folder.WriteCsv(MetricsFile, columns, writer =>
        {
            var row = new double[columns.Count];
            foreach (var record in result.Records)
            {
                Fill(row, record, result.LearningRate, topK);
                writer.WriteRow(row);
            }
        });
    }

    /// <summary>Step <paramref name="record"/>'s row of metrics.csv (see <see cref="Columns"/>).</summary>
    /// <param name="record">A record made by the trainer.</param>
    /// <param name="topK">Eigenvalues per measurement.</param>
    public static double[] Row(TrainingStepRecord record, int topK)
    {
        ArgumentNullException.ThrowIfNull(record);
        var row = new double[Columns(topK).Count];
        Fill(row, record, record.PeakLearningRate, topK);
        return row;
    }

    /// <summary>One row of metrics.csv: the sharpness columns where measured, NaN elsewhere; ηλ_H with the peak η.</summary>
    private static void Fill(double[] row, TrainingStepRecord r, double peakLearningRate, int topK)
    {
        var m = r.Measurement;
        row[0] = r.Step;
        row[1] = r.Loss;
        row[2] = r.Accuracy;
        row[3] = r.LearningRate;
        row[4] = r.Sharpness;
        row[5] = r.Threshold;
        row[6] = r.Residual;
        row[7] = r.Matvecs ?? double.NaN;
        row[8] = r.Converged is bool converged ? (converged ? 1 : 0) : double.NaN;
        row[9] = m is null ? double.NaN : peakLearningRate * m.Sharpness;
        row[10] = m?.OutputNorm ?? double.NaN;
        row[11] = m?.OutputTargetInnerProduct ?? double.NaN;
        row[12] = m?.TargetNorm ?? double.NaN;
        row[13] = m?.TrainLoss ?? double.NaN;
        row[14] = m?.TrainAccuracy ?? double.NaN;
        row[15] = m?.TestLoss ?? double.NaN;
        row[16] = m?.TestAccuracy ?? double.NaN;
        for (int k = 1; k < topK; k++)
        {
            row[16 + k] = m is not null && k < m.Eigenvalues.Count ? m.Eigenvalues[k] : double.NaN;
        }
    }
}
