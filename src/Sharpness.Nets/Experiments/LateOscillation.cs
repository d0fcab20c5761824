namespace Sharpness.Nets.Experiments;

/// <summary>A change of the detected period between two neighbouring learning rates (<see cref="LateOscillation.PeriodDoublings"/>).</summary>
/// <param name="FromPeriod">Period at the smaller learning rate.</param>
/// <param name="ToPeriod">Period at the larger learning rate (twice <paramref name="FromPeriod"/>).</param>
/// <param name="FromLearningRate">The smaller learning rate.</param>
/// <param name="ToLearningRate">The larger learning rate.</param>
public sealed record PeriodChange(int FromPeriod, int ToPeriod, double FromLearningRate, double ToLearningRate);

/// <summary>
/// Labels the late-time behaviour of a run at large η from the period and Lyapunov estimates of a
/// measured series, and finds period doublings across learning rates.
/// </summary>
/// <remarks>
/// The label is, in order: "diverged" when the run diverged; "period-p" when <see cref="OscillationPeriod"/>
/// found period p (period-1 means no step-to-step oscillation: the series is smooth on the step scale,
/// whose nearest neighbours in value would separate without any instability); "transient" when no
/// period fits and the oscillation grows or decays by more than a factor 2 across the window (an
/// instability on its way somewhere, not a stationary orbit); "chaos" when no period fits, the
/// amplitude is steady and the Lyapunov estimate exceeds <see cref="ChaosThreshold"/> with at least
/// <see cref="MinimumPairs"/> neighbour pairs; "aperiodic" otherwise (no period, no clear positive
/// exponent: noise, drift or a series too short to tell). <see cref="AmplitudeTrend"/> says whether a
/// detected oscillation is steady.
/// </remarks>
public static class LateOscillation
{
    /// <summary>Lyapunov estimate (natural log per step) above which an aperiodic series is called chaotic.</summary>
    public const double ChaosThreshold = 0.05;

    /// <summary>Fewest neighbour pairs behind a Lyapunov estimate that can support "chaos".</summary>
    public const int MinimumPairs = 10;

    /// <summary>The label of one series.</summary>
    /// <param name="diverged">Whether the run diverged.</param>
    /// <param name="period">Its period estimate (null when the run diverged before the window).</param>
    /// <param name="lyapunov">Its Lyapunov estimate (null when not computed).</param>
    public static string Label(bool diverged, PeriodEstimate? period, LyapunovEstimate? lyapunov)
    {
        if (!diverged && period is { Period: null } && AmplitudeTrend(period) != "steady")
        {
            return "transient";
        }

        if (diverged || period is null)
        {
            return "diverged";
        }

        if (period.Period is int p)
        {
            return FormattableString.Invariant($"period-{p}");
        }

        return lyapunov is { Pairs: >= MinimumPairs } l && l.Exponent > ChaosThreshold ? "chaos" : "aperiodic";
    }

    /// <summary>"growing" when the detrended oscillation's second half is more than twice its first half (root mean square), "decaying" below half, "steady" otherwise.</summary>
    /// <param name="period">A period estimate.</param>
    public static string AmplitudeTrend(PeriodEstimate period)
    {
        ArgumentNullException.ThrowIfNull(period);
        return period.AmplitudeGrowth > 2 ? "growing" : period.AmplitudeGrowth < 0.5 ? "decaying" : "steady";
    }

    /// <summary>
    /// The doublings p → 2p between neighbouring learning rates, in increasing η (1 → 2 is the onset of
    /// the period-2 oscillation; 2 → 4 and beyond are period doublings proper). Runs without a period
    /// break the sequence.
    /// </summary>
    /// <param name="runs">Learning rate and detected period (null: none) of each run, in any order.</param>
    public static IReadOnlyList<PeriodChange> PeriodDoublings(IReadOnlyList<(double LearningRate, int? Period)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var ordered = runs.OrderBy(r => r.LearningRate).ToArray();
        var changes = new List<PeriodChange>();
        for (int i = 1; i < ordered.Length; i++)
        {
            if (ordered[i - 1].Period is int from && ordered[i].Period is int to && to == 2 * from)
            {
                changes.Add(new PeriodChange(from, to, ordered[i - 1].LearningRate, ordered[i].LearningRate));
            }
        }

        return changes;
    }
}
