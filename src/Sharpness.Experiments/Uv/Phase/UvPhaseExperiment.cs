using Sharpness.Experiments.Progress;
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
    /// <exception cref="InvalidOptionException">An option is invalid (see <see cref="UvPhaseOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static UvPhaseResult Run(UvPhaseOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = DateTimeOffset.UtcNow;
        options.Validate();
        return options.Mode == PhaseMode.Scaled
            ? Scaled(options, progress, cancellationToken, started)
            : Physical(options, progress, cancellationToken, started);
    }

    private static UvPhaseResult Scaled(UvPhaseOptions options, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, DateTimeOffset started)
    {
        int rPoints = options.RPoints, cPoints = options.CPoints;
        double[] cs = UvPhaseFigures.Linear(options.CMin, options.CMax, cPoints);
        double[] rs = UvPhaseFigures.Linear(options.RMin, options.RMax, rPoints);
        var cells = new int[rPoints, cPoints];
        var labels = new string[rPoints, cPoints];
        var tracker = new ProgressTracker(progress, Command, (long)rPoints * cPoints, "cells");
        Parallel.For(0, rPoints * cPoints, new ParallelOptions { CancellationToken = cancellationToken }, k =>
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

            tracker.Advance();
        });
        tracker.Complete();
        return new UvPhaseResult { Options = options, XValues = cs, RValues = rs, Categories = cells, Labels = labels, StartedUtc = started };
    }

    private static UvPhaseResult Physical(UvPhaseOptions options, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, DateTimeOffset started)
    {
        var (baseModel, models) = options.RowModels();
        double[] xs = UvPhaseFigures.PhysicalAxis(options.CMin, options.CMax, options.CPoints, options.LogX);
        int rows = models.Length, columns = xs.Length, seeds = options.Seeds;
        var cells = new int[rows, columns];
        var fractions = new double[rows, columns];
        var tracker = new ProgressTracker(progress, Command, (long)rows * columns, "cells");
        Parallel.For(0, rows * columns, new ParallelOptions { CancellationToken = cancellationToken }, k =>
        {
            int i = k / columns, j = k % columns;
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
            tracker.Advance();
        });
        tracker.Complete();
        return new UvPhaseResult { Options = options, XValues = xs, Categories = cells, Fractions = fractions, BaseModel = baseModel, StartedUtc = started };
    }
}
