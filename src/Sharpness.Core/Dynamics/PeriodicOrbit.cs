using System.Numerics;

namespace Sharpness.Core.Dynamics;

/// <summary>
/// A periodic orbit z₀ → z₁ → … → z_{p−1} → z₀ of a map at one parameter value, with its
/// multipliers (eigenvalues of the monodromy matrix, the product of the Jacobians along the orbit).
/// A fixed point is an orbit of period 1.
/// </summary>
public sealed record PeriodicOrbit
{
    /// <summary>The period p (the minimal one when found by <see cref="PeriodicOrbitFinder"/>).</summary>
    public required int Period { get; init; }

    /// <summary>The parameter r.</summary>
    public required double Parameter { get; init; }

    /// <summary>The p points of the orbit, each of the map's dimension.</summary>
    public required IReadOnlyList<double[]> Points { get; init; }

    /// <summary>The monodromy matrix (d×d row-major): J(z_{p−1}) ⋯ J(z₁) J(z₀).</summary>
    public required double[] Monodromy { get; init; }

    /// <summary>The multipliers, ordered by decreasing modulus.</summary>
    public required IReadOnlyList<Complex> Multipliers { get; init; }

    /// <summary>max_i |M^p(z₀) − z₀|_i after convergence.</summary>
    public required double Residual { get; init; }

    /// <summary>Newton iterations used.</summary>
    public required int Iterations { get; init; }

    /// <summary>Linearly stable: every multiplier has modulus below 1.</summary>
    public bool IsStable => Multipliers.All(m => m.Magnitude < 1);

    /// <summary>The smallest real multiplier (the one that crosses −1 at a flip), or NaN when none is real.</summary>
    public double SmallestRealMultiplier =>
        Multipliers.Where(m => Math.Abs(m.Imaginary) <= 1e-12 * Math.Max(1, m.Magnitude)).Select(m => m.Real).DefaultIfEmpty(double.NaN).Min();

    /// <summary>The largest Lyapunov exponent of the orbit, ln|μ_max| / p (natural log per step).</summary>
    public double LargestLyapunovExponent => Math.Log(Multipliers[0].Magnitude) / Period;
}
