namespace Sharpness.Nets.Experiments;

/// <summary>A largest-Lyapunov-exponent estimate from a scalar series (<see cref="TimeSeriesLyapunov.Estimate"/>).</summary>
/// <param name="Exponent">Slope of the mean log-divergence against the step (natural log per step); NaN when no pair of neighbours qualified.</param>
/// <param name="Divergence">Mean ln dⱼ(k) over the pairs, k = 0 … horizon.</param>
/// <param name="Pairs">Number of nearest-neighbour pairs averaged.</param>
/// <param name="EmbeddingDimension">Delay-embedding dimension m used.</param>
/// <param name="Horizon">Steps K followed after each pair.</param>
public sealed record LyapunovEstimate(double Exponent, IReadOnlyList<double> Divergence, int Pairs, int EmbeddingDimension, int Horizon);

/// <summary>
/// Largest Lyapunov exponent of a measured scalar series by the nearest-neighbour divergence method of
/// Rosenstein, Collins and De Luca (Physica D 65, 1993).
/// </summary>
/// <remarks>
/// <para>
/// The series is embedded in m dimensions with delay τ, z_i = (x_i, x_{i+τ}, …, x_{i+(m−1)τ}). Each
/// point z_i is paired with its nearest neighbour z_j (Euclidean distance) among the points more than
/// w steps away in time (the Theiler window, default (m − 1)τ + 1), and the pair is followed for K
/// steps: dᵢ(k) = |z_{i+k} − z_{j+k}|. The estimate is the least-squares slope of the mean of
/// ln dᵢ(k) over all pairs against k = 0 … K. Pairs whose distance is at or below a floor (default
/// 1e-8 of the series' range) at any k are left out: exact recurrences (a periodic orbit repeating to
/// the last bit) carry no divergence and their logarithm is −∞. An exactly periodic series therefore
/// pairs points of different phases, whose distance stays constant: the estimate is 0.
/// </para>
/// <para>
/// Limits. The slope is the exponent only while the distances grow (or shrink) exponentially: K must be
/// shorter than the time they take to saturate at the attractor's size (about ln(size/d₀)/λ steps),
/// which for short series with coarse neighbours is only a few steps. Short series (tens of points)
/// give few, distant neighbours and estimates good to a few tenths. Noise adds divergence at the noise
/// level, so a noisy periodic orbit gives an exponent near 0 rather than its true negative value,
/// and drift makes neighbours in value differ in time; detrend first. A value within about ±0.05 of
/// zero cannot tell a noisy orbit from weak chaos. On the logistic map the method recovers ln 2 at
/// r = 4 from 400 points, and negative values in periodic windows from the approach to the orbit.
/// </para>
/// </remarks>
public static class TimeSeriesLyapunov
{
    /// <summary>Default embedding dimension.</summary>
    public const int DefaultEmbeddingDimension = 2;

    /// <summary>Default number of steps each pair is followed.</summary>
    public const int DefaultHorizon = 4;

    /// <summary>Default distance floor relative to the range of the series.</summary>
    public const double DefaultRelativeFloor = 1e-8;

    /// <summary>Estimates the largest Lyapunov exponent of <paramref name="series"/>.</summary>
    /// <param name="series">Finite values, one per step.</param>
    /// <param name="embeddingDimension">m ≥ 1 (default <see cref="DefaultEmbeddingDimension"/>).</param>
    /// <param name="delay">τ ≥ 1 (default 1).</param>
    /// <param name="horizon">K ≥ 1 (default <see cref="DefaultHorizon"/>).</param>
    /// <param name="theilerWindow">w ≥ 0: neighbours must be more than w steps apart (default (m − 1)τ + 1).</param>
    /// <param name="relativeFloor">Distances at or below this times the range are excluded, ≥ 0 (default <see cref="DefaultRelativeFloor"/>).</param>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public static LyapunovEstimate Estimate(
        IReadOnlyList<double> series,
        int embeddingDimension = DefaultEmbeddingDimension,
        int delay = 1,
        int horizon = DefaultHorizon,
        int? theilerWindow = null,
        double relativeFloor = DefaultRelativeFloor)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        int window = theilerWindow ?? ((embeddingDimension - 1) * delay) + 1;
        ArgumentOutOfRangeException.ThrowIfNegative(window, nameof(theilerWindow));
        if (!(relativeFloor >= 0) || !double.IsFinite(relativeFloor))
        {
            throw new ArgumentOutOfRangeException(nameof(relativeFloor), relativeFloor, "The floor must be finite and non-negative.");
        }

        if (series.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("The series must be finite.", nameof(series));
        }

        int span = (embeddingDimension - 1) * delay;
        int points = series.Count - span;
        int usable = points - horizon;
        var sums = new double[horizon + 1];
        int pairs = 0;
        if (usable >= 2)
        {
            double range = series.Max() - series.Min();
            double floor = relativeFloor * range;
            double Distance(int a, int b)
            {
                double sum = 0;
                for (int k = 0; k < embeddingDimension; k++)
                {
                    double d = series[a + (k * delay)] - series[b + (k * delay)];
                    sum += d * d;
                }

                return Math.Sqrt(sum);
            }

            var logs = new double[horizon + 1];
            for (int i = 0; i < usable; i++)
            {
                int nearest = -1;
                double best = double.PositiveInfinity;
                for (int j = 0; j < usable; j++)
                {
                    if (Math.Abs(i - j) <= window)
                    {
                        continue;
                    }

                    double d = Distance(i, j);
                    if (d > floor && d < best)
                    {
                        best = d;
                        nearest = j;
                    }
                }

                if (nearest < 0)
                {
                    continue;
                }

                bool keep = true;
                for (int k = 0; k <= horizon && keep; k++)
                {
                    double d = Distance(i + k, nearest + k);
                    keep = d > floor;
                    logs[k] = keep ? Math.Log(d) : 0;
                }

                if (!keep)
                {
                    continue;
                }

                pairs++;
                for (int k = 0; k <= horizon; k++)
                {
                    sums[k] += logs[k];
                }
            }
        }

        if (pairs == 0)
        {
            return new LyapunovEstimate(double.NaN, Enumerable.Repeat(double.NaN, horizon + 1).ToArray(), 0, embeddingDimension, horizon);
        }

        double[] divergence = sums.Select(s => s / pairs).ToArray();
        double meanK = horizon / 2.0;
        double meanY = divergence.Average();
        double skk = 0, sky = 0;
        for (int k = 0; k <= horizon; k++)
        {
            skk += (k - meanK) * (k - meanK);
            sky += (k - meanK) * (divergence[k] - meanY);
        }

        return new LyapunovEstimate(sky / skk, divergence, pairs, embeddingDimension, horizon);
    }
}
