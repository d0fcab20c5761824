using Sharpness.Core.Optimization;
using Sharpness.Core.Random;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Nets.Experiments;

/// <summary>
/// Fits the UV model's exact gradient-descent map to the sharpness trajectory of a real run: one UV
/// step per training step at the run's learning rate, started at the first step of a fit window,
/// with r = η/η_c and the initial scaled state (x₀, g₀) chosen by least squares on ln λ_H.
/// </summary>
/// <remarks>
/// <para>
/// The UV model is iterated in scaled variables (<see cref="UvScaledMap"/>), whose dynamics depends on
/// (x₀, g₀, r) only, and its Hessian sharpness is the closed form <see cref="UvSharpness.ScaledHessian"/>
/// (width ≥ 2 branch) divided by η. The threshold x = 2 of the model is λ_H = 2/η of the run, since
/// both take steps of the same η.
/// </para>
/// <para>
/// Two fits: <b>free</b>, all of (r, x₀, g₀) fitted by Nelder–Mead from several starts, with x₀ = e^a
/// and g₀ = (x₀/2) tanh b so that the state obeys the UV model's constraint x ≥ 2|g| (Q ≥ 0); and
/// <b>anchored</b>, when the effective variables were measured at the window's first step: x₀ = ηλ_eff
/// and g₀ = r·f_eff/y_eff from the projection, only r fitted (a scan of ln r, then Nelder–Mead), r
/// limited so that Q₀ ≥ 0. A UV trajectory that diverges (|g| or x above 10⁶, or not finite) inside
/// the fit window scores (ln 10⁶)² for every point it does not reach.
/// </para>
/// <para>
/// Errors are RMS relative errors of λ_H, on the fit window and on the held-out window after it,
/// next to three baselines fitted on the same window: the constant mean, a straight line in the step,
/// and the edge-of-stability value 2/η.
/// </para>
/// </remarks>
public static class UvTrajectoryFit
{
    /// <summary>Most starting points of the free fit: a fit of three parameters gains nothing from more, and each start costs a Nelder–Mead search.</summary>
    public const int MaxStarts = 100_000;

    /// <summary>|g| or x beyond this counts as divergence of the UV trajectory.</summary>
    public const double DivergenceThreshold = 1e6;

    /// <summary>
    /// The objective of a trajectory that diverges in the fit window, times the share of the window it
    /// does not reach: far above any bounded trajectory's, while still pointing the search to
    /// trajectories that last longer.
    /// </summary>
    private const double DivergencePenalty = 1e12;

    /// <summary>Fits the UV model to <paramref name="points"/>.</summary>
    /// <param name="points">Measured steps in increasing step order; λ_H must be positive and finite.</param>
    /// <param name="learningRate">The run's constant learning rate η &gt; 0.</param>
    /// <param name="options">Window, starts and weights; null for the defaults.</param>
    /// <returns>The free fit, the anchored fit when possible, and the baselines.</returns>
    /// <exception cref="ArgumentException">No points, steps not increasing, a non-positive sharpness, or an empty fit window.</exception>
    /// <exception cref="ArgumentOutOfRangeException">η or an option is out of range.</exception>
    public static UvFitReport Fit(IReadOnlyList<EffectiveUvPoint> points, double learningRate, UvFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        options ??= new UvFitOptions();
        options.Validate();
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive and finite.");
        }

        Validate(points);
        int from = options.FitFrom ?? points[0].Step;
        var after = points.Where(p => p.Step >= from).ToList();
        if (after.Count == 0)
        {
            throw new ArgumentException($"No measurement at or after step {from}, the start of the fit window.", nameof(points));
        }

        int to = options.FitTo ?? (after.Count < 3 ? after[^1].Step : after[(int)Math.Ceiling(2.0 * (after.Count - 1) / 3)].Step);
        var fit = after.Where(p => p.Step <= to).ToArray();
        if (fit.Length == 0)
        {
            throw new ArgumentException($"No measurement in the fit window [{from}, {to}].", nameof(points));
        }

        var objective = new Objective(fit, from, learningRate, options.OutputWeight);
        var free = FitFree(objective, fit, learningRate, options);
        var report = new UvFitReport
        {
            LearningRate = learningRate,
            FitFrom = from,
            FitTo = to,
            FitPoints = fit.Length,
            HeldOutPoints = points.Count(p => p.Step > to),
            Free = Describe("free", free.Parameters, free.Value, free.Evaluations, points, from, to, learningRate),
            Baselines = Baselines(points, from, to, learningRate),
        };

        var first = points.FirstOrDefault(p => p.Step == from);
        if (first is not null && first.Ntk > 0 && double.IsFinite(first.Ntk) && double.IsFinite(first.OutputRatio))
        {
            var anchored = FitAnchored(objective, learningRate * first.Ntk, first.OutputRatio, options);
            report = report with { Anchored = Describe("anchored", anchored.Parameters, anchored.Value, anchored.Evaluations, points, from, to, learningRate) };
        }

        return report;
    }

    /// <summary>
    /// The UV trajectory from <paramref name="parameters"/> at step <paramref name="startStep"/>, at each of
    /// <paramref name="steps"/> (NaN before the start and after divergence).
    /// </summary>
    /// <param name="parameters">r and the scaled state at <paramref name="startStep"/>.</param>
    /// <param name="startStep">The step at which the UV state is (x₀, g₀).</param>
    /// <param name="steps">Steps to report, increasing.</param>
    /// <param name="learningRate">η, to convert to physical sharpness and NTK.</param>
    public static IReadOnlyList<UvPrediction> Predict(UvFitParameters parameters, int startStep, IReadOnlyList<int> steps, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(steps);
        var result = new UvPrediction[steps.Count];
        var state = new UvScaledState(parameters.G0, parameters.X0);
        int t = startStep;
        bool diverged = false;
        for (int i = 0; i < steps.Count; i++)
        {
            int step = steps[i];
            if (step < startStep)
            {
                result[i] = new UvPrediction(step, double.NaN, double.NaN, double.NaN);
                continue;
            }

            while (!diverged && t < step)
            {
                state = UvScaledMap.Step(state, parameters.R);
                diverged = Diverged(state);
                t++;
            }

            result[i] = diverged
                ? new UvPrediction(step, double.NaN, double.NaN, double.NaN)
                : new UvPrediction(step, UvSharpness.ScaledHessian(state, parameters.R, 2) / learningRate, state.G / parameters.R, state.X / learningRate);
        }

        return result;
    }

    /// <summary>RMS relative error √mean(((p − m)/m)²) over the pairs; +∞ when a prediction is not finite, NaN for no pairs.</summary>
    /// <param name="predicted">Predicted values.</param>
    /// <param name="measured">Measured values (non-zero).</param>
    public static double RmsRelativeError(IReadOnlyList<double> predicted, IReadOnlyList<double> measured)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(measured);
        if (predicted.Count != measured.Count)
        {
            throw new ArgumentException($"{predicted.Count} predictions for {measured.Count} measurements.", nameof(predicted));
        }

        if (predicted.Count == 0)
        {
            return double.NaN;
        }

        double sum = 0;
        for (int i = 0; i < predicted.Count; i++)
        {
            if (!double.IsFinite(predicted[i]))
            {
                return double.PositiveInfinity;
            }

            double e = (predicted[i] - measured[i]) / measured[i];
            sum += e * e;
        }

        return Math.Sqrt(sum / predicted.Count);
    }

    private static bool Diverged(UvScaledState s) =>
        !double.IsFinite(s.G) || !double.IsFinite(s.X) || Math.Abs(s.G) > DivergenceThreshold || Math.Abs(s.X) > DivergenceThreshold;

    private static void Validate(IReadOnlyList<EffectiveUvPoint> points)
    {
        if (points.Count == 0)
        {
            throw new ArgumentException("There are no measured points to fit.", nameof(points));
        }

        for (int i = 0; i < points.Count; i++)
        {
            if (!(points[i].Sharpness > 0) || !double.IsFinite(points[i].Sharpness))
            {
                throw new ArgumentException($"The sharpness at step {points[i].Step} is {points[i].Sharpness}; the fit needs positive finite values.", nameof(points));
            }

            if (points[i].Step < 0 || (i > 0 && points[i].Step <= points[i - 1].Step))
            {
                throw new ArgumentException($"Steps must be non-negative and increasing (step {points[i].Step} at position {i}).", nameof(points));
            }
        }
    }

    private static (UvFitParameters Parameters, double Value, int Evaluations) FitFree(Objective objective, EffectiveUvPoint[] fit, double learningRate, UvFitOptions options)
    {
        // Free coordinates: (ln r, ln x₀, b) with g₀ = (x₀/2) tanh b, so every point satisfies x₀ > 2|g₀|.
        static UvFitParameters FromCoordinates(double[] p) => new(Math.Exp(p[0]), Math.Exp(p[1]), 0.5 * Math.Exp(p[1]) * Math.Tanh(p[2]));
        double xMeasured = Math.Clamp(learningRate * fit[0].Sharpness, 1e-3, 10);
        double ratio = double.IsFinite(fit[0].OutputRatio) ? fit[0].OutputRatio : 0;
        var starts = new List<double[]>();
        foreach (double r in new[] { 0.3, 0.9, 1.1 })
        {
            double b = Math.Atanh(Math.Clamp(2 * r * ratio / xMeasured, -0.95, 0.95));
            starts.Add([Math.Log(r), Math.Log(xMeasured), b]);
        }

        var random = new DeterministicRandom(options.Seed);
        while (starts.Count < Math.Max(options.Starts, 1))
        {
            starts.Add([
                Math.Log(0.02) + (random.NextDouble() * Math.Log(3 / 0.02)),
                Math.Log(xMeasured) + Math.Log(0.1) + (random.NextDouble() * Math.Log(30)),
                -3 + (6 * random.NextDouble()),
            ]);
        }

        double[]? best = null;
        double bestValue = double.PositiveInfinity;
        int evaluations = 0;
        foreach (var start in starts.Take(options.Starts))
        {
            var result = NelderMead.Minimize(p => objective.Value(FromCoordinates(p)), start, [0.3, 0.3, 0.5], tolerance: 1e-12, maxEvaluations: options.MaxEvaluations);
            evaluations += result.Evaluations;
            if (result.Value < bestValue)
            {
                bestValue = result.Value;
                best = result.Point.ToArray();
            }
        }

        var parameters = best is null ? FromCoordinates(starts[0]) : FromCoordinates(best);
        return (parameters, objective.Value(parameters), evaluations);
    }

    private static (UvFitParameters Parameters, double Value, int Evaluations) FitAnchored(Objective objective, double x0, double ratio, UvFitOptions options)
    {
        // Q₀ = x₀² − 4 r² (f₀/y)² ≥ 0 bounds r by x₀ / (2|f₀/y|).
        double rMax = ratio == 0 ? 10 : Math.Min(10, x0 / (2 * Math.Abs(ratio)));
        double rMin = Math.Min(1e-3, rMax / 10);
        UvFitParameters At(double lnR)
        {
            double r = Math.Exp(Math.Clamp(lnR, Math.Log(rMin), Math.Log(rMax)));
            return new UvFitParameters(r, x0, r * ratio);
        }

        int evaluations = 0;
        var scan = new List<(double LnR, double Value)>();
        const int grid = 200;
        for (int i = 0; i < grid; i++)
        {
            double lnR = Math.Log(rMin) + ((Math.Log(rMax) - Math.Log(rMin)) * i / (grid - 1));
            scan.Add((lnR, objective.Value(At(lnR))));
            evaluations++;
        }

        double bestLnR = scan[0].LnR;
        double bestValue = double.PositiveInfinity;
        foreach (var (lnR, _) in scan.OrderBy(s => s.Value).Take(Math.Max(1, Math.Min(options.Starts, 5))))
        {
            var result = NelderMead.Minimize(p => objective.Value(At(p[0])), [lnR], [(Math.Log(rMax) - Math.Log(rMin)) / grid], tolerance: 1e-14, maxEvaluations: options.MaxEvaluations);
            evaluations += result.Evaluations;
            double lnRFound = Math.Clamp(result.Point[0], Math.Log(rMin), Math.Log(rMax));
            if (result.Value < bestValue)
            {
                bestValue = result.Value;
                bestLnR = lnRFound;
            }
        }

        var parameters = At(bestLnR);
        return (parameters, objective.Value(parameters), evaluations);
    }

    private static UvFit Describe(string kind, UvFitParameters parameters, double value, int evaluations, IReadOnlyList<EffectiveUvPoint> points, int from, int to, double learningRate)
    {
        var predictions = Predict(parameters, from, points.Select(p => p.Step).ToArray(), learningRate);
        var (fitError, heldOutError) = Errors(points, predictions.Select(p => p.Sharpness).ToArray(), from, to);
        return new UvFit(kind, parameters, value, fitError, heldOutError, evaluations, predictions);
    }

    private static (double Fit, double HeldOut) Errors(IReadOnlyList<EffectiveUvPoint> points, IReadOnlyList<double> predicted, int from, int to)
    {
        var fitIndex = Enumerable.Range(0, points.Count).Where(i => points[i].Step >= from && points[i].Step <= to).ToArray();
        var heldIndex = Enumerable.Range(0, points.Count).Where(i => points[i].Step > to).ToArray();
        double Error(int[] index) => RmsRelativeError(index.Select(i => predicted[i]).ToArray(), index.Select(i => points[i].Sharpness).ToArray());
        return (Error(fitIndex), Error(heldIndex));
    }

    private static IReadOnlyList<BaselineFit> Baselines(IReadOnlyList<EffectiveUvPoint> points, int from, int to, double learningRate)
    {
        var fit = points.Where(p => p.Step >= from && p.Step <= to).ToArray();
        double mean = fit.Average(p => p.Sharpness);
        double meanStep = fit.Average(p => (double)p.Step);
        double sxx = fit.Sum(p => (p.Step - meanStep) * (p.Step - meanStep));
        double slope = sxx > 0 ? fit.Sum(p => (p.Step - meanStep) * (p.Sharpness - mean)) / sxx : 0;
        BaselineFit Baseline(string name, int count, Func<EffectiveUvPoint, double> model)
        {
            double[] predicted = points.Select(model).ToArray();
            var (fitError, heldOutError) = Errors(points, predicted, from, to);
            return new BaselineFit(name, count, fitError, heldOutError, predicted);
        }

        return
        [
            Baseline("constant", 1, _ => mean),
            Baseline("linear", 2, p => mean + (slope * (p.Step - meanStep))),
            Baseline("threshold", 0, _ => 2 / learningRate),
        ];
    }

    /// <summary>The least-squares objective over the fit window, evaluated without allocating.</summary>
    private sealed class Objective
    {
        private readonly int[] _steps;
        private readonly double[] _logSharpness;
        private readonly double[] _ratio;
        private readonly int _ratioCount;
        private readonly int _start;
        private readonly double _learningRate;
        private readonly double _outputWeight;

        public Objective(EffectiveUvPoint[] fit, int start, double learningRate, double outputWeight)
        {
            _steps = fit.Select(p => p.Step).ToArray();
            _logSharpness = fit.Select(p => Math.Log(p.Sharpness)).ToArray();
            _ratio = fit.Select(p => p.OutputRatio).ToArray();
            _ratioCount = _ratio.Count(double.IsFinite);
            _start = start;
            _learningRate = learningRate;
            _outputWeight = outputWeight;
        }

        public double Value(UvFitParameters p)
        {
            var state = new UvScaledState(p.G0, p.X0);
            int t = _start;
            double sharpnessSum = 0, ratioSum = 0;
            for (int i = 0; i < _steps.Length; i++)
            {
                while (t < _steps[i])
                {
                    state = UvScaledMap.Step(state, p.R);
                    t++;
                    if (Diverged(state))
                    {
                        return DivergencePenalty * (_steps.Length - i) / _steps.Length;
                    }
                }

                double sharpness = Math.Max(UvSharpness.ScaledHessian(state, p.R, 2) / _learningRate, 1e-300);
                double e = Math.Log(sharpness) - _logSharpness[i];
                sharpnessSum += e * e;
                if (_outputWeight > 0 && double.IsFinite(_ratio[i]))
                {
                    double d = (state.G / p.R) - _ratio[i];
                    ratioSum += d * d;
                }
            }

            double total = sharpnessSum / _steps.Length;
            return _outputWeight > 0 && _ratioCount > 0 ? total + (_outputWeight * ratioSum / _ratioCount) : total;
        }
    }
}
