using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sharpness.Experiments.Jobs;
using Sharpness.Experiments.Progress;
using Sharpness.Runs;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// <c>uv phase</c> as a library call: the regime category of every cell of a grid, from the exact
/// scaled map (scaled mode) or from parameter-space gradient descent of random initialisations
/// (physical mode, the majority over seeds). Cells run in parallel on every core.
/// </summary>
public static class UvPhaseExperiment
{
    /// <summary>The command name a manifest records.</summary>
    public const string Command = "uv phase";

    /// <summary>Computes the diagram.</summary>
    /// <param name="options">The grid and the runs.</param>
    /// <param name="progress">Receives "cells" snapshots; null for none.</param>
    /// <param name="cancellationToken">Stops between cells with <see cref="OperationCanceledException"/>.</param>
    /// <param name="journal">
    /// Physical mode: a journal file (<see cref="RunJournal"/>) that records every finished cell as it finishes, so
    /// that a run killed part-way and started again with the same options and journal computes only the cells it
    /// had not finished (<see cref="UvPhaseResult.ResumedCells"/>); null for none. Ignored in scaled mode, which is fast.
    /// </param>
    /// <exception cref="InvalidOptionException">An option is invalid (see <see cref="UvPhaseOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static UvPhaseResult Run(UvPhaseOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default, string? journal = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = DateTimeOffset.UtcNow;
        options.Validate();
        return options.Mode == PhaseMode.Scaled
            ? Scaled(options, progress, cancellationToken, started)
            : Physical(options, progress, cancellationToken, started, journal);
    }

    /// <summary>Physical mode: what identifies a diagram's journal (a hash of its complete configuration).</summary>
    /// <param name="options">Validated physical-mode options.</param>
    public static string Fingerprint(UvPhaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (baseModel, _) = options.RowModels();
        string configuration = UvPhaseWriter.Configuration(options, baseModel).ToJsonString();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(configuration)))[..32];
    }

    // --jobs, or one thread inside a side-by-side job of a sweep, or the default (every core).
    private static int? RequestedJobs(UvPhaseOptions options) => options.Jobs ?? (JobScheduler.InsideSideBySideJob ? 1 : null);

    private static UvPhaseResult Scaled(UvPhaseOptions options, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, DateTimeOffset started)
    {
        int rPoints = options.RPoints, cPoints = options.CPoints;
        double[] cs = UvPhaseFigures.Linear(options.CMin, options.CMax, cPoints);
        double[] rs = UvPhaseFigures.Linear(options.RMin, options.RMax, rPoints);
        var cells = new int[rPoints, cPoints];
        var labels = new string[rPoints, cPoints];
        var tracker = new ProgressTracker(progress, Command, (long)rPoints * cPoints, "cells");
        var jobs = JobPlan.Decide(RequestedJobs(options), rPoints * cPoints, ScaledCellBytes);
        var states = new JobScheduler(jobs).Run(rPoints * cPoints, (k, _, _) =>
        {
            int i = k / cPoints, j = k % cPoints;
            double r = rs[i], c = cs[j], g0 = options.OutputRatio * r;
            if (c < 2 * Math.Abs(g0))
            {
                // No weights give x₀ < 2|g₀| (Cauchy–Schwarz): the cell is not realisable.
                cells[i, j] = -1;
                labels[i, j] = UvPhaseFigures.Unrealisable;
            }
            else
            {
                var run = UvScaledRun.Run(new UvScaledState(g0, c), r, options.Steps);
                cells[i, j] = RegimeCategory.Of(run.Regimes);
                labels[i, j] = string.Join(' ', run.Regimes.Labels.DefaultIfEmpty("converged"));
            }
        }, cancellationToken, finished: (_, _) => tracker.Advance());
        ThrowIfStopped(states, cancellationToken);
        tracker.Complete();
        return new UvPhaseResult { Options = options, XValues = cs, RValues = rs, Categories = cells, Labels = labels, StartedUtc = started, Jobs = jobs };
    }

    private static UvPhaseResult Physical(UvPhaseOptions options, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, DateTimeOffset started, string? journalPath)
    {
        var (baseModel, models) = options.RowModels();
        double[] xs = UvPhaseFigures.PhysicalAxis(options.CMin, options.CMax, options.CPoints, options.LogX);
        int rows = models.Length, columns = xs.Length, seeds = options.Seeds;
        var cells = new int[rows, columns];
        var fractions = new double[rows, columns];
        using var journal = journalPath is null ? null : RunJournal.Open(journalPath, Fingerprint(options), fields: 2);
        var todo = new List<int>();
        for (int k = 0; k < rows * columns; k++)
        {
            if (journal is not null && journal.Entries.TryGetValue(k, out var saved) && TryReadCell(saved, out int category, out double fraction))
            {
                cells[k / columns, k % columns] = category;
                fractions[k / columns, k % columns] = fraction;
            }
            else
            {
                todo.Add(k);
            }
        }

        int resumed = rows * columns - todo.Count;
        var tracker = new ProgressTracker(progress, Command, (long)rows * columns, "cells");
        if (resumed > 0)
        {
            tracker.Report(resumed, message: string.Create(CultureInfo.InvariantCulture, $"resumed {resumed} cells from an interrupted attempt"));
        }

        double cellBytes = models.Max(m => UvRunBytes(m.Width, m.InputDimension, options.Steps));
        var jobs = JobPlan.Decide(RequestedJobs(options), todo.Count, cellBytes);
        var states = new JobScheduler(jobs).Run(todo.Count, (t, _, _) =>
        {
            int k = todo[t], i = k / columns, j = k % columns;
            var counts = new int[RegimeCategory.Names.Count];
            for (int seed = 0; seed < seeds; seed++)
            {
                var model = models[i] with { Seed = baseModel.Seed + (ulong)seed };
                var rate = options.XAxis == PhaseXAxis.Eta ? LearningRateSpec.Absolute(xs[j]) : LearningRateSpec.RelativeToInitialSharpness(xs[j]);
                var run = UvGradientDescent.Run(model, new UvTrainingConfig { LearningRate = rate, Steps = options.Steps });
                counts[RegimeCategory.Of(run.Regimes)]++;
            }

            int majority = Array.IndexOf(counts, counts.Max());
            cells[i, j] = majority;
            fractions[i, j] = (double)counts[majority] / seeds;
            journal?.Append(k, [majority.ToString(CultureInfo.InvariantCulture), fractions[i, j].ToString("R", CultureInfo.InvariantCulture)]);
        }, cancellationToken, finished: (_, _) => tracker.Advance());
        ThrowIfStopped(states, cancellationToken);
        tracker.Complete();
        return new UvPhaseResult { Options = options, XValues = xs, Categories = cells, Fractions = fractions, BaseModel = baseModel, StartedUtc = started, Jobs = jobs, ResumedCells = resumed };
    }

    // A scaled cell: its category, its label text and the run's regime analysis.
    private const double ScaledCellBytes = 64 * 1024;

    // One parameter-space run: (u, v) and copies per hidden unit, the explicit weights, the recorded steps.
    private static double UvRunBytes(int width, int inputDimension, int steps) => (48.0 * width) + (8.0 * width * inputDimension) + (256.0 * (steps + 1));

    private static bool TryReadCell(string[] values, out int category, out double fraction)
    {
        fraction = double.NaN;
        return int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out category)
            && category >= 0 && category < RegimeCategory.Names.Count
            && double.TryParse(values[1], NumberStyles.Float, CultureInfo.InvariantCulture, out fraction)
            && fraction > 0 && fraction <= 1;
    }

    private static void ThrowIfStopped(IReadOnlyList<JobRunState> states, CancellationToken cancellationToken)
    {
        if (states.Any(s => s != JobRunState.Completed))
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }
}
