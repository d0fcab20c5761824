namespace Sharpness.Uv.Simulation;

/// <summary>
/// One category per run for phase diagrams, from its labels by precedence: divergence, chaos, EoS
/// period 2, EoS period ≥ 4, catapult, self-stabilised EoS, then for converged runs the first
/// early trend (sharpness reduction, else progressive sharpening, else converged), transient, and
/// marginal (aperiodic with a largest Lyapunov exponent within its uncertainty of zero).
/// </summary>
public static class RegimeCategory
{
    /// <summary>Category names, indexed by <see cref="Of"/>.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "converged (no early trend)",
        "sharpness reduction, converged",
        "progressive sharpening, converged",
        "catapult",
        "self-stabilised EoS",
        "EoS period 2",
        "EoS period >= 4",
        "chaos",
        "divergence",
        "transient (run longer)",
        "marginal (exponent near 0: unresolved)",
    ];

    /// <summary>The category index of a run.</summary>
    /// <param name="report">The run's labels.</param>
    public static int Of(RegimeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var labels = report.Labels;
        return report.Outcome switch
        {
            RunOutcome.Diverged => 8,
            RunOutcome.Chaotic => 7,
            RunOutcome.Periodic => report.Period == 2 ? 5 : 6,
            RunOutcome.Transient => 9,
            RunOutcome.Marginal => 10,
            _ when labels.Contains(RegimeReport.Catapult) => 3,
            _ when labels.Contains(RegimeReport.SelfStabilisedEos) => 4,
            _ when labels.Contains(RegimeReport.SharpnessReduction) => 1,
            _ when labels.Contains(RegimeReport.ProgressiveSharpening) => 2,
            _ => 0,
        };
    }
}
