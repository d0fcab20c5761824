using System.Diagnostics;
using Sharpness.Core.Dynamics;
using Sharpness.Experiments.Progress;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// <c>uv orbit</c> as a library call: the orbit (bifurcation) diagram of the UV model's exact scaled
/// map, computed in SIMD lanes on every core (cold starts) or sequentially (warm starts).
/// </summary>
public static class UvOrbitExperiment
{
    /// <summary>The command name a manifest records.</summary>
    public const string Command = "uv orbit";

    /// <summary>
    /// Computes the diagram and keeps every kept iterate in the result (16 bytes per iterate:
    /// points × keep × passes of them). For large requests use <see cref="Run(UvOrbitOptions, Action{OrbitSamples}, IProgress{ExperimentProgress}?, CancellationToken)"/>
    /// or <see cref="UvOrbitWriter.Run"/>, which stream them.
    /// </summary>
    /// <param name="options">What to sweep.</param>
    /// <param name="progress">Receives "values" snapshots; null for none.</param>
    /// <param name="cancellationToken">Stops between values with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="InvalidOptionException">An option is invalid (see <see cref="UvOrbitOptions.Validate"/>), or the samples would not fit in memory (<see cref="UvOrbitOptions.CheckInMemory"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static UvOrbitResult Run(UvOrbitOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options.CheckInMemory();
        var samples = new List<OrbitSamples>(options.Points * (options.TwoPasses ? 2 : 1));
        return Run(options, samples.Add, progress, cancellationToken) with { Samples = samples };
    }

    /// <summary>
    /// Computes the diagram and hands each value's kept iterates to <paramref name="sink"/> as soon as
    /// they are computed, in the order of orbit.csv (the visiting order), keeping none of them: memory
    /// stays bounded by the values in flight whatever the size of the request. The result's
    /// <see cref="UvOrbitResult.Samples"/> is empty; its counts are complete.
    /// </summary>
    /// <param name="options">What to sweep.</param>
    /// <param name="sink">Receives every value's samples, from one thread at a time.</param>
    /// <param name="progress">Receives "values" snapshots; null for none.</param>
    /// <param name="cancellationToken">Stops between values with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="InvalidOptionException">An option is invalid (see <see cref="UvOrbitOptions.Validate"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static UvOrbitResult Run(UvOrbitOptions options, Action<OrbitSamples> sink, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sink);
        var started = DateTimeOffset.UtcNow;
        options.Validate();
        double[] grid = UvOrbitFigures.Grid(options.Min, options.Max, options.Points);
        OrbitPoint[] points;
        UvModelConfig? model = null;
        UvInitialState? initial = null;
        double flipScale = 1.0;
        if (options.Axis == OrbitAxis.R)
        {
            double x0 = options.X0 ?? UvOrbitOptions.DefaultX0, g0 = options.G0 ?? UvOrbitOptions.DefaultG0;
            points = grid.Select(r => new OrbitPoint(r, g0, x0)).ToArray();
        }
        else
        {
            model = options.Model.Build();
            var network = UvNetwork.Create(model);
            initial = new UvInitialState(network.Output, network.Ntk, network.Normaliser, model.Target);
            points = grid.Select(a =>
            {
                double eta = UvOrbitFigures.LearningRate(options.AxisName, a, initial.Ntk);
                return new OrbitPoint(eta * initial.Target / initial.Normaliser, eta * initial.Output / initial.Normaliser, eta * initial.Ntk);
            }).ToArray();

            // r = eta y / s: an axis value a maps to r = a * (y / s) / (1 or lambda0).
            double rPerAxis = (options.Axis == OrbitAxis.Eta ? 1 : 1 / initial.Ntk) * initial.Target / initial.Normaliser;
            flipScale = rPerAxis == 0 ? double.NaN : 1 / rPerAxis;
        }

        var tracker = new ProgressTracker(progress, Command, (long)options.Points * (options.TwoPasses ? 2 : 1), "values");
        int stride = UvOrbitFigures.Stride(options.Points, options.Keep, options.TwoPasses);
        long rows = 0, plotted = 0;
        int diverged = 0;
        void Sink(OrbitSamples sample)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int finite = UvOrbitResult.FiniteCount(sample);
            rows += finite;
            plotted += (finite + stride - 1) / stride;
            diverged += sample.DivergedAtStep is null ? 0 : 1;
            sink(sample);
            tracker.Advance();
        }

        var clock = Stopwatch.StartNew();
        if (options.WarmStart)
        {
            OrbitDiagram.ComputeWarmStarted(points, options.Transient, options.Keep, options.Direction ?? SweepDirection.Up, Sink, divergenceThreshold: options.DivergenceThreshold);
        }
        else
        {
            OrbitDiagram.ComputeIndependent(points, options.Transient, options.Keep, Sink, divergenceThreshold: options.DivergenceThreshold);
        }

        double seconds = clock.Elapsed.TotalSeconds;
        tracker.Complete();
        var cascade = ManifoldCascade();
        return new UvOrbitResult
        {
            Options = options,
            Grid = grid,
            Model = model,
            Rows = rows,
            DivergedValues = diverged,
            PlottedPoints = plotted,
            ModelInitial = initial,
            FlipPoints = cascade.FlipPoints.Select(f => f.Parameter * flipScale).Where(a => a >= options.Min && a <= options.Max).ToArray(),
            Seconds = seconds,
            StartedUtc = started,
        };
    }

    /// <summary>The period-doubling cascade of the 1-D map on the EoS manifold up to period 64 (flip points in r).</summary>
    public static CascadeResult ManifoldCascade()
    {
        var map = new UvManifoldMap();
        return PeriodDoublingCascade.Follow(map, PeriodicOrbitFinder.Find(map, 0.5, 1, [0.5]), searchEnd: 2, maxPeriod: 64);
    }
}
