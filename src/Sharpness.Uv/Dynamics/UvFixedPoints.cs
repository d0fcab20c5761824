namespace Sharpness.Uv.Dynamics;

/// <summary>Closed forms for the fixed points and the period-2 orbit of the scaled map (uv-model.md sections 6–7).</summary>
public static class UvFixedPoints
{
    /// <summary>The origin u = v = 0: (g, x) = (0, 0), a saddle for 0 &lt; r &lt; 2.</summary>
    public static UvScaledState Origin => new(0, 0);

    /// <summary>The two sign-flip points on Q = 0: (r + 2, 2r + 4) and (r − 2, 4 − 2r), both repelling.</summary>
    /// <param name="r">Scaled target.</param>
    public static (UvScaledState Upper, UvScaledState Lower) SignFlipPoints(double r) => (new(r + 2, (2 * r) + 4), new(r - 2, 4 - (2 * r)));

    /// <summary>The minimum on the line g = r at NTK x, with Jacobian eigenvalues 1 − x and 1 (stable for 0 &lt; x &lt; 2).</summary>
    /// <param name="r">Scaled target.</param>
    /// <param name="x">ηλ at the minimum.</param>
    public static UvScaledState Minimum(double r, double x) => new(r, x);

    /// <summary>
    /// The period-2 orbit on the manifold for r ≥ 1: g± = [(1 + r) ± √((1 + r)² − 4)]/2 with
    /// g₊g₋ = 1, x± = 2g± (so x₊x₋ = 4: the geometric mean of ηλ is 2).
    /// </summary>
    /// <param name="r">Scaled target, ≥ 1.</param>
    public static (UvScaledState Plus, UvScaledState Minus) TwoCycle(double r)
    {
        if (!(r >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(r), r, "The period-2 orbit exists for r ≥ 1.");
        }

        double root = Math.Sqrt(((1 + r) * (1 + r)) - 4);
        double plus = (1 + r + root) / 2;
        double minus = (1 + r - root) / 2;
        return (new(plus, 2 * plus), new(minus, 2 * minus));
    }

    /// <summary>Multiplier of the 2-cycle along the manifold: 9 − 2(1 + r)² (stable for 1 &lt; r &lt; √5 − 1).</summary>
    /// <param name="r">Scaled target, ≥ 1.</param>
    public static double TwoCycleMultiplier(double r) => 9 - (2 * (1 + r) * (1 + r));

    /// <summary>
    /// Where bounded dynamics end on the manifold: the boundary crisis at which the cubic map's
    /// maximum 4(1 + r)³/27 (at g = (1 + r)/3) reaches the repelling fixed point r + 2, i.e. r = 2.
    /// </summary>
    public const double ManifoldCrisis = 2.0;
}
