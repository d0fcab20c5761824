using Sharpness.Core.Dynamics;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Uv.Simulation;

/// <summary>
/// Labels a finished UV-model run with the regimes of uv-model.md section 8, from its recorded
/// trajectory. The rules, in scaled variables g = ηf/s, x = ηλ:
/// <list type="bullet">
/// <item>sharpness reduction: within the first 10 steps, the first move of λ_H larger than 1e-9 relative is downward;</item>
/// <item>progressive sharpening: over consecutive steps in which λ_H rises and the loss falls, λ_H grows by at least 1 %;</item>
/// <item>catapult: x₀ &gt; 2, the loss exceeds its initial value within the first 100 steps, and the run converges;</item>
/// <item>self-stabilised EoS: r &lt; 1, x₀ ≤ 2, x later exceeds 2, Δg changes sign, and the run converges with x &lt; 2;</item>
/// <item>EoS period p: the tail repeats with period p ≥ 2 (relative tolerance 1e-6, p ≤ 64);</item>
/// <item>chaos: bounded, no period ≤ 64, largest Lyapunov exponent of the tail &gt; 1e-3 and more than twice its uncertainty (<see cref="LyapunovEstimate"/>);</item>
/// <item>divergence: the run was stopped by divergence.</item>
/// </list>
/// A tail with period 1 is a converged run. A tail with no period whose exponent is within twice its
/// uncertainty of zero is marginal (<see cref="RunOutcome.Marginal"/>: chaos cannot be told from a
/// slow approach to a marginal orbit, as on the flip line r = 1); one whose exponent is negative
/// beyond that is a transient (still converging: run longer).
/// The first two labels are decided on λ_H; <see cref="RegimeReport.NtkLabels"/> applies the same
/// two rules to the NTK λ, which can move the other way while the output is far from the target.
/// </summary>
public static class RegimeClassifier
{
    private const int EarlyWindow = 10;
    private const int CatapultWindow = 100;
    private const double SharpeningRise = 0.01;
    private const double ChaosThreshold = 1e-3;

    /// <summary>Classifies a run.</summary>
    /// <param name="records">The run's records, steps 0..T.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="normaliser">Effective normaliser s.</param>
    /// <param name="target">y.</param>
    /// <param name="weightDecayFactor">ρ = 1 − ηγ.</param>
    /// <param name="diverged">Whether the run was stopped by divergence.</param>
    /// <param name="maxPeriod">Largest period looked for (default 64).</param>
    public static RegimeReport Classify(
        IReadOnlyList<UvStepRecord> records,
        double learningRate,
        double normaliser,
        double target,
        double weightDecayFactor,
        bool diverged,
        int maxPeriod = 64)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            throw new ArgumentException("A run has at least its initial record.", nameof(records));
        }

        double r = learningRate * target / normaliser;
        var g = records.Select(p => learningRate * p.Output / normaliser).ToArray();
        var x = records.Select(p => p.LrNtk).ToArray();
        var labels = new List<string>();

        labels.AddRange(EarlyTrendLabels(records, p => p.Sharpness));

        int? period = null;
        LyapunovEstimate? lyapunov = null;
        RunOutcome outcome;
        if (diverged)
        {
            outcome = RunOutcome.Diverged;
        }
        else
        {
            int steps = records.Count - 1;
            int tail = Math.Clamp(steps / 2, 2, 4096);
            period = records.Count >= 4 ? PeriodDetector.Detect([g, x], maxPeriod, tail) : null;
            lyapunov = steps >= 20 ? LargestLyapunovEstimate(g, x, r, weightDecayFactor, tail) : null;
            outcome = period switch
            {
                1 => RunOutcome.Converged,
                >= 2 => RunOutcome.Periodic,
                _ => Aperiodic(lyapunov),
            };
        }

        if (outcome == RunOutcome.Converged && x[0] > 2 && records.Take(CatapultWindow + 1).Any(p => p.Loss > records[0].Loss))
        {
            labels.Add(RegimeReport.Catapult);
        }

        if (outcome == RunOutcome.Converged && r < 1 && x[0] <= 2 && x.Any(xi => xi > 2) && x[^1] < 2 && ResidualChangesSign(g, r))
        {
            labels.Add(RegimeReport.SelfStabilisedEos);
        }

        if (outcome == RunOutcome.Periodic)
        {
            labels.Add(RegimeReport.EosPeriodPrefix + period!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (outcome == RunOutcome.Chaotic)
        {
            labels.Add(RegimeReport.Chaos);
        }

        if (outcome == RunOutcome.Diverged)
        {
            labels.Add(RegimeReport.Divergence);
        }

        if (outcome == RunOutcome.Marginal)
        {
            labels.Add(RegimeReport.Marginal);
        }

        return new RegimeReport
        {
            Labels = labels,
            NtkLabels = EarlyTrendLabels(records, p => p.Ntk),
            Outcome = outcome,
            Period = period,
            LyapunovExponent = lyapunov?.Value,
            LyapunovUncertainty = lyapunov?.Uncertainty,
        };
    }

    /// <summary>
    /// Largest Lyapunov exponent (natural log per step) of the scaled map along the last
    /// <paramref name="tail"/> steps of a trajectory, from products of the exact Jacobian with a
    /// renormalised tangent vector.
    /// </summary>
    /// <param name="g">Scaled outputs g_t.</param>
    /// <param name="x">Scaled NTK x_t.</param>
    /// <param name="r">Scaled target.</param>
    /// <param name="rho">Weight-decay factor ρ.</param>
    /// <param name="tail">Number of final steps used.</param>
    public static double LargestLyapunovExponent(IReadOnlyList<double> g, IReadOnlyList<double> x, double r, double rho, int tail) =>
        LargestLyapunovEstimate(g, x, r, rho, tail).Value;

    /// <summary>
    /// <see cref="LargestLyapunovExponent"/> with its uncertainty, from ten blocks of the tail
    /// (<see cref="LyapunovEstimate"/>): the spread of the block means and their drift across the tail.
    /// </summary>
    /// <param name="g">Scaled outputs g_t.</param>
    /// <param name="x">Scaled NTK x_t.</param>
    /// <param name="r">Scaled target.</param>
    /// <param name="rho">Weight-decay factor ρ.</param>
    /// <param name="tail">Number of final steps used.</param>
    /// <returns>The estimate; NaN when there is no step, −∞ (with zero uncertainty) when the tangent vector is annihilated.</returns>
    public static LyapunovEstimate LargestLyapunovEstimate(IReadOnlyList<double> g, IReadOnlyList<double> x, double r, double rho, int tail)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(x);
        int start = Math.Max(0, g.Count - 1 - tail);
        int window = g.Count - 1 - start;
        if (window < 1)
        {
            return new LyapunovEstimate(double.NaN, double.PositiveInfinity);
        }

        double tg = 1 / Math.Sqrt(2), tx = 1 / Math.Sqrt(2);
        var sum = new LyapunovAccumulator(window);
        for (int t = start; t < g.Count - 1; t++)
        {
            var (a, b, c, d) = UvScaledMap.Jacobian(new UvScaledState(g[t], x[t]), r, rho);
            double ng = (a * tg) + (b * tx);
            double nx = (c * tg) + (d * tx);
            double norm = Math.Sqrt((ng * ng) + (nx * nx));
            if (norm == 0 || !double.IsFinite(norm))
            {
                return norm == 0 ? new LyapunovEstimate(double.NegativeInfinity, 0) : new LyapunovEstimate(double.NaN, double.PositiveInfinity);
            }

            sum.Add(Math.Log(norm));
            tg = ng / norm;
            tx = nx / norm;
        }

        return sum.Estimate();
    }

    // An aperiodic tail: chaos only with an exponent positive beyond its uncertainty; one within it of zero is marginal.
    private static RunOutcome Aperiodic(LyapunovEstimate? lyapunov) => lyapunov switch
    {
        { } l when l.IsPositive(ChaosThreshold) => RunOutcome.Chaotic,
        { } l when !l.IsNegative && !double.IsNaN(l.Value) => RunOutcome.Marginal,
        _ => RunOutcome.Transient,
    };

    private static List<string> EarlyTrendLabels(IReadOnlyList<UvStepRecord> records, Func<UvStepRecord, double> sharpness)
    {
        var labels = new List<string>();
        if (FirstSignificantMoveIsDown(records, sharpness))
        {
            labels.Add(RegimeReport.SharpnessReduction);
        }

        if (HasProgressiveSharpening(records, sharpness))
        {
            labels.Add(RegimeReport.ProgressiveSharpening);
        }

        return labels;
    }

    private static bool FirstSignificantMoveIsDown(IReadOnlyList<UvStepRecord> records, Func<UvStepRecord, double> sharpness)
    {
        double h0 = sharpness(records[0]);
        double tolerance = 1e-9 * Math.Max(Math.Abs(h0), double.Epsilon);
        for (int t = 1; t < records.Count && t <= EarlyWindow; t++)
        {
            double change = sharpness(records[t]) - h0;
            if (Math.Abs(change) > tolerance)
            {
                return change < 0;
            }
        }

        return false;
    }

    private static bool HasProgressiveSharpening(IReadOnlyList<UvStepRecord> records, Func<UvStepRecord, double> sharpness)
    {
        double stretchStart = double.NaN;
        for (int t = 1; t < records.Count; t++)
        {
            double before = sharpness(records[t - 1]);
            double after = sharpness(records[t]);
            if (after > before && records[t].Loss < records[t - 1].Loss)
            {
                stretchStart = double.IsNaN(stretchStart) ? before : stretchStart;
                if (after >= stretchStart * (1 + SharpeningRise))
                {
                    return true;
                }
            }
            else
            {
                stretchStart = double.NaN;
            }
        }

        return false;
    }

    private static bool ResidualChangesSign(IReadOnlyList<double> g, double r)
    {
        for (int t = 1; t < g.Count; t++)
        {
            if ((g[t] - r) * (g[t - 1] - r) < 0)
            {
                return true;
            }
        }

        return false;
    }
}
