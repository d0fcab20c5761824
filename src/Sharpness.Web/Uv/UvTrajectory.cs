using Sharpness.Experiments.Uv;
using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Simulation;

namespace Sharpness.Web.Uv;

/// <summary>
/// A trajectory of the UV model's exact scaled map (docs/uv-model.md section 3) from (g₀, x₀) at r:
/// the iterates themselves, ηλ_H at each, and the regime labels, period and largest Lyapunov exponent
/// of the run (<see cref="UvScaledRun"/>, which iterates <see cref="UvScaledMap.Step"/>).
/// </summary>
/// <param name="R">Scaled target r = ηy/s.</param>
/// <param name="X0">Initial x = ηλ₀.</param>
/// <param name="G0">Initial g = ηf₀/s.</param>
/// <param name="Steps">Steps asked for.</param>
/// <param name="Rho">Weight-decay factor ρ = 1 − ηγ.</param>
/// <param name="G">g at steps 0..T (fewer entries when the run diverged).</param>
/// <param name="X">x = ηλ (scaled NTK) at steps 0..T.</param>
/// <param name="LrSharpness">ηλ_H (scaled Hessian sharpness, width ≥ 2) at steps 0..T.</param>
/// <param name="Period">Period of the late dynamics (1 = converged), or null.</param>
/// <param name="Lyapunov">Largest Lyapunov exponent of the tail (natural log per step), or null when not computed.</param>
/// <param name="Labels">Regime labels decided on λ_H.</param>
/// <param name="NtkLabels">Early-trend labels decided on the NTK λ.</param>
/// <param name="Outcome">converged, periodic, chaotic, diverged or transient.</param>
/// <param name="DivergedAtStep">Step of divergence, or null.</param>
/// <param name="Realisable">Whether x₀ ≥ 2|g₀|, the condition for weights to exist (Cauchy–Schwarz).</param>
public sealed record UvTrajectory(
    double R,
    double X0,
    double G0,
    int Steps,
    double Rho,
    double[] G,
    double[] X,
    double[] LrSharpness,
    int? Period,
    double? Lyapunov,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> NtkLabels,
    string Outcome,
    int? DivergedAtStep,
    bool Realisable)
{
    /// <summary>Runs the exact map and labels the run.</summary>
    /// <param name="r">Scaled target.</param>
    /// <param name="x0">Initial x.</param>
    /// <param name="g0">Initial g.</param>
    /// <param name="steps">Steps T ≥ 0.</param>
    /// <param name="rho">ρ in (0, 1] (default 1).</param>
    public static UvTrajectory Compute(double r, double x0, double g0, int steps, double rho = 1)
    {
        var run = UvScaledRun.Run(new UvScaledState(g0, x0), r, steps, rho);
        int n = run.Records.Count;
        var g = new double[n];
        var x = new double[n];
        var lrSharpness = new double[n];
        for (int t = 0; t < n; t++)
        {
            var record = run.Records[t];
            g[t] = record.Output;
            x[t] = record.Ntk;
            lrSharpness[t] = record.LrSharpness;
        }

        var regimes = run.Regimes;
        return new UvTrajectory(
            r, x0, g0, steps, rho, g, x, lrSharpness, regimes.Period, regimes.LyapunovExponent,
            regimes.Labels, regimes.NtkLabels, regimes.Outcome.ToString().ToLowerInvariant(), run.DivergedAtStep,
            x0 >= 2 * Math.Abs(g0));
    }
}

/// <summary>
/// What a long run from (g₀, x₀) at one r settles into, from <see cref="UvLyapunovExperiment"/> at a
/// single r (what <c>sharpness uv lyapunov --r</c> computes): the Lyapunov spectrum, the period and a label.
/// </summary>
/// <param name="R">Scaled target.</param>
/// <param name="Label">fixed-point, period-p, chaos, diverged or unresolved.</param>
/// <param name="Period">Period, or null.</param>
/// <param name="Exponents">Lyapunov spectrum (decreasing, natural log per step).</param>
/// <param name="Transient">Steps discarded.</param>
/// <param name="Steps">Steps averaged.</param>
public sealed record UvClassification(double R, string Label, int? Period, IReadOnlyList<double> Exponents, int Transient, int Steps)
{
    /// <summary>Classifies the long run.</summary>
    /// <param name="r">Scaled target.</param>
    /// <param name="x0">Initial x.</param>
    /// <param name="g0">Initial g.</param>
    /// <param name="transient">Steps discarded.</param>
    /// <param name="steps">Steps averaged.</param>
    /// <param name="cancellationToken">Stops the computation (the client went away).</param>
    public static UvClassification Compute(double r, double x0, double g0, int transient, int steps, CancellationToken cancellationToken = default)
    {
        var result = UvLyapunovExperiment.Run(new UvLyapunovOptions { R = r, X0 = x0, G0 = g0, Transient = transient, Steps = steps }, null, cancellationToken);
        var run = result.Classes[0];
        return new UvClassification(r, run.Label, run.Period, run.Exponents, transient, steps);
    }
}
