namespace Sharpness.Nets.Experiments;

/// <summary>What an early-training probe measured besides the loss.</summary>
public enum EarlyProbeKind
{
    /// <summary>The loss at every step (for c_loss and c_max); runs all steps unless it diverges.</summary>
    Loss,

    /// <summary>
    /// The loss and the Hessian sharpness at every step after the first (for c_sharp); stops at the first
    /// step whose sharpness exceeds λ_H(0).
    /// </summary>
    Sharpness,
}

/// <summary>
/// One short training run of the early-phase experiment: η = c/λ_H(0) from the shared initial weights for
/// up to T steps, with its loss trajectory and, for <see cref="EarlyProbeKind.Sharpness"/> probes, the
/// sharpness trajectory.
/// </summary>
public sealed record EarlyProbe
{
    /// <summary>Index of c on the grid.</summary>
    public required int GridIndex { get; init; }

    /// <summary>The constant c = η λ_H(0).</summary>
    public required double C { get; init; }

    /// <summary>The learning rate η = c/λ_H(0).</summary>
    public required double LearningRate { get; init; }

    /// <summary>Loss-only or with the sharpness.</summary>
    public required EarlyProbeKind Kind { get; init; }

    /// <summary>
    /// The training loss at steps 0, 1, …, <see cref="StepsRun"/> (the whole training set's mean loss, also
    /// under SGD). Step 0 is the shared initial loss.
    /// </summary>
    public required IReadOnlyList<double> Losses { get; init; }

    /// <summary>
    /// λ_H at steps 0, 1, … (step 0 is λ_H(0)); NaN where not measured (loss probes, and a step at which the
    /// loss was not finite). A value marked in <see cref="SharpnessLowerBound"/> is a certified lower bound.
    /// </summary>
    public required IReadOnlyList<double> Sharpness { get; init; }

    /// <summary>
    /// Per step: whether <see cref="Sharpness"/> is a lower bound (a Lanczos Ritz value, never above the top
    /// eigenvalue, that already exceeded λ_H(0), so the solver stopped there) rather than a converged value.
    /// </summary>
    public required IReadOnlyList<bool> SharpnessLowerBound { get; init; }

    /// <summary>
    /// Per step: the residual ρ = ‖Hv − θv‖ of the reported sharpness θ (NaN where not measured). A measurement that
    /// stopped because θ + ρ fell below λ_H(0) is accurate to ρ, which can be much looser than the tolerance.
    /// </summary>
    public required IReadOnlyList<double> SharpnessResiduals { get; init; }

    /// <summary>Updates applied before the run ended (T, or fewer when it diverged or stopped at a sharpness rise).</summary>
    public int StepsRun => Losses.Count - 1;

    /// <summary>Whether the loss exceeded 1e5 (the trainer's divergence threshold) or was not finite.</summary>
    public required bool Diverged { get; init; }

    /// <summary>The step at which divergence was detected, or null.</summary>
    public int? DivergedAtStep { get; init; }

    /// <summary>Whether some step t ≥ 1 had a loss above the initial loss (a non-finite loss counts).</summary>
    public bool LossRose => Losses.Skip(1).Any(l => !(l <= Losses[0]));

    /// <summary>max over steps t ≥ 1 of L_t / L_0 (infinity when a loss was not finite; NaN without steps).</summary>
    public double MaxLossRatio => Losses.Count < 2 ? double.NaN
        : Losses.Skip(1).Select(l => double.IsFinite(l) ? l / Losses[0] : double.PositiveInfinity).Max();

    /// <summary>
    /// For sharpness probes: whether λ_H at some step t ≥ 1 exceeded λ_H(0). A run whose loss became non-finite
    /// before any rise was measured counts as a rise (its sharpness left every bound); null for loss probes.
    /// </summary>
    public bool? SharpnessRose { get; init; }

    /// <summary>max over measured steps t ≥ 1 of λ_H(t)/λ_H(0) (NaN when none was measured).</summary>
    public double MaxSharpnessRatio
    {
        get
        {
            var measured = Sharpness.Skip(1).Where(double.IsFinite).ToArray();
            return measured.Length == 0 ? double.NaN : measured.Max() / Sharpness[0];
        }
    }

    /// <summary>Hessian-vector products used by the probe's sharpness measurements.</summary>
    public required int Matvecs { get; init; }

    /// <summary>Wall-clock time of the probe in seconds.</summary>
    public required double Seconds { get; init; }
}
