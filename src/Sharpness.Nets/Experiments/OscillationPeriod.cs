namespace Sharpness.Nets.Experiments;

/// <summary>The period found in a measured series (<see cref="OscillationPeriod.Detect"/>).</summary>
/// <param name="Period">The smallest period p ≥ 1 that fits (1: no step-to-step oscillation), or null when none up to the maximum fits or the series is not finite.</param>
/// <param name="Misfits">Misfit of each candidate period 1, 2, …, in order (NaN where not tried).</param>
/// <param name="RelativeAmplitude">Root mean square of the detrended series over the root mean square of the series.</param>
/// <param name="AlternationFraction">Fraction of consecutive step-to-step changes of the detrended series that change sign (1 for a clean period-2 oscillation, about 2/3 for independent noise, near 0 for a smooth series).</param>
/// <param name="Length">Points examined.</param>
/// <param name="AmplitudeGrowth">rms of the detrended series over its second half divided by that over its first half (about 1 for a steady oscillation, above 1 when it grows).</param>
public sealed record PeriodEstimate(int? Period, IReadOnlyList<double> Misfits, double RelativeAmplitude, double AlternationFraction, int Length, double AmplitudeGrowth = double.NaN);

/// <summary>
/// Period detection for short, noisy, drifting series measured during training (the late loss or
/// sharpness at large η), where <see cref="Sharpness.Core.Dynamics.PeriodDetector"/>'s exact
/// repetition never happens.
/// </summary>
/// <remarks>
/// <para>
/// The scale of the oscillation is that of e, the series minus its least-squares polynomial of degree
/// 4 in t (<see cref="TrendDegree"/>): a window of a decaying loss curves, and a straight line or a
/// parabola would leave the curvature as a slow wiggle that hides a small step-to-step oscillation;
/// polynomials of degree 4 are nearly orthogonal to oscillations of period 2 to 8 over tens of steps.
/// If rms(e) is at most <c>flatTolerance</c> times rms(z), the series is flat: period 1 (float32
/// losses carry rounding noise of about 1e-7 relative). Otherwise the misfit of a lag p compares the
/// lag-p differences D_t = z_t − z_{t−p}, minus their own least-squares polynomial of degree 3 (the
/// trend's differences), with the size of e:
/// </para>
/// <para>    μ(p) = rms(D − line) / (√2 · rms(e)).</para>
/// <para>
/// It is 0 for an exact period p on any trend of degree ≤ 4, about 1 for independent noise, about √2 for
/// lags that are odd multiples of half the period (p = 1 on a period-2 oscillation), and small for a
/// series that is smooth on the step scale (about 2π/N at p = 1 for a wiggle of wavelength N).
/// The period is 1 when μ(1) ≤ <c>smoothTolerance</c> (default 0.5: the series changes from one step
/// to the next by less than half its oscillation, no step-to-step oscillation), otherwise the smallest
/// p in 2 … <c>maxPeriod</c> (tried while 3p ≤ the length N and N − p &gt; 4, so that the differences
/// outnumber their trend's coefficients) with μ(p) ≤ <c>tolerance</c> (default 0.25:
/// the part that does not repeat is at most about a quarter of the oscillation), otherwise none. A
/// period-2 oscillation whose amplitude drifts within the window has a larger misfit (a 5 % change per
/// step gives about 0.07 over 40 steps).
/// </para>
/// </remarks>
public static class OscillationPeriod
{
    /// <summary>Default largest period tried.</summary>
    public const int DefaultMaxPeriod = 8;

    /// <summary>Default misfit tolerance of periods p ≥ 2.</summary>
    public const double DefaultTolerance = 0.25;

    /// <summary>Default misfit at lag 1 below which a series is smooth on the step scale (period 1).</summary>
    public const double DefaultSmoothTolerance = 0.5;

    /// <summary>Default relative amplitude below which a series is flat.</summary>
    public const double DefaultFlatTolerance = 1e-6;

    /// <summary>Degree of the polynomial trend removed before measuring the oscillation.</summary>
    public const int TrendDegree = 4;

    /// <summary>Detects the period of <paramref name="series"/>.</summary>
    /// <param name="series">The values, one per step, at least 3 points.</param>
    /// <param name="maxPeriod">Largest period tried, ≥ 1 (default <see cref="DefaultMaxPeriod"/>).</param>
    /// <param name="tolerance">Misfit tolerance of periods p ≥ 2, in (0, 1) (default <see cref="DefaultTolerance"/>).</param>
    /// <param name="smoothTolerance">Misfit at lag 1 below which the period is 1, in (0, 1) (default <see cref="DefaultSmoothTolerance"/>).</param>
    /// <param name="flatTolerance">Relative amplitude below which the series is flat, ≥ 0 (default <see cref="DefaultFlatTolerance"/>).</param>
    /// <exception cref="ArgumentException">Fewer than 3 points.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static PeriodEstimate Detect(
        IReadOnlyList<double> series,
        int maxPeriod = DefaultMaxPeriod,
        double tolerance = DefaultTolerance,
        double smoothTolerance = DefaultSmoothTolerance,
        double flatTolerance = DefaultFlatTolerance)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPeriod, 1);
        if (!(tolerance > 0 && tolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must lie in (0, 1).");
        }

        if (!(smoothTolerance > 0 && smoothTolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(smoothTolerance), smoothTolerance, "The smoothness tolerance must lie in (0, 1).");
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

        double[] e = Detrend(series, TrendDegree);
        double rmsE = Rms(e);
        int half = n / 2;
        double growth = Rms(e[(n - half)..]) / Rms(e[..half]);
        double rmsZ = Rms(series);
        double amplitude = rmsZ == 0 ? 0 : rmsE / rmsZ;
        double alternation = AlternationFraction(e);
        if (amplitude <= flatTolerance)
        {
            return new PeriodEstimate(1, misfits, amplitude, alternation, n, growth);
        }

        int? period = null;
        for (int p = 1; p <= maxPeriod && 3 * p <= n && n - p > TrendDegree; p++)
        {
            var differences = new double[n - p];
            for (int t = p; t < n; t++)
            {
                differences[t - p] = series[t] - series[t - p];
            }

            misfits[p - 1] = Rms(Detrend(differences, TrendDegree - 1)) / (Math.Sqrt(2) * rmsE);
            if (period is null && (p == 1 ? misfits[0] <= smoothTolerance : misfits[p - 1] <= tolerance))
            {
                period = p;
            }
        }

        return new PeriodEstimate(period, misfits, amplitude, alternation, n, growth);
    }

    /// <summary>
    /// The series minus its least-squares polynomial of degree ≤ <paramref name="degree"/> in
    /// t = 0, 1, … (lower when there are fewer points): what remains is the oscillation about a smooth trend.
    /// </summary>
    /// <param name="series">The values (at least 1).</param>
    /// <param name="degree">Polynomial degree, 0 to 6 (default <see cref="TrendDegree"/>).</param>
    public static double[] Detrend(IReadOnlyList<double> series, int degree = TrendDegree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(degree);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(degree, 6);
        ArgumentNullException.ThrowIfNull(series);
        int n = series.Count;
        if (n < 1)
        {
            throw new ArgumentException("At least 1 point is needed.", nameof(series));
        }

        // Gram–Schmidt on 1, t, t² over the sample points, then project the series out.
        var residual = series.ToArray();
        var basis = new List<double[]>();
        for (int power = 0; power <= Math.Min(degree, n - 1); power++)
        {
            var v = Enumerable.Range(0, n).Select(t => Math.Pow(t - ((n - 1) / 2.0), power)).ToArray();
            for (int pass = 0; pass < 2; pass++)
            {
                // Twice: classical Gram–Schmidt on monomials loses orthogonality otherwise.
                foreach (var b in basis)
                {
                    double dot = Dot(v, b);
                    for (int t = 0; t < n; t++)
                    {
                        v[t] -= dot * b[t];
                    }
                }
            }

            double norm = Math.Sqrt(Dot(v, v));
            for (int t = 0; t < n; t++)
            {
                v[t] /= norm;
            }

            basis.Add(v);
        }

        foreach (var b in basis)
        {
            double dot = Dot(residual, b);
            for (int t = 0; t < n; t++)
            {
                residual[t] -= dot * b[t];
            }
        }

        return residual;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static double Rms(IReadOnlyList<double> values) => Math.Sqrt(values.Sum(v => v * v) / values.Count);

    private static double AlternationFraction(double[] z)
    {
        int pairs = 0, changes = 0;
        for (int t = 2; t < z.Length; t++)
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
