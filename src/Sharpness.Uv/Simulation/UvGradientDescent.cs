using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Model;

namespace Sharpness.Uv.Simulation;

/// <summary>
/// Full-batch gradient descent of the UV model in parameter space (the reduced (u, v) form, exact
/// for any input dimension), recording per step the loss, output, NTK, closed-form Hessian
/// sharpness and the invariant Q, and stopping at divergence with the data kept.
/// </summary>
public static class UvGradientDescent
{
    /// <summary>Initialises the model of <paramref name="model"/> and trains it.</summary>
    /// <param name="model">Model configuration (validated).</param>
    /// <param name="training">Training settings (validated).</param>
    /// <param name="cancellationToken">Stops the run early; the records so far are returned.</param>
    /// <param name="onStep">Sees every record as soon as it is made (for progress), or null.</param>
    public static UvRunResult Run(UvModelConfig model, UvTrainingConfig training, CancellationToken cancellationToken = default, Action<UvStepRecord>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Run(UvNetwork.Create(model), model.Target, training, cancellationToken, onStep);
    }

    /// <summary>
    /// Checks that a run can start: the normaliser's inverse is finite, and the initial output,
    /// NTK, loss, Hessian sharpness, learning rate and scaled state (ηλ, ηf/s) are all finite. A
    /// configuration that fails (an init scale of 1e308, a normaliser of 1e-320, weights of 1e308)
    /// would be non-finite at step 0, which is not a divergence but an unusable input.
    /// </summary>
    /// <param name="model">Model configuration (validated).</param>
    /// <param name="learningRate">How η is chosen.</param>
    /// <returns>Null when the run can start, else what is not finite and why.</returns>
    public static UvStartProblem? CheckStart(UvModelConfig model, LearningRateSpec learningRate)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(learningRate);
        if (!double.IsFinite(1 / model.Normaliser) || !double.IsFinite(1 / model.EffectiveNormaliser) || !double.IsFinite(model.EffectiveNormaliser))
        {
            return new UvStartProblem(UvStartCause.Normaliser, $"the normaliser S = {model.Normaliser:G6} has no finite inverse (1/S = {1 / model.Normaliser:G6})");
        }

        var network = UvNetwork.Create(model);
        double output = network.Output, ntk = network.Ntk;
        double sharpness = UvSharpness.Hessian(new UvFunctionState(output, ntk), model.Target, network.Normaliser, network.Width);
        double residual = output - model.Target;
        if (!double.IsFinite(output) || !double.IsFinite(ntk) || !double.IsFinite(sharpness) || !double.IsFinite(0.5 * residual * residual))
        {
            // Finite weights with a target of 0 would start finitely: the target's residual is at fault.
            bool targetAtFault = double.IsFinite(output) && double.IsFinite(ntk) && double.IsFinite(0.5 * output * output)
                && double.IsFinite(UvSharpness.Hessian(new UvFunctionState(output, ntk), 0, network.Normaliser, network.Width));
            return targetAtFault
                ? new UvStartProblem(UvStartCause.Target, $"the initial state is not finite for the target y = {model.Target:G6} (f(0) = {output:G6}, loss(0) = {0.5 * residual * residual:G6}, lambda_H(0) = {sharpness:G6})")
                : new UvStartProblem(UvStartCause.Weights, $"the initial state is not finite (f(0) = {output:G6}, NTK lambda(0) = {ntk:G6}, lambda_H(0) = {sharpness:G6})");
        }

        if (learningRate.IsRelativeToInitialSharpness && !(sharpness > 0))
        {
            return null; // η = c/λ_H(0) needs λ_H(0) > 0, which the caller reports in its own words
        }

        double eta = learningRate.Resolve(sharpness);
        var scaled = UvScaledState.FromPhysical(new UvFunctionState(output, ntk), eta, network.Normaliser);
        return double.IsFinite(eta) && eta > 0 && double.IsFinite(eta * sharpness) && double.IsFinite(scaled.G) && double.IsFinite(scaled.X)
            ? null
            : new UvStartProblem(UvStartCause.LearningRate, $"eta = {eta:G6} makes the initial scaled state non-finite (eta*lambda_H(0) = {eta * sharpness:G6}, eta*f(0)/s = {scaled.G:G6})");
    }

    /// <summary>Trains a copy of <paramref name="network"/> (the argument is not modified).</summary>
    /// <param name="network">Initial weights.</param>
    /// <param name="target">y.</param>
    /// <param name="training">Training settings (validated).</param>
    /// <param name="cancellationToken">Stops the run early; the records so far are returned.</param>
    /// <param name="onStep">Sees every record as soon as it is made (for progress), or null.</param>
    public static UvRunResult Run(UvNetwork network, double target, UvTrainingConfig training, CancellationToken cancellationToken = default, Action<UvStepRecord>? onStep = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(training);
        training.Validate();
        var net = network.Clone();
        double s = net.Normaliser;
        int n = net.Width;
        double initialSharpness = UvSharpness.Hessian(new UvFunctionState(net.Output, net.Ntk), target, s, n);
        double eta = training.LearningRate.Resolve(initialSharpness);
        double rho = 1 - eta * training.WeightDecay;

        var records = new List<UvStepRecord>(Math.Min(training.Steps, 1 << 20) + 1);
        bool diverged = false;
        int? divergedAt = null;
        for (int t = 0; ; t++)
        {
            var state = new UvFunctionState(net.Output, net.Ntk);
            var scaled = UvScaledState.FromPhysical(state, eta, s);
            if (!double.IsFinite(state.Output) || !double.IsFinite(state.Ntk))
            {
                (diverged, divergedAt) = (true, t);
                break;
            }

            records.Add(Record(t, state, eta, target, s, n, scaled));
            onStep?.Invoke(records[^1]);
            if (Math.Abs(scaled.G) > training.DivergenceThreshold || scaled.X > training.DivergenceThreshold)
            {
                (diverged, divergedAt) = (true, t);
                break;
            }

            if (t == training.Steps || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            net.Step(eta, target, training.WeightDecay);
        }

        if (records.Count == 0)
        {
            throw new ArgumentException("The initial state is not finite; check the configuration with CheckStart before running.", nameof(network));
        }

        return new UvRunResult
        {
            Records = records,
            LearningRate = eta,
            Normaliser = s,
            Target = target,
            Width = n,
            WeightDecayFactor = rho,
            Diverged = diverged,
            DivergedAtStep = divergedAt,
            Regimes = RegimeClassifier.Classify(records, eta, s, target, rho, diverged),
        };
    }

    /// <summary>The record of one state: loss, output, residual, NTK, closed-form λ_H, ηλ, ηλ_H and Q.</summary>
    /// <param name="step">Step index.</param>
    /// <param name="state">(f, λ).</param>
    /// <param name="learningRate">η.</param>
    /// <param name="target">y.</param>
    /// <param name="normaliser">s.</param>
    /// <param name="width">n.</param>
    public static UvStepRecord Record(int step, UvFunctionState state, double learningRate, double target, double normaliser, int width) =>
        Record(step, state, learningRate, target, normaliser, width, UvScaledState.FromPhysical(state, learningRate, normaliser));

    private static UvStepRecord Record(int step, UvFunctionState state, double eta, double target, double s, int n, UvScaledState scaled)
    {
        double residual = state.Output - target;
        double sharpness = UvSharpness.Hessian(state, target, s, n);
        return new UvStepRecord(step, 0.5 * residual * residual, state.Output, residual, state.Ntk, sharpness, eta * state.Ntk, eta * sharpness, scaled.Q);
    }
}

/// <summary>What makes a UV run unusable at step 0.</summary>
public enum UvStartCause
{
    /// <summary>The normaliser S (or s = S/|x|) has no finite inverse.</summary>
    Normaliser,

    /// <summary>The initial weights (drawn with the init scale, or given) make the output, NTK or sharpness non-finite.</summary>
    Weights,

    /// <summary>The learning rate makes ηλ or ηf/s non-finite.</summary>
    LearningRate,

    /// <summary>The target y makes the initial loss or sharpness non-finite (through the residual f(0) - y).</summary>
    Target,
}

/// <summary>Why a UV run cannot start (<see cref="UvGradientDescent.CheckStart"/>).</summary>
/// <param name="Cause">Which setting is at fault.</param>
/// <param name="Description">What is not finite, with the values.</param>
public sealed record UvStartProblem(UvStartCause Cause, string Description);
