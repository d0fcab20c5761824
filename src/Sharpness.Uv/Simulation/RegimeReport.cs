namespace Sharpness.Uv.Simulation;

/// <summary>Regime labels of a finished run (uv-model.md section 8) and how the run ended.</summary>
public sealed record RegimeReport
{
    /// <summary>Label: λ_H falls in the early steps (its first significant move is downward).</summary>
    public const string SharpnessReduction = "sharpness-reduction";

    /// <summary>Label: λ_H rises while the loss falls (by at least 1 % over consecutive such steps).</summary>
    public const string ProgressiveSharpening = "progressive-sharpening";

    /// <summary>Label: ηλ₀ &gt; 2, the loss rises above its initial value early on, then the run converges.</summary>
    public const string Catapult = "catapult";

    /// <summary>Label: starts below ηλ = 2, crosses it, oscillates and converges below it (r &lt; 1).</summary>
    public const string SelfStabilisedEos = "self-stabilised-eos";

    /// <summary>Label prefix of persistent oscillation of period p ≥ 2: "eos-period-2", "eos-period-4", ...</summary>
    public const string EosPeriodPrefix = "eos-period-";

    /// <summary>Label: bounded aperiodic oscillation with a positive largest Lyapunov exponent.</summary>
    public const string Chaos = "chaos";

    /// <summary>
    /// Label: bounded, aperiodic, and the largest Lyapunov exponent of the tail is within twice its
    /// uncertainty of zero: neither chaos nor a settled orbit can be claimed (the flip line r = 1,
    /// where the orbit approaches a marginal fixed point algebraically, is the typical case).
    /// </summary>
    public const string Marginal = "marginal";

    /// <summary>Label: |f| or λ grew past the divergence threshold or became non-finite.</summary>
    public const string Divergence = "divergence";

    /// <summary>The labels that apply, in the order of the table in uv-model.md section 8.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>
    /// The early-trend labels (<see cref="SharpnessReduction"/>, <see cref="ProgressiveSharpening"/>)
    /// decided on the NTK λ instead of λ_H. They differ when the output starts far from the target
    /// (λ_H exceeds λ there): a μP-like run can sharpen in λ while λ_H falls.
    /// </summary>
    public required IReadOnlyList<string> NtkLabels { get; init; }

    /// <summary>How the run ended.</summary>
    public required RunOutcome Outcome { get; init; }

    /// <summary>Period of the late dynamics (1 = converged to a fixed point), or null when none ≤ 64 was found.</summary>
    public int? Period { get; init; }

    /// <summary>Largest Lyapunov exponent of the late dynamics of the scaled map (natural log per step), or null when not computed (diverged or too short).</summary>
    public double? LyapunovExponent { get; init; }

    /// <summary>Uncertainty of <see cref="LyapunovExponent"/> (spread and drift over ten blocks of the tail, see <see cref="Core.Dynamics.LyapunovEstimate"/>), or null when the exponent was not computed.</summary>
    public double? LyapunovUncertainty { get; init; }
}

/// <summary>How a run ended.</summary>
public enum RunOutcome
{
    /// <summary>Settled at a minimum (Δf → 0).</summary>
    Converged,

    /// <summary>Settled on a periodic orbit of period ≥ 2.</summary>
    Periodic,

    /// <summary>Bounded, aperiodic, positive largest Lyapunov exponent.</summary>
    Chaotic,

    /// <summary>Stopped by divergence.</summary>
    Diverged,

    /// <summary>Still moving at the end of the step budget: neither settled nor provably chaotic.</summary>
    Transient,

    /// <summary>Bounded and aperiodic with a largest Lyapunov exponent within its uncertainty of zero: marginal, unresolved (never called chaos).</summary>
    Marginal,
}
