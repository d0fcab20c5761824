namespace Sharpness.Nets.Experiments;

/// <summary>Whether the sharpness first fell or first rose at the start of a run.</summary>
public enum EarlySharpnessTrend
{
    /// <summary>The sharpness fell by more than the tolerance before it rose by as much (early sharpness reduction).</summary>
    Reduction,

    /// <summary>The sharpness rose by more than the tolerance before it fell by as much (progressive sharpening).</summary>
    Sharpening,

    /// <summary>The sharpness stayed within the tolerance of its initial value over the early window.</summary>
    Flat,

    /// <summary>Fewer than two measurements: no trend can be read.</summary>
    Unknown,
}

/// <summary>Thresholds of <see cref="EdgeOfStabilityAnalysis"/>; every one is reported with the results.</summary>
public sealed record EdgeOfStabilityCriteria
{
    /// <summary>
    /// The sharpness has reached the threshold 2/η when λ_H ≥ this fraction of it. Default 0.9 ("reaches
    /// 2/η within 10%").
    /// </summary>
    public double ReachFraction { get; init; } = 0.9;

    /// <summary>Lower edge of the band λ_H/(2/η) is expected to stay in after reaching it. Default 0.9.</summary>
    public double BandLow { get; init; } = 0.9;

    /// <summary>Upper edge of that band. Default 1.3.</summary>
    public double BandHigh { get; init; } = 1.3;

    /// <summary>
    /// Relative change of λ_H from its first measurement that counts as a trend (early reduction or
    /// sharpening). Default 0.05.
    /// </summary>
    public double TrendTolerance { get; init; } = 0.05;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (!(ReachFraction > 0 && ReachFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ReachFraction), ReachFraction, "The reach fraction must lie in (0, 1].");
        }

        if (!(BandLow > 0 && BandHigh > BandLow && double.IsFinite(BandHigh)))
        {
            throw new ArgumentOutOfRangeException(nameof(BandHigh), BandHigh, "The band needs 0 < low < high < infinity.");
        }

        if (!(TrendTolerance > 0 && TrendTolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TrendTolerance), TrendTolerance, "The trend tolerance must lie in (0, 1).");
        }
    }
}

/// <summary>What <see cref="EdgeOfStabilityAnalysis.Analyse"/> finds in one run.</summary>
public sealed record EdgeOfStabilityReport
{
    /// <summary>The threshold (2 + 2β)/η the sharpness is compared with.</summary>
    public required double Threshold { get; init; }

    /// <summary>Sharpness measurements in the run.</summary>
    public required int Measurements { get; init; }

    /// <summary>λ_H at the first measurement, over the threshold.</summary>
    public required double InitialRatio { get; init; }

    /// <summary>
    /// Whether the first measurement was already at or above the reach level (λ_H(0) ≥ fraction · 2/η):
    /// the run starts unstable (a catapult), and reaching is counted only after the sharpness has first
    /// dropped below the level.
    /// </summary>
    public required bool StartedAboveThreshold { get; init; }

    /// <summary>The first measured step at which the sharpness reached the threshold (see <see cref="EdgeOfStabilityCriteria.ReachFraction"/>); null if never.</summary>
    public required int? ReachStep { get; init; }

    /// <summary>Measurements from <see cref="ReachStep"/> on (inclusive).</summary>
    public required int MeasurementsAfterReach { get; init; }

    /// <summary>Mean of λ_H/(2/η) from <see cref="ReachStep"/> on; NaN if never reached.</summary>
    public required double MeanRatio { get; init; }

    /// <summary>Sample standard deviation of λ_H/(2/η) from <see cref="ReachStep"/> on (0 for one measurement); NaN if never reached.</summary>
    public required double RatioStandardDeviation { get; init; }

    /// <summary>Smallest λ_H/(2/η) from <see cref="ReachStep"/> on; NaN if never reached.</summary>
    public required double MinRatio { get; init; }

    /// <summary>Largest λ_H/(2/η) from <see cref="ReachStep"/> on; NaN if never reached.</summary>
    public required double MaxRatio { get; init; }

    /// <summary>Fraction of the measurements from <see cref="ReachStep"/> on whose ratio lies in the band; NaN if never reached.</summary>
    public required double FractionInBand { get; init; }

    /// <summary>Loss at <see cref="ReachStep"/>; NaN if never reached.</summary>
    public required double LossAtReach { get; init; }

    /// <summary>Loss at the last recorded step.</summary>
    public required double FinalLoss { get; init; }

    /// <summary>Steps after <see cref="ReachStep"/> whose loss exceeded the previous step's (non-monotone progress); 0 if never reached.</summary>
    public required int LossIncreasesAfterReach { get; init; }

    /// <summary>
    /// Whether the loss kept falling non-monotonically at the edge of stability: reached, the final
    /// loss is below the loss at reaching, and the loss rose on at least one step in between.
    /// </summary>
    public bool LossFellNonMonotonically => ReachStep is not null && FinalLoss < LossAtReach && LossIncreasesAfterReach > 0;

    /// <summary>Whether the sharpness first fell or rose (within the early window: up to the reach step, or the whole run).</summary>
    public required EarlySharpnessTrend EarlyTrend { get; init; }
}

/// <summary>
/// Reads the edge-of-stability quantities of Cohen et al. off a run's per-step loss and measured
/// sharpness: when λ_H first reaches 2/η, how it hovers there, whether the loss keeps falling
/// (non-monotonically) meanwhile, and whether the run began with sharpness reduction or sharpening.
/// </summary>
/// <remarks>
/// <para>
/// Rules (with the thresholds of <see cref="EdgeOfStabilityCriteria"/>): the ratio ρ = λ_H/(2/η) is
/// formed at the measured steps. If ρ ≥ reach fraction at the first measurement the run started above the
/// threshold (a catapult); reaching then means the first measurement with ρ ≥ reach fraction after ρ first
/// fell below it. Otherwise reaching is the first measurement with ρ ≥ reach fraction. The statistics after
/// reaching use every measurement from the reach step on. The loss-increase count compares consecutive
/// recorded steps after the reach step.
/// </para>
/// <para>
/// Early trend: walking the measurements from the first, up to and including the reach step (the whole run
/// if the threshold is never reached), the first one whose λ_H differs from the first measurement by more
/// than the tolerance (relative) decides: below is <see cref="EarlySharpnessTrend.Reduction"/>, above is
/// <see cref="EarlySharpnessTrend.Sharpening"/>; none is <see cref="EarlySharpnessTrend.Flat"/>.
/// </para>
/// </remarks>
public static class EdgeOfStabilityAnalysis
{
    /// <summary>Analyses one run.</summary>
    /// <param name="steps">Recorded steps, increasing.</param>
    /// <param name="loss">Training loss at each recorded step.</param>
    /// <param name="sharpness">λ_H at each recorded step, NaN where it was not measured.</param>
    /// <param name="threshold">The stability threshold (2 + 2β)/η, positive.</param>
    /// <param name="criteria">Thresholds; default <see cref="EdgeOfStabilityCriteria"/>.</param>
    /// <exception cref="ArgumentException">The arrays differ in length, are empty, or the steps do not increase.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is not positive and finite, or a criterion is out of range.</exception>
    public static EdgeOfStabilityReport Analyse(
        IReadOnlyList<int> steps,
        IReadOnlyList<double> loss,
        IReadOnlyList<double> sharpness,
        double threshold,
        EdgeOfStabilityCriteria? criteria = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(sharpness);
        criteria ??= new EdgeOfStabilityCriteria();
        criteria.Validate();
        if (steps.Count == 0 || loss.Count != steps.Count || sharpness.Count != steps.Count)
        {
            throw new ArgumentException($"steps, loss and sharpness must be non-empty and of equal length (got {steps.Count}, {loss.Count}, {sharpness.Count}).", nameof(steps));
        }

        for (int i = 1; i < steps.Count; i++)
        {
            if (steps[i] <= steps[i - 1])
            {
                throw new ArgumentException($"steps must increase (step {steps[i]} follows {steps[i - 1]}).", nameof(steps));
            }
        }

        if (!(threshold > 0) || !double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold 2/eta must be positive and finite.");
        }

        var measured = Enumerable.Range(0, steps.Count).Where(i => double.IsFinite(sharpness[i])).ToArray();
        double initialRatio = measured.Length > 0 ? sharpness[measured[0]] / threshold : double.NaN;
        bool startedAbove = measured.Length > 0 && initialRatio >= criteria.ReachFraction;
        int reachIndex = -1;
        bool droppedBelow = !startedAbove;
        foreach (int i in measured)
        {
            double ratio = sharpness[i] / threshold;
            if (!droppedBelow)
            {
                droppedBelow = ratio < criteria.ReachFraction;
                continue;
            }

            if (ratio >= criteria.ReachFraction)
            {
                reachIndex = i;
                break;
            }
        }

        double finalLoss = loss[^1];
        var trend = EarlyTrend(measured, sharpness, reachIndex, criteria.TrendTolerance);
        if (reachIndex < 0)
        {
            return new EdgeOfStabilityReport
            {
                Threshold = threshold,
                Measurements = measured.Length,
                InitialRatio = initialRatio,
                StartedAboveThreshold = startedAbove,
                ReachStep = null,
                MeasurementsAfterReach = 0,
                MeanRatio = double.NaN,
                RatioStandardDeviation = double.NaN,
                MinRatio = double.NaN,
                MaxRatio = double.NaN,
                FractionInBand = double.NaN,
                LossAtReach = double.NaN,
                FinalLoss = finalLoss,
                LossIncreasesAfterReach = 0,
                EarlyTrend = trend,
            };
        }

        double[] after = measured.Where(i => i >= reachIndex).Select(i => sharpness[i] / threshold).ToArray();
        double mean = after.Average();
        double sd = after.Length > 1 ? Math.Sqrt(after.Sum(r => (r - mean) * (r - mean)) / (after.Length - 1)) : 0;
        int increases = 0;
        for (int i = reachIndex + 1; i < steps.Count; i++)
        {
            if (loss[i] > loss[i - 1])
            {
                increases++;
            }
        }

        return new EdgeOfStabilityReport
        {
            Threshold = threshold,
            Measurements = measured.Length,
            InitialRatio = initialRatio,
            StartedAboveThreshold = startedAbove,
            ReachStep = steps[reachIndex],
            MeasurementsAfterReach = after.Length,
            MeanRatio = mean,
            RatioStandardDeviation = sd,
            MinRatio = after.Min(),
            MaxRatio = after.Max(),
            FractionInBand = after.Count(r => r >= criteria.BandLow && r <= criteria.BandHigh) / (double)after.Length,
            LossAtReach = loss[reachIndex],
            FinalLoss = finalLoss,
            LossIncreasesAfterReach = increases,
            EarlyTrend = trend,
        };
    }

    private static EarlySharpnessTrend EarlyTrend(int[] measured, IReadOnlyList<double> sharpness, int reachIndex, double tolerance)
    {
        if (measured.Length < 2)
        {
            return EarlySharpnessTrend.Unknown;
        }

        double first = sharpness[measured[0]];
        foreach (int i in measured.Skip(1))
        {
            if (reachIndex >= 0 && i > reachIndex)
            {
                break;
            }

            double change = (sharpness[i] - first) / Math.Abs(first);
            if (change < -tolerance)
            {
                return EarlySharpnessTrend.Reduction;
            }

            if (change > tolerance)
            {
                return EarlySharpnessTrend.Sharpening;
            }
        }

        return EarlySharpnessTrend.Flat;
    }
}
