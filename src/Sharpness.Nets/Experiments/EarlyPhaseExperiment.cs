using System.Diagnostics;
using Sharpness.Core.Eigen;
using Sharpness.Core.LinearAlgebra;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Tensors;
using Sharpness.Nets.Training;
using Sharpness.Uv.Simulation;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Nets.Experiments;

/// <summary>
/// The early-training phase diagram of Kalra &amp; Barkeshli for one network initialisation: η = c/λ_H(0) on a
/// grid of c = 2^x, a few steps from the same initial weights for each c, and the critical constants
/// c_loss (the loss at some step 1..T exceeds the initial loss), c_sharp (the Hessian sharpness at some step
/// 1..T exceeds λ_H(0)) and c_max (the largest c that does not diverge).
/// </summary>
/// <remarks>
/// <para>
/// λ_H(0) and λ_NTK(0) are measured once (Lanczos on <see cref="AutogradHessianOperator"/> and
/// <see cref="GaussNewtonOperator"/> on the measurement set). Every probe starts from a copy of the same
/// initial weights.
/// </para>
/// <para>
/// Cost. Loss probes run T steps (fewer when they diverge) without any Hessian work and serve c_loss and c_max;
/// sharpness probes measure λ_H at every step 1..T, warm-started from the previous step's eigenvector, and stop
/// at the first step whose sharpness exceeds λ_H(0). Each measurement only has to decide λ_H(t) &gt; λ_H(0), so
/// Lanczos stops as soon as the top Ritz value θ (a lower bound of λ_H) exceeds λ_H(0), or (after
/// <see cref="EarlyPhaseOptions.DecideBelowAfter"/> products) θ + ρ (ρ its residual) falls below it, or the usual
/// residual tolerance is met — whichever comes first. With <see cref="GridSearchMode.Bisect"/> each constant costs about log2(grid size)
/// probes; every probe result is kept, and any that contradicts the monotonicity the bisection assumes is
/// reported (<see cref="EarlyPhaseResult.MonotonicityViolations"/>). <see cref="GridSearchMode.Scan"/> applies
/// the definitions literally: c_loss and c_sharp scan upwards from the smallest c, c_max downwards from the largest.
/// </para>
/// </remarks>
public static class EarlyPhaseExperiment
{
    /// <summary>Runs the experiment for the initial weights of <paramref name="model"/> (which is not modified).</summary>
    /// <param name="model">The network at initialisation; every probe trains a copy in its type.</param>
    /// <param name="train">The training set (full batch for GD; SGD samples it); its first M examples are the measurement set.</param>
    /// <param name="options">Grid, steps, search, training and measurement settings.</param>
    /// <param name="onProbe">Called after every probe (progress).</param>
    /// <returns>The constants, the initial eigenvalues and every probe.</returns>
    /// <exception cref="ArgumentException">The data do not fit the model or the loss.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="InitialSharpnessException">λ_H(0) is not positive and finite, so η = c/λ_H(0) is undefined.</exception>
    public static EarlyPhaseResult Run(NetworkModule model, ExampleSet train, EarlyPhaseOptions options, Action<EarlyProbe>? onProbe = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var loss = options.Trainer.Loss;
        train.Validate(model, loss, nameof(train));
        if (options.Trainer.Threads is int threads)
        {
            NativeThreads.Set(threads);
        }

        var clock = Stopwatch.StartNew();
        using var session = new Session(model, train, options);
        var initial = session.MeasureInitial();
        InitialSharpnessException.RequireUsable(initial.Sharpness);

        var grid = options.Grid;
        var probes = new List<EarlyProbe>();
        var lossProbes = new Dictionary<int, EarlyProbe>();
        var sharpnessProbes = new Dictionary<int, EarlyProbe>();
        EarlyProbe Cached(Dictionary<int, EarlyProbe> cache, int index, EarlyProbeKind kind)
        {
            if (!cache.TryGetValue(index, out var probe))
            {
                probe = session.Probe(index, kind);
                cache[index] = probe;
                probes.Add(probe);
                onProbe?.Invoke(probe);
            }

            return probe;
        }

        int firstRise = GridSearch.FirstTrue(grid.Count, i => Cached(lossProbes, i, EarlyProbeKind.Loss).LossRose, options.Search);
        int lastStable = GridSearch.LastFalse(grid.Count, i => Cached(lossProbes, i, EarlyProbeKind.Loss).Diverged, options.Search);
        int? firstSharpRise = options.MeasureSharpness
            ? GridSearch.FirstTrue(grid.Count, i => Cached(sharpnessProbes, i, EarlyProbeKind.Sharpness).SharpnessRose == true, options.Search)
            : null;

        var violations = new List<string>();
        void Check(string what, Dictionary<int, EarlyProbe> cache, Func<EarlyProbe, bool> property, int boundary) =>
            violations.AddRange(GridSearch.MonotonicityViolations(cache.ToDictionary(e => e.Key, e => property(e.Value)), boundary)
                .Select(i => FormattableString.Invariant($"{what} {(i < boundary ? "present" : "absent")} at c = {grid[i]:G4}")));
        Check("loss rise", lossProbes, p => p.LossRose, firstRise);
        Check("divergence", lossProbes, p => p.Diverged, lastStable + 1);
        if (firstSharpRise is int s)
        {
            Check("sharpness rise", sharpnessProbes, p => p.SharpnessRose == true, s);
        }

        return new EarlyPhaseResult
        {
            InitialSharpness = initial.Sharpness,
            InitialNtk = initial.Ntk,
            InitialConverged = initial.Converged,
            InitialMatvecs = initial.Matvecs,
            InitialLoss = initial.Loss,
            OutputRatio = initial.OutputRatio,
            FirstStepConstant = initial.FirstStep,
            LossConstant = CriticalConstant.FromFirstTrue(grid, firstRise),
            SharpnessConstant = firstSharpRise is int sharp ? CriticalConstant.FromFirstTrue(grid, sharp) : null,
            MaxConstant = CriticalConstant.FromLastFalse(grid, lastStable),
            MonotonicityViolations = violations,
            Probes = probes,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    private sealed record InitialValues(double Sharpness, double Ntk, bool Converged, int Matvecs, double Loss, double OutputRatio, double FirstStep);

    /// <summary>The state shared by the probes of one experiment: the initial model, the measurement set, λ_H(0) and its eigenvector.</summary>
    private sealed class Session : IDisposable
    {
        private readonly NetworkModule _model;
        private readonly ExampleSet _train;
        private readonly EarlyPhaseOptions _options;
        private readonly SharpnessTrackerOptions _measure;
        private readonly LossFunction _loss;
        private readonly Tensor _inputs;
        private readonly Tensor _targets;
        private double _initialSharpness = double.NaN;
        private double[]? _initialVector;

        public Session(NetworkModule model, ExampleSet train, EarlyPhaseOptions options)
        {
            _model = model;
            _train = train;
            _options = options;
            _measure = options.Measurement;
            _loss = options.Trainer.Loss;
            int examples = Math.Min(_measure.MeasurementExamples, train.Count);
            using var scope = NewDisposeScope();
            _inputs = train.Inputs.narrow(0, 0, examples).detach().to(_measure.Precision, copy: true).DetachFromDisposeScope();
            _targets = train.Targets.narrow(0, 0, examples).detach().to(_loss.TargetType(_measure.Precision), copy: true).DetachFromDisposeScope();
        }

        public InitialValues MeasureInitial()
        {
            using var scope = NewDisposeScope();
            EigenResult hessian, gaussNewton;
            double gradientSquared, curvature;
            using (var op = new AutogradHessianOperator(_model, _loss, _inputs, _targets, _measure.HvpBatchSize, _measure.Precision))
            {
                hessian = Solve(op, start: null, bound: null);

                // The second-order model of the first GD step along g: L(θ − ηg) = L − η|g|² + ½η² gᵀHg.
                var gradient = new double[op.Size];
                var product = new double[op.Size];
                op.LossAndGradient(gradient);
                op.Apply(gradient, product);
                gradientSquared = gradient.Sum(x => x * x);
                curvature = gradient.Select((x, i) => x * product[i]).Sum();
            }

            _initialSharpness = Top(hessian);
            _initialVector = UsableVector(hessian);

            // The top directions of H and G are close when the residual term is small: start G's Lanczos from H's
            // vector (same stop rule, so the same accuracy, usually fewer products).
            using (var op = new GaussNewtonOperator(_model, _loss, _inputs, _targets, _measure.HvpBatchSize, _measure.Precision))
            {
                gaussNewton = Solve(op, start: _initialVector, bound: null);
            }

            double loss = Evaluation.Evaluate(_model, _loss, _train, _options.Trainer.PhysicalBatchSize).Loss;
            double firstStep = curvature > 0 ? 2 * gradientSquared / curvature * _initialSharpness : double.PositiveInfinity;
            return new InitialValues(_initialSharpness, Top(gaussNewton), hessian.Converged && gaussNewton.Converged, hessian.Matvecs + gaussNewton.Matvecs + 1, loss, OutputRatio(), firstStep);
        }

        public EarlyProbe Probe(int index, EarlyProbeKind kind)
        {
            var clock = Stopwatch.StartNew();
            double c = _options.Grid[index];
            double learningRate = c / _initialSharpness;
            var config = _options.Trainer with
            {
                LearningRate = LearningRateSpec.Absolute(learningRate),
                MaxSteps = _options.Steps,
                Tracking = null,
                TrainAccuracyGoal = null,
                LossGoal = null,
            };
            bool stochastic = config.Optimizer == OptimizerKind.StochasticGradientDescent;
            var losses = new List<double>();
            var sharpness = new List<double> { _initialSharpness };
            var lowerBound = new List<bool> { false };
            var residuals = new List<double> { double.NaN };
            double[]? warm = _initialVector;
            bool rose = false;
            int matvecs = 0;
            using var copy = _model.Clone(_model.DType);
            using var stop = new CancellationTokenSource();
            void OnStep(TrainingStepRecord record)
            {
                // Under SGD the record holds the mini-batch's loss; the criterion compares whole-set losses.
                double stepLoss = stochastic ? Evaluation.Evaluate(copy, _loss, _train, config.PhysicalBatchSize).Loss : record.Loss;
                losses.Add(stepLoss);
                if (record.Step == 0 || kind != EarlyProbeKind.Sharpness)
                {
                    return;
                }

                double value = double.NaN, residual = double.NaN;
                bool lower = false;
                if (double.IsFinite(stepLoss))
                {
                    using var op = new AutogradHessianOperator(copy, _loss, _inputs, _targets, _measure.HvpBatchSize, _measure.Precision);
                    var result = Solve(op, warm, _initialSharpness);
                    matvecs += result.Matvecs;
                    value = Top(result);
                    residual = result.Residuals.Length > 0 ? result.Residuals[0] : double.NaN;
                    lower = result.StopReason == StopReason.Cancelled && value > _initialSharpness;
                    warm = UsableVector(result) ?? warm;
                }

                sharpness.Add(value);
                lowerBound.Add(lower);
                residuals.Add(residual);
                // A sharpness that is not finite (or a loss that is not) has left every bound: a rise.
                if (!(value <= _initialSharpness))
                {
                    rose = true;
                    stop.Cancel();
                }
            }

            var run = Trainer.Run(copy, config, _train, onStep: OnStep, cancellationToken: stop.Token);
            bool diverged = run.Diverged || losses.Any(l => !double.IsFinite(l) || l > config.DivergenceThreshold);
            int? divergedAt = run.DivergedAtStep ?? (diverged ? losses.FindIndex(l => !double.IsFinite(l) || l > config.DivergenceThreshold) : null);
            return new EarlyProbe
            {
                GridIndex = index,
                C = c,
                LearningRate = learningRate,
                Kind = kind,
                Losses = losses,
                Sharpness = kind == EarlyProbeKind.Sharpness ? sharpness : Enumerable.Repeat(double.NaN, losses.Count).Select((v, t) => t == 0 ? _initialSharpness : v).ToArray(),
                SharpnessLowerBound = kind == EarlyProbeKind.Sharpness ? lowerBound : new bool[losses.Count],
                SharpnessResiduals = kind == EarlyProbeKind.Sharpness ? residuals : Enumerable.Repeat(double.NaN, losses.Count).ToArray(),
                Diverged = diverged,
                DivergedAtStep = divergedAt,
                SharpnessRose = kind == EarlyProbeKind.Sharpness ? rose : null,
                Matvecs = matvecs,
                Seconds = clock.Elapsed.TotalSeconds,
            };
        }

        public void Dispose()
        {
            _inputs.Dispose();
            _targets.Dispose();
        }

        private EigenResult Solve(ILinearOperator op, double[]? start, double? bound)
        {
            var criteria = new List<IEigenStopCriterion> { StopCriteria.Divergence() };
            if (bound is double b)
            {
                criteria.Add(new RitzValueAboveCriterion(b));
                if (_options.DecideBelowAfter is int after)
                {
                    criteria.Add(new RitzIntervalBelowCriterion(b, after));
                }
            }

            criteria.Add(StopCriteria.Residual(_measure.ResidualTolerance));
            criteria.Add(StopCriteria.MaxMatvecs(_measure.MaxMatvecs));
            return Lanczos.Solve(op, new EigenSolverOptions
            {
                StartVector = start,
                Seed = _measure.Seed,
                StopCriterion = StopCriteria.Any([.. criteria]),
                MaxBasisSize = _measure.MaxBasisSize,
            });
        }

        private static double Top(EigenResult result) => result.Eigenvalues.Length > 0 ? result.Eigenvalues[0] : double.NaN;

        private static double[]? UsableVector(EigenResult result) =>
            result.Eigenvectors.Length > 0 && result.Eigenvectors[0].All(double.IsFinite) ? result.Eigenvectors[0] : null;

        /// <summary>‖f‖/‖y‖ (Frobenius) on the measurement set, one-hot y for cross-entropy.</summary>
        private double OutputRatio()
        {
            using var scope = NewDisposeScope();
            using var copy = _model.Clone(_measure.Precision);
            using var noGrad = no_grad();
            double outputs = 0, targets = 0;
            long n = _inputs.shape[0];
            for (long start = 0; start < n; start += _measure.HvpBatchSize)
            {
                using var batchScope = NewDisposeScope();
                long count = Math.Min(_measure.HvpBatchSize, n - start);
                Tensor f = copy.forward(_inputs.narrow(0, start, count));
                Tensor y = Evaluation.TargetMatrix(_targets.narrow(0, start, count), _loss, _model.OutputDimension, _measure.Precision);
                outputs += f.Squared().sum().to(ScalarType.Float64).item<double>();
                targets += y.Squared().sum().to(ScalarType.Float64).item<double>();
            }

            return Math.Sqrt(outputs / targets);
        }
    }
}
