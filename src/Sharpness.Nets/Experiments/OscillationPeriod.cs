namespace Sharpness.Nets.Experiments;

/// <summary>The period found in a measured series (<see cref="OscillationPeriod.Detect"/>).</summary>
/// <param name="Period">The smallest period p ≥ 1 that fits (1: no step-to-step oscillation), or null when none up to the maximum fits or the series is not finite.</param>
/// <param name="Misfits">Misfit of each candidate period 1, 2, …, in order (NaN where not tried).</param>
/// <param name="RelativeAmplitude">Root mean square of the detrended series over the root mean square of the series.</param>
/// <param name="AlternationFraction">Fraction of consecutive step-to-step changes that change sign (1 for a clean period-2 oscillation, about 2/3 for independent noise, 0 for a monotone series).</param>
/// <param name="Length">Points examined.</param>
public sealed record PeriodEstimate(int? Period, IReadOnlyList<double> Misfits, double RelativeAmplitude, double AlternationFraction, int Length);

/// <summary>
/// Period detection for short, noisy, drifting series measured during training (the late loss or
/// sharpness at large η), where <see cref="Sharpness.Core.Dynamics.PeriodDetector"/>'s exact
/// repetition never happens.
/// </summary>
/// <remarks>
/// <para>
/// The series is first detrended: the least-squares straight line through (t, z_t) is subtracted,
/// leaving e_t. If the root mean square of e is at most <c>flatTolerance</c> times that of z, the series
/// is flat: period 1. Otherwise the misfit of a candidate period p is
/// </para>
/// <para>    μ(p) = rms_t(e_t − e_{t−p}) / (√2 · rms(e)),</para>
/// <para>
/// which is 0 for an exact period p, about 1 for independent noise, and about 2/√2 ≈ 1.4 at p = 1 for
/// a clean period-2 oscillation. The period is the smallest p ≤ <c>maxPeriod</c> (tried while 3p ≤
/// the length) with μ(p) ≤ <c>tolerance</c> (default 0.2: the part that does not repeat is at most
/// about 20 % of the oscillation). A slowly drifting amplitude adds to every misfit; a series that is
/// smooth on the step scale (converging, drifting) has a small μ(1) and is period 1.
/// </para>
/// </remarks>
public static class OscillationPeriod
{
    /// <summary>Default largest period tried.</summary>
    public const int DefaultMaxPeriod = 8;

    /// <summary>Default misfit tolerance.</summary>
    public const double DefaultTolerance = 0.2;

    /// <summary>Default relative amplitude below which a series is flat.</summary>
    public const double DefaultFlatTolerance = 1e-6;

    /// <summary>Detects the period of <paramref name="series"/>.</summary>
    /// <param name="series">The values, one per step, at least 3 points.</param>
    /// <param name="maxPeriod">Largest period tried, ≥ 1 (default <see cref="DefaultMaxPeriod"/>).</param>
    /// <param name="tolerance">Misfit tolerance in (0, 1) (default <see cref="DefaultTolerance"/>).</param>
    /// <param name="flatTolerance">Relative amplitude below which the series is flat, ≥ 0 (default <see cref="DefaultFlatTolerance"/>).</param>
    /// <exception cref="ArgumentException">Fewer than 3 points.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static PeriodEstimate Detect(IReadOnlyList<double> series, int maxPeriod = DefaultMaxPeriod, double tolerance = DefaultTolerance, double flatTolerance = DefaultFlatTolerance)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPeriod, 1);
        if (!(tolerance > 0 && tolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must lie in (0, 1).");
        }

        if (!(flatTolerance >= 0) || !double.IsFinite(flatTolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(flatTolerance), flatTolerance, "The flat tolerance must be finite and non-negative.");
        }

        if (series.Count < 3)
        {
            throw new ArgumentException("At least 3 points are needed.", nameof(series));
        }

        int n = series.Count;
        var misfits = Enumerable.Repeat(double.NaN, maxPeriod).ToArray();
        if (series.Any(v => !double.IsFinite(v)))
        {
            return new PeriodEstimate(null, misfits, double.NaN, double.NaN, n);
        }

        double[] e = Detrend(series);
        double rmsE = Rms(e);
        double rmsZ = Rms(series);
        double amplitude = rmsZ == 0 ? 0 : rmsE / rmsZ;
        double alternation = AlternationFraction(series);
        if (amplitude <= flatTolerance)
        {
            return new PeriodEstimate(1, misfits, amplitude, alternation, n);
        }

        int? period = null;
        for (int p = 1; p <= maxPeriod && 3 * p <= n; p++)
        {
            double sum = 0;
            for (int t = p; t < n; t++)
            {
                double d = e[t] - e[t - p];
                sum += d * d;
            }

            misfits[p - 1] = Math.Sqrt(sum / (n - p)) / (Math.Sqrt(2) * rmsE);
            if (period is null && misfits[p - 1] <= tolerance)
            {
                period = p;
            }
        }

        return new PeriodEstimate(period, misfits, amplitude, alternation, n);
    }

    /// <summary>The series minus its least-squares straight line in t = 0, 1, ….</summary>
    /// <param name="series">The values (at least 2).</param>
    public static double[] Detrend(IReadOnlyList<double> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        int n = series.Count;
        if (n < 2)
        {
            throw new ArgumentException("At least 2 points are needed.", nameof(series));
        }

        double meanT = (n - 1) / 2.0;
        double meanZ = series.Average();
        double stt = 0, stz = 0;
        for (int t = 0; t < n; t++)
        {
            stt += (t - meanT) * (t - meanT);
            stz += (t - meanT) * (series[t] - meanZ);
        }

        double slope = stz / stt;
        var e = new double[n];
        for (int t = 0; t < n; t++)
        {
            e[t] = series[t] - meanZ - (slope * (t - meanT));
        }

        return e;
    }

    private static double Rms(IReadOnlyList<double> values) => Math.Sqrt(values.Sum(v => v * v) / values.Count);

    private static double AlternationFraction(IReadOnlyList<double> z)
    {
        int pairs = 0, changes = 0;
        for (int t = 2; t < z.Count; t++)
        {
            double before = z[t - 1] - z[t - 2];
            double after = z[t] - z[t - 1];
            pairs++;
            if (before * after < 0)
            {
                changes++;
            }
        }

        return pairs == 0 ? double.NaN : (double)changes / pairs;
    }
}
