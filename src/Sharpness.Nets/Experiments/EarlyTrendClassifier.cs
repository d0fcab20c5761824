namespace Sharpness.Nets.Experiments;

/// <summary>The observed early trend of a measured sharpness series (<see cref="EarlyTrendClassifier.Classify"/>).</summary>
/// <param name="Regime">Sharpness reduction, progressive sharpening, or flat.</param>
/// <param name="DecidedAtStep">The step of the first measurement outside the tolerance band; null when flat.</param>
/// <param name="InitialValue">The reference value h₀ (the first finite value, normally step 0's).</param>
/// <param name="MinimumRatio">Smallest h/h₀ among the classified measurements.</param>
/// <param name="MaximumRatio">Largest h/h₀ among the classified measurements.</param>
/// <param name="FinalRatio">h/h₀ of the last classified measurement.</param>
/// <param name="Measurements">Finite measurements classified (the reference included).</param>
public sealed record ObservedEarlyTrend(
    EarlyRegime Regime,
    int? DecidedAtStep,
    double InitialValue,
    double MinimumRatio,
    double MaximumRatio,
    double FinalRatio,
    int Measurements);

/// <summary>
/// Classifies the early trend of a measured sharpness (or kernel) series by its first significant
/// move: the first measurement that leaves the band h₀(1 ± tolerance) around the initial value h₀
/// decides. Below the band: sharpness reduction (the sharpness falls by more than the tolerance
/// before it rises, if it rises at all); above: progressive sharpening; never leaving it: flat.
/// </summary>
/// <remarks>
/// The tolerance is relative (default 2 %). It is far above the eigen-solver's error (about 1e-8
/// relative at the default Lanczos tolerance), so it separates a trend from a standstill rather than
/// from noise; a run whose sharpness drifts by less than the tolerance over its steps is "flat".
/// Non-finite values (a diverged run, an unconverged measurement without eigenvalues) are skipped.
/// </remarks>
public static class EarlyTrendClassifier
{
    /// <summary>Default relative tolerance of the band around the initial value.</summary>
    public const double DefaultTolerance = 0.02;

    /// <summary>Classifies the series.</summary>
    /// <param name="steps">Step of each measurement, increasing.</param>
    /// <param name="values">Measured values (positive at the reference), same length.</param>
    /// <param name="tolerance">Relative half-width of the flat band, in (0, 1) (default <see cref="DefaultTolerance"/>).</param>
    /// <param name="lastStep">Only measurements at steps ≤ this are classified (default: all).</param>
    /// <exception cref="ArgumentException">Lengths differ, steps do not increase, or no finite positive reference value exists.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tolerance"/> is outside (0, 1).</exception>
    public static ObservedEarlyTrend Classify(IReadOnlyList<int> steps, IReadOnlyList<double> values, double tolerance = DefaultTolerance, int? lastStep = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(values);
        if (!(tolerance > 0 && tolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must lie in (0, 1).");
        }

        if (steps.Count != values.Count)
        {
            throw new ArgumentException($"steps ({steps.Count}) and values ({values.Count}) must have the same length.", nameof(values));
        }

        for (int i = 1; i < steps.Count; i++)
        {
            if (steps[i] <= steps[i - 1])
            {
                throw new ArgumentException("The steps must increase.", nameof(steps));
            }
        }

        int limit = lastStep ?? int.MaxValue;
        int first = -1;
        for (int i = 0; i < values.Count && steps[i] <= limit; i++)
        {
            if (double.IsFinite(values[i]))
            {
                first = i;
                break;
            }
        }

        if (first < 0 || !(values[first] > 0))
        {
            throw new ArgumentException("The series needs a finite positive first value to compare with.", nameof(values));
        }

        double h0 = values[first];
        double min = 1, max = 1, last = 1;
        int count = 1;
        EarlyRegime regime = EarlyRegime.Flat;
        int? decidedAt = null;
        for (int i = first + 1; i < values.Count && steps[i] <= limit; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                continue;
            }

            double ratio = values[i] / h0;
            count++;
            min = Math.Min(min, ratio);
            max = Math.Max(max, ratio);
            last = ratio;
            if (decidedAt is null && Math.Abs(ratio - 1) > tolerance)
            {
                regime = ratio < 1 ? EarlyRegime.SharpnessReduction : EarlyRegime.ProgressiveSharpening;
                decidedAt = steps[i];
            }
        }

        return new ObservedEarlyTrend(regime, decidedAt, h0, min, max, last, count);
    }
}
