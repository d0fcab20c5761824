using System.Diagnostics;
using Sharpness.Core.Eigen;
using Sharpness.Nets.Data;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Parameters;
using TorchSharp;
using static TorchSharp.torch;

namespace Sharpness.Bench;

/// <summary>
/// Cost of measuring the sharpness at every step of a gradient-descent run:
/// <code>
/// dotnet Sharpness.Bench.dll hvp-tracking [--steps 30] [--width 128] [--examples 1000]
///     [--data fashion-mnist|synthetic] [--eta-factor 1.9] [--tolerance 1e-4] [--power-steps 20]
///     [--residual 1e-3] [--threads 1] [--seed 1]
/// </code>
/// Trains the tanh MLP 784-W-W-10 (float64) by full-batch GD on the mean half squared error
/// (learning rate η = eta-factor / λ₀, with λ₀ the sharpness at initialisation). At every step,
/// on the exact Hessian (<see cref="AutogradHessianOperator"/>, float64) it computes
/// <list type="bullet">
/// <item>a reference λ by Lanczos to relative residual 1e-10 (its products are not counted);</item>
/// <item><b>warm Lanczos</b>: Lanczos started from the previous step's own warm-Lanczos Ritz vector (cold at
/// step 0), stopped as soon as its estimate is within the relative tolerance of the reference — the
/// fewest products that reach that accuracy;</item>
/// <item><b>warm Lanczos (residual stop)</b>: the same warm start with a stop rule usable without a
/// reference, relative residual ≤ <c>--residual</c>, with the error it reaches;</item>
/// <item><b>cold power iteration</b>: <c>--power-steps</c> plain power steps (v ← Hv/‖Hv‖, estimate the
/// Rayleigh quotient v·Hv of the last product) from a fresh random unit vector, and its error.</item>
/// </list>
/// Prints one JSON line per step and a JSON summary line (totals and ratios).
/// </summary>
internal static class HvpTracking
{
    public const string CommandName = "hvp-tracking";

    private const string Usage = "usage: hvp-tracking [--steps 30] [--width 128] [--examples 1000] [--data fashion-mnist|synthetic] [--eta-factor 1.9] [--tolerance 1e-4] [--power-steps 20] [--residual 1e-3] [--threads 1] [--seed 1]";

    private const double ReferenceTolerance = 1e-10;
    private const int Budget = 2000;

    public static int Run(ReadOnlySpan<string> args)
    {
        Dictionary<string, string> o;
        int steps, width, examples, powerSteps, threads;
        double etaFactor, tolerance, residual;
        string data;
        ulong seed;
        try
        {
            o = HvpCommon.ParsePairs(args, "steps", "width", "examples", "data", "eta-factor", "tolerance", "power-steps", "residual", "threads", "seed");
            steps = HvpCommon.GetInt(o, "steps", 30);
            width = HvpCommon.GetInt(o, "width", 128);
            examples = HvpCommon.GetInt(o, "examples", 1000);
            data = HvpCommon.Get(o, "data", "fashion-mnist");
            etaFactor = HvpCommon.GetDouble(o, "eta-factor", 1.9);
            tolerance = HvpCommon.GetDouble(o, "tolerance", 1e-4);
            powerSteps = HvpCommon.GetInt(o, "power-steps", 20);
            residual = HvpCommon.GetDouble(o, "residual", 1e-3);
            threads = HvpCommon.GetInt(o, "threads", 1);
            seed = ulong.Parse(HvpCommon.Get(o, "seed", "1"), System.Globalization.CultureInfo.InvariantCulture);
            if (steps < 1 || width < 1 || examples < 1 || powerSteps < 1 || !(etaFactor > 0) || !(tolerance > 0) || !(residual > 0) || data is not ("fashion-mnist" or "synthetic"))
            {
                throw new ArgumentException("--steps, --width, --examples, --power-steps must be ≥ 1; --eta-factor, --tolerance, --residual > 0; --data fashion-mnist or synthetic.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"hvp-tracking: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        HvpCommon.SetThreads(threads);
        using var outer = NewDisposeScope();
        var (inputs, targets) = LoadData(data, examples, seed);
        using var model = HvpCommon.Network(width, Activation.Tanh, ScalarType.Float64, seed);
        int size = ParameterVector.Count(model);
        var theta = new double[size];
        var gradient = new double[size];
        var product = new double[size];
        double[]? referenceVector = null;
        double[]? warmVector = null;
        double[]? residualVector = null;
        double eta = double.NaN;

        long warmTotal = 0, residualTotal = 0, powerTotal = 0, referenceTotal = 0;
        long warmTotalAfterFirst = 0, residualTotalAfterFirst = 0, powerTotalAfterFirst = 0;
        int powerReached = 0, residualReached = 0, referenceConverged = 0;
        double worstPowerError = 0, worstResidualError = 0, worstWarmError = 0;
        var powerErrors = new double[steps];
        var clock = Stopwatch.StartNew();

        for (int t = 0; t < steps; t++)
        {
            using var scope = NewDisposeScope();
            using var op = new AutogradHessianOperator(model, LossFunction.HalfSquaredError, inputs, targets, batchSize: examples, precision: ScalarType.Float64);
            double loss = op.LossAndGradient(gradient);

            EigenResult reference = Lanczos.Solve(op, new EigenSolverOptions
            {
                Count = 1,
                StartVector = referenceVector,
                Seed = seed + 11,
                StopCriterion = StopCriteria.Default(Budget, ReferenceTolerance),
            });
            double lambda = reference.Eigenvalues[0];
            referenceVector = reference.Eigenvectors[0];
            referenceTotal += reference.Matvecs;
            referenceConverged += reference.Converged ? 1 : 0;

            EigenResult warm = Lanczos.Solve(op, new EigenSolverOptions
            {
                Count = 1,
                StartVector = warmVector,
                Seed = seed + 13,
                StopCriterion = StopCriteria.Any(StopCriteria.Divergence(), new WithinOf(lambda, tolerance), StopCriteria.MaxMatvecs(Budget)),
            });
            warmVector = warm.Eigenvectors[0];
            double warmError = Math.Abs(warm.Eigenvalues[0] - lambda) / Math.Abs(lambda);

            EigenResult practical = Lanczos.Solve(op, new EigenSolverOptions
            {
                Count = 1,
                StartVector = residualVector,
                Seed = seed + 13,
                StopCriterion = StopCriteria.Default(Budget, residual),
            });
            residualVector = practical.Eigenvectors[0];
            double residualError = Math.Abs(practical.Eigenvalues[0] - lambda) / Math.Abs(lambda);

            // Cold power iteration from a fresh random unit vector.
            double[] v = HvpCommon.RandomUnit(size, seed, 100 + (ulong)t);
            double estimate = double.NaN;
            double bestPowerError = double.PositiveInfinity;
            for (int k = 0; k < powerSteps; k++)
            {
                op.Apply(v, product);
                estimate = HvpCommon.Dot(v, product);
                bestPowerError = Math.Min(bestPowerError, Math.Abs(estimate - lambda) / Math.Abs(lambda));
                double norm = Math.Sqrt(HvpCommon.Dot(product, product));
                for (int i = 0; i < size; i++)
                {
                    v[i] = product[i] / norm;
                }
            }

            double powerError = Math.Abs(estimate - lambda) / Math.Abs(lambda);
            powerErrors[t] = powerError;

            warmTotal += warm.Matvecs;
            residualTotal += practical.Matvecs;
            powerTotal += powerSteps;
            if (t > 0)
            {
                warmTotalAfterFirst += warm.Matvecs;
                residualTotalAfterFirst += practical.Matvecs;
                powerTotalAfterFirst += powerSteps;
            }

            powerReached += powerError <= tolerance ? 1 : 0;
            residualReached += residualError <= tolerance ? 1 : 0;
            worstPowerError = Math.Max(worstPowerError, powerError);
            worstResidualError = Math.Max(worstResidualError, residualError);
            worstWarmError = Math.Max(worstWarmError, warmError);

            if (t == 0)
            {
                eta = etaFactor / lambda;
            }

            int stepIndex = t;
            HvpCommon.WriteJson(json =>
            {
                json.WriteNumber("step", stepIndex);
                json.WriteNumber("loss", loss);
                json.WriteNumber("sharpness", lambda);
                json.WriteNumber("two_over_eta", 2 / eta);
                json.WriteNumber("reference_matvecs", reference.Matvecs);
                json.WriteBoolean("reference_converged", reference.Converged);
                json.WriteNumber("warm_matvecs", warm.Matvecs);
                json.WriteNumber("warm_error", warmError);
                json.WriteNumber("residual_stop_matvecs", practical.Matvecs);
                json.WriteNumber("residual_stop_error", residualError);
                json.WriteNumber("power_matvecs", powerSteps);
                json.WriteNumber("power_error", powerError);
                json.WriteNumber("power_best_error", bestPowerError);
            });

            // Gradient-descent step θ ← θ − η ∇L.
            ParameterVector.Flatten(model, theta);
            for (int i = 0; i < size; i++)
            {
                theta[i] -= eta * gradient[i];
            }

            ParameterVector.Unflatten(model, theta);
        }

        HvpCommon.WriteJson(json =>
        {
            json.WriteString("summary", "hvp-tracking");
            json.WriteString("data", data);
            json.WriteNumber("examples", examples);
            json.WriteNumber("width", width);
            json.WriteNumber("parameters", size);
            json.WriteNumber("steps", steps);
            json.WriteNumber("eta", eta);
            json.WriteNumber("eta_factor", etaFactor);
            json.WriteNumber("tolerance", tolerance);
            json.WriteNumber("threads", torch.get_num_threads());
            json.WriteNumber("reference_matvecs_total", referenceTotal);
            json.WriteNumber("reference_converged_steps", referenceConverged);
            json.WriteNumber("warm_matvecs_total", warmTotal);
            json.WriteNumber("warm_worst_error", worstWarmError);
            json.WriteNumber("residual_stop", residual);
            json.WriteNumber("residual_stop_matvecs_total", residualTotal);
            json.WriteNumber("residual_stop_worst_error", worstResidualError);
            json.WriteNumber("residual_stop_steps_within_tolerance", residualReached);
            json.WriteNumber("power_matvecs_total", powerTotal);
            json.WriteNumber("power_steps_within_tolerance", powerReached);
            json.WriteNumber("power_median_error", HvpCommon.Median(powerErrors));
            json.WriteNumber("power_worst_error", worstPowerError);
            json.WriteNumber("ratio_warm_to_power", (double)warmTotal / powerTotal);
            json.WriteNumber("ratio_residual_stop_to_power", (double)residualTotal / powerTotal);
            json.WriteNumber("warm_matvecs_after_first", warmTotalAfterFirst);
            json.WriteNumber("residual_stop_matvecs_after_first", residualTotalAfterFirst);
            json.WriteNumber("power_matvecs_after_first", powerTotalAfterFirst);
            json.WriteNumber("ratio_warm_to_power_after_first", (double)warmTotalAfterFirst / Math.Max(powerTotalAfterFirst, 1));
            json.WriteNumber("seconds", clock.Elapsed.TotalSeconds);
        });
        return 0;
    }

    private static (Tensor Inputs, Tensor Targets) LoadData(string data, int examples, ulong seed)
    {
        if (data == "synthetic")
        {
            return HvpCommon.SyntheticData(examples, seed);
        }

        using var splits = ImageDatasets.Load(new ImageDatasetOptions
        {
            Kind = ImageDatasetKind.FashionMnist,
            TrainCount = examples,
            TestCount = 1,
            DType = ScalarType.Float64,
        });
        Tensor inputs = splits.Train.Inputs.to(ScalarType.Float64).clone();
        Tensor targets = splits.Train.TargetsFor(LossFunction.HalfSquaredError).to(ScalarType.Float64).clone();
        return (inputs, targets);
    }

    /// <summary>Stops (as converged) once the leading estimate is within a relative tolerance of a known value.</summary>
    private sealed class WithinOf(double reference, double tolerance) : IEigenStopCriterion
    {
        public StopReason Check(in EigenIterationState state) =>
            state.Eigenvalues.Count > 0 && Math.Abs(state.Eigenvalues[0] - reference) <= tolerance * Math.Abs(reference)
                ? StopReason.Converged
                : StopReason.None;
    }
}
