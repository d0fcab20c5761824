namespace Sharpness.Core.Dynamics;

/// <summary>What a long run of a map settles into.</summary>
/// <param name="Exponents">Lyapunov spectrum over the averaging steps (decreasing; empty if it diverged during the transient).</param>
/// <param name="Period">Period of the late orbit (1 = fixed point), or null when none ≤ the maximum fits.</param>
/// <param name="Label">
/// "fixed-point", "period-p", "chaos", "diverged", "marginal" (aperiodic, largest exponent within its
/// uncertainty of zero: chaos cannot be told from a slow approach to a marginal orbit) or
/// "unresolved" (aperiodic, largest exponent negative beyond its uncertainty: run longer).
/// </param>
/// <param name="FinalState">The last state.</param>
public sealed record LongRunClass(IReadOnlyList<double> Exponents, int? Period, string Label, double[] FinalState)
{
    /// <summary>Label of an aperiodic orbit whose largest exponent is within its uncertainty of zero.</summary>
    public const string Marginal = "marginal";

    /// <summary>Uncertainty of each exponent, in the order of <see cref="Exponents"/> (see <see cref="LyapunovEstimate"/>).</summary>
    public IReadOnlyList<double> Uncertainties { get; init; } = [];
}

/// <summary>
/// Classifies a long run: the Lyapunov spectrum after a transient, then period detection on the
/// following states. Chaos is claimed only when the largest exponent is above 1e-3 and more than
/// twice its uncertainty (<see cref="LyapunovEstimate.IsPositive"/>); an aperiodic orbit whose
/// exponent is within that band of zero is "marginal", never chaos.
/// </summary>
public static class LongRunClassifier
{
    /// <summary>Largest exponent above which a bounded aperiodic orbit is called chaotic.</summary>
    public const double ChaosThreshold = 1e-3;

    /// <summary>Runs and classifies the orbit from <paramref name="initialState"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="parameter">r.</param>
    /// <param name="initialState">z₀.</param>
    /// <param name="transient">Steps discarded (default 1000).</param>
    /// <param name="steps">Steps averaged for the exponents (default 10 000).</param>
    /// <param name="maxPeriod">Largest period detected (default 64).</param>
    /// <param name="threshold">Escape threshold (default 1e6).</param>
    public static LongRunClass Classify(IIteratedMap map, double parameter, ReadOnlySpan<double> initialState, int transient = 1000, int steps = 10_000, int maxPeriod = 64, double threshold = 1e6)
    {
        ArgumentNullException.ThrowIfNull(map);
        var spectrum = LyapunovSpectrum.Compute(map, parameter, initialState, transient, steps, threshold);
        if (spectrum.Diverged)
        {
            return new LongRunClass(spectrum.Exponents, null, "diverged", spectrum.FinalState) { Uncertainties = spectrum.Uncertainties };
        }

        int d = map.Dimension;
        int length = Math.Max(8 * maxPeriod, 512);
        var series = Enumerable.Range(0, d).Select(_ => new double[length]).ToArray();
        var z = (double[])spectrum.FinalState.Clone();
        for (int t = 0; t < length; t++)
        {
            map.Step(z, parameter, z);
            for (int i = 0; i < d; i++)
            {
                series[i][t] = z[i];
            }
        }

        int? period = PeriodDetector.Detect(series, maxPeriod, length, 1e-7);
        var largest = spectrum.Largest!.Value;
        string label = period switch
        {
            1 => "fixed-point",
            int p => $"period-{p}",
            _ when !z.All(double.IsFinite) => "diverged",
            _ when largest.IsPositive() => "chaos",
            _ when largest.IsNegative => "unresolved",
            _ => LongRunClass.Marginal,
        };
        return new LongRunClass(spectrum.Exponents, period, label, z) { Uncertainties = spectrum.Uncertainties };
    }
}
