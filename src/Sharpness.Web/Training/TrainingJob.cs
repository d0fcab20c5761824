using Sharpness.Experiments.Progress;

namespace Sharpness.Web.Training;

/// <summary>Where a job is.</summary>
public enum JobState
{
    /// <summary>Waiting for the run before it.</summary>
    Queued,

    /// <summary>Training.</summary>
    Running,

    /// <summary>Finished (step budget, goal reached, or diverged: a diverged run is a result).</summary>
    Finished,

    /// <summary>Cancelled: before it started, or during training (the data up to the cancellation are kept).</summary>
    Cancelled,

    /// <summary>Stopped by an error (reported in <see cref="TrainingJob.Error"/>).</summary>
    Failed,
}

/// <summary>One event of a job's stream: its name (columns, rows, progress, state) and its data.</summary>
/// <param name="Name">Event name.</param>
/// <param name="Data">Event data (serialised as JSON).</param>
public sealed record JobEvent(string Name, object Data);

/// <summary>
/// A training job of the queue: its request, its state, and the log of its events (the metrics
/// columns, every row as it is measured, <see cref="ExperimentProgress"/> snapshots, state changes),
/// which a page can replay from the start and then follow.
/// </summary>
public sealed class TrainingJob
{
    private readonly object _gate = new();
    private readonly List<JobEvent> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates a queued job.</summary>
    /// <param name="id">Job number.</param>
    /// <param name="request">What to train.</param>
    /// <param name="run">The run folder, relative to the runs folder.</param>
    public TrainingJob(int id, TrainingRequest request, string run)
    {
        Id = id;
        Request = request;
        Run = run;
        Created = DateTimeOffset.UtcNow;
    }

    /// <summary>Job number (1, 2, …, in order of submission).</summary>
    public int Id { get; }

    /// <summary>What to train.</summary>
    public TrainingRequest Request { get; }

    /// <summary>The run folder, relative to the runs folder (kind eos: the folder of the η sub-folders).</summary>
    public string Run { get; }

    /// <summary>When it was submitted.</summary>
    public DateTimeOffset Created { get; }

    /// <summary>When it started, or null.</summary>
    public DateTimeOffset? Started { get; private set; }

    /// <summary>When it ended, or null.</summary>
    public DateTimeOffset? Finished { get; private set; }

    /// <summary>Its state.</summary>
    public JobState State { get; private set; }

    /// <summary>The error that stopped it, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>How the last run ended (StepBudget, AccuracyGoal, LossGoal, Diverged, Cancelled), or null.</summary>
    public string? Outcome { get; private set; }

    /// <summary>The latest progress snapshot, or null.</summary>
    public ExperimentProgress? Progress { get; private set; }

    /// <summary>Cancels the job (it stops after the current step).</summary>
    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Appends an event and wakes the streams that follow the job.</summary>
    /// <param name="name">Event name.</param>
    /// <param name="data">Event data.</param>
    public void Append(string name, object data)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _events.Add(new JobEvent(name, data));
            if (data is ExperimentProgress progress)
            {
                Progress = progress;
            }

            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Moves the job to <paramref name="state"/> and appends a <c>state</c> event.</summary>
    /// <param name="state">The new state.</param>
    /// <param name="error">The error, for <see cref="JobState.Failed"/>.</param>
    /// <param name="outcome">How the last run ended (the trainer's stop reason), when it ended.</param>
    public void SetState(JobState state, string? error = null, string? outcome = null)
    {
        lock (_gate)
        {
            State = state;
            Error = error;
            Outcome = outcome ?? Outcome;
            if (state == JobState.Running)
            {
                Started = DateTimeOffset.UtcNow;
            }
            else if (state is JobState.Finished or JobState.Cancelled or JobState.Failed)
            {
                Finished = DateTimeOffset.UtcNow;
            }
        }

        Append("state", Summary());
    }

    /// <summary>
    /// Drops the rows of an ended job's log (they are in its run folder), keeping the other events, so
    /// that old jobs hold no memory; a page that opens the job later sees its state and the run folder.
    /// </summary>
    public void ForgetRows()
    {
        lock (_gate)
        {
            _events.RemoveAll(e => e.Name == "row");
        }
    }

    /// <summary>Whether the job has ended.</summary>
    public bool IsOver => State is JobState.Finished or JobState.Cancelled or JobState.Failed;

    /// <summary>The events from index <paramref name="from"/> on, and a task that completes when another is appended.</summary>
    /// <param name="from">Index of the first event wanted.</param>
    public (IReadOnlyList<JobEvent> Events, Task Changed) EventsFrom(int from)
    {
        lock (_gate)
        {
            return (_events.Skip(from).ToList(), _changed.Task);
        }
    }

    /// <summary>What the API reports about the job.</summary>
    public object Summary() => new
    {
        id = Id,
        kind = Request.Kind,
        run = Run,
        state = State,
        created = Created,
        started = Started,
        finished = Finished,
        error = Error,
        outcome = Outcome,
        progress = Progress,
        learning_rates = Request.Runs,
    };
}
