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
