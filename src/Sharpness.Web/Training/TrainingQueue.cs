using System.Globalization;
using Sharpness.Experiments.Progress;
using Sharpness.Web.Api;
using Sharpness.Web.Security;

namespace Sharpness.Web.Training;

/// <summary>
/// The training jobs of one server: one runs at a time, the others wait in order (at most
/// <see cref="ExplorerLimits.MaxQueuedJobs"/>); any can be cancelled. Each job writes its run folder
/// under <c>live/</c> in the runs folder, so the runs view lists it like any other run.
/// </summary>
public sealed class TrainingQueue : IDisposable
{
    /// <summary>Folder, inside the runs folder, of the runs started from the page.</summary>
    public const string LiveFolder = "live";

    private const int FinishedKept = 50;

    // Ended jobs whose rows stay in memory for a page that opens them (a row is ~17 numbers a step).
    private const int RowsKept = 4;

    private readonly object _gate = new();
    private readonly List<TrainingJob> _jobs = [];
    private readonly Queue<TrainingJob> _waiting = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly RunPaths _paths;
    private readonly ITrainingRunner _runner;
    private readonly ExplorerLimits _limits;
    private readonly Action<string>? _log;
    private readonly Task _worker;
    private int _nextId = 1;

    /// <summary>Creates the queue and its worker.</summary>
    /// <param name="paths">The runs folder.</param>
    /// <param name="runner">What trains a run.</param>
    /// <param name="limits">Bounds.</param>
    /// <param name="log">Where failures are reported, or null.</param>
    public TrainingQueue(RunPaths paths, ITrainingRunner runner, ExplorerLimits limits, Action<string>? log = null)
    {
        _paths = paths ?? throw new ArgumentNullException(nameof(paths));
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
        _log = log;
        _worker = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The jobs, newest first (finished ones are forgotten after the latest 50).</summary>
    public IReadOnlyList<TrainingJob> Jobs
    {
        get
        {
            lock (_gate)
            {
                return _jobs.AsEnumerable().Reverse().ToList();
            }
        }
    }

    /// <summary>A job by number, or 404.</summary>
    /// <param name="id">Job number.</param>
    public TrainingJob Get(int id)
    {
        lock (_gate)
        {
            return _jobs.FirstOrDefault(j => j.Id == id) ?? throw ApiException.NotFound($"no job {id}.");
        }
    }

    /// <summary>Queues a job; refuses (429) when the queue is full and (409) when its run folder exists.</summary>
    /// <param name="request">What to train.</param>
    public TrainingJob Submit(TrainingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_gate)
        {
            if (_waiting.Count >= _limits.MaxQueuedJobs)
            {
                throw new ApiException(429, $"the queue is full ({_limits.MaxQueuedJobs} jobs waiting); cancel one or wait.");
            }

            string name = request.Name ?? DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + $"-{request.Kind}-{_nextId}";
            string run = LiveFolder + "/" + name;
            string folder = _paths.Resolve(run);
            if (Directory.Exists(folder) || File.Exists(folder) || _jobs.Any(j => j.Run == run && !j.IsOver))
            {
                throw new ApiException(409, $"name: the run folder '{run}' already exists; choose another name.");
            }

            var job = new TrainingJob(_nextId++, request, run);
            _jobs.Add(job);
            _waiting.Enqueue(job);
            var finished = _jobs.Where(j => j.IsOver).ToList();
            foreach (var old in finished.Take(Math.Max(0, finished.Count - FinishedKept)))
            {
                _jobs.Remove(old);
            }

            job.SetState(JobState.Queued);
            _signal.Release();
            return job;
        }
    }

    /// <summary>Cancels a job: a waiting one never starts, a running one stops after its current step (its data are kept).</summary>
    /// <param name="id">Job number.</param>
    public TrainingJob Cancel(int id)
    {
        var job = Get(id);
        job.Cancellation.Cancel();
        lock (_gate)
        {
            if (job.State == JobState.Queued)
            {
                job.SetState(JobState.Cancelled);
            }
        }

        return job;
    }

    /// <summary>Position of a queued job in the queue (1 = next), or 0.</summary>
    /// <param name="job">The job.</param>
    public int Position(TrainingJob job)
    {
        lock (_gate)
        {
            int index = _waiting.Where(j => j.State == JobState.Queued).ToList().IndexOf(job);
            return index + 1;
        }
    }

    /// <summary>Cancels every job and stops the worker.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var job in Jobs)
        {
            job.Cancellation.Cancel();
        }

        try
        {
            _worker.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
        }

        _signal.Dispose();
        _stopping.Dispose();
    }

    private void Work()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                _signal.Wait(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            TrainingJob job;
            lock (_gate)
            {
                if (!_waiting.TryDequeue(out job!) || job.State != JobState.Queued)
                {
                    continue;
                }

                job.SetState(JobState.Running);
            }

            Execute(job);
        }
    }

    private void Execute(TrainingJob job)
    {
        var request = job.Request;
        var token = job.Cancellation.Token;
        var progress = new Progress(job);
        try
        {
            var runs = request.Runs;
            string? outcome = request.Kind == "eos"
                ? _runner.RunEos(
                    request,
                    _paths.Resolve(job.Run),
                    job.Run,
                    (run, lr) => job.Append("run", new { run, learning_rate = lr }),
                    (run, columns) => job.Append("columns", new { run, columns }),
                    (run, values) => job.Append("row", new { run, values }),
                    progress,
                    token)
                : null;
            // A runner without an eos experiment trains each learning rate as its own run.
            foreach (double? lr in outcome is null ? runs : [])
            {
                if (token.IsCancellationRequested)
                {
                    break;
                }

                string run = request.Kind == "eos" ? $"{job.Run}/eta-{Format(lr!.Value)}" : job.Run;
                string task = request.Kind == "eos" ? $"net eos/eta={Format(lr!.Value)}" : "net train";
                job.Append("run", new { run, learning_rate = lr });
                outcome = _runner.Run(request, lr, _paths.Resolve(run), task, columns => job.Append("columns", new { run, columns }), row => job.Append("row", new { run, values = row }), progress, token);
            }

            job.SetState(token.IsCancellationRequested ? JobState.Cancelled : JobState.Finished, outcome: outcome);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log?.Invoke($"training job {job.Id} failed: {e.GetType().Name}: {e.Message}");
            job.SetState(JobState.Failed, $"{e.GetType().Name}: {e.Message}");
        }

        foreach (var old in Jobs.Where(j => j.IsOver).Skip(RowsKept))
        {
            old.ForgetRows();
        }
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private sealed class Progress(TrainingJob job) : IProgress<ExperimentProgress>
    {
        public void Report(ExperimentProgress value) => job.Append("progress", value);
    }
}
