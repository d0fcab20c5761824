namespace Sharpness.Nets.Experiments;

/// <summary>The observed early trend of a measured sharpness series (<see cref="EarlyTrendClassifier.Classify"/>).</summary>
/// <param name="Regime">The dominant move: sharpness reduction, progressive sharpening, or flat.</param>
/// <param name="DecidedAtStep">Step of the first measurement beyond the tolerance in the dominant direction; null when flat.</param>
/// <param name="FirstMove">Direction of the first measurement outside the tolerance band (flat if none), reported for comparison.</param>
/// <param name="FirstMoveStep">Step of that measurement; null when flat.</param>
/// <param name="InitialValue">The reference value h₀ (the first finite value, normally step 0's).</param>
/// <param name="MinimumRatio">Smallest h/h₀ among the classified measurements.</param>
/// <param name="MaximumRatio">Largest h/h₀ among the classified measurements.</param>
/// <param name="FinalRatio">h/h₀ of the last classified measurement.</param>
/// <param name="Measurements">Finite measurements classified (the reference included).</param>
public sealed record ObservedEarlyTrend(
    EarlyRegime Regime,
    int? DecidedAtStep,
    EarlyRegime FirstMove,
    int? FirstMoveStep,
    double InitialValue,
    double MinimumRatio,
    double MaximumRatio,
    double FinalRatio,
    int Measurements);

/// <summary>
/// Classifies the early trend of a measured sharpness series over a window of steps by its dominant
/// excursion from the initial value h₀: with fall = 1 − min h/h₀ and rise = max h/h₀ − 1 over the
/// window, sharpness reduction when the fall exceeds the tolerance and the rise, progressive
/// sharpening when the rise exceeds the tolerance and the fall, flat when neither leaves the band
/// h₀(1 ± tolerance).
/// </summary>
/// <remarks>
/// <para>
/// The tolerance is relative (default 2 %). It is far above the eigen-solver's error (about 1e-8
/// relative at the default Lanczos tolerance), so it separates a trend from a standstill rather than
/// from noise. Non-finite values (a diverged run, a measurement without eigenvalues) are skipped.
/// </para>
/// <para>
/// Why the dominant excursion and not the first move out of the band: real networks often twitch in
/// the first step or two (the sharpness of a Fashion-MNIST network in SP rose by 3 % at step 2 and then
/// fell by 32 % over 60 steps; a μP network's oscillated by ±5 % while falling by 22 %). The first
/// move is reported as well (<see cref="ObservedEarlyTrend.FirstMove"/>). For the UV model's
/// regimes, where the first move is also the larger one over a short window, the two agree. The
/// window should be early training only: over a long run, progressive sharpening up to 2/η follows
/// an early reduction and eventually dominates.
/// </para>
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
        var firstMove = EarlyRegime.Flat;
        int? firstMoveStep = null, firstFall = null, firstRise = null;
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
            if (ratio < 1 - tolerance)
            {
                firstFall ??= steps[i];
            }
            else if (ratio > 1 + tolerance)
            {
                firstRise ??= steps[i];
            }

            if (firstMoveStep is null && (firstFall ?? firstRise) is int moved)
            {
                firstMoveStep = moved;
                firstMove = firstFall is not null ? EarlyRegime.SharpnessReduction : EarlyRegime.ProgressiveSharpening;
            }
        }

        double fall = 1 - min, rise = max - 1;
        var (regime, decided) = Math.Max(fall, rise) <= tolerance ? (EarlyRegime.Flat, (int?)null)
            : fall > rise ? (EarlyRegime.SharpnessReduction, firstFall)
            : (EarlyRegime.ProgressiveSharpening, firstRise);
        return new ObservedEarlyTrend(regime, decided, firstMove, firstMoveStep, h0, min, max, last, count);
    }
}
