using Sharpness.Core.Dynamics;

namespace Sharpness.Uv.Dynamics;

/// <summary>
/// The UV model's scaled map (g, x) ↦ (g', x') as an <see cref="IIteratedMap"/> with parameter
/// r = ηy/s; state layout [g, x]. <see cref="WeightDecayFactor"/> ρ = 1 − ηγ is held fixed.
/// </summary>
public sealed class UvScaledIteratedMap : IIteratedMap
{
    /// <summary>Creates the map.</summary>
    /// <param name="weightDecayFactor">ρ = 1 − ηγ (default 1: no weight decay).</param>
    public UvScaledIteratedMap(double weightDecayFactor = 1) => WeightDecayFactor = weightDecayFactor;

    /// <summary>ρ = 1 − ηγ.</summary>
    public double WeightDecayFactor { get; }

    /// <inheritdoc />
    public int Dimension => 2;

    /// <inheritdoc />
    public void Step(ReadOnlySpan<double> state, double parameter, Span<double> next)
    {
        var result = UvScaledMap.Step(new UvScaledState(state[0], state[1]), parameter, WeightDecayFactor);
        next[0] = result.G;
        next[1] = result.X;
    }

    /// <inheritdoc />
    public void Jacobian(ReadOnlySpan<double> state, double parameter, Span<double> jacobian)
    {
        var (ggg, ggx, gxg, gxx) = UvScaledMap.Jacobian(new UvScaledState(state[0], state[1]), parameter, WeightDecayFactor);
        jacobian[0] = ggg;
        jacobian[1] = ggx;
        jacobian[2] = gxg;
        jacobian[3] = gxx;
    }
}

/// <summary>
/// The dynamics on the EoS manifold Q = 0 (u = ±v, x = 2|g|), for y &gt; 0 and g &gt; 0: the cubic
/// map g' = g(1 + r − g)² with parameter r (uv-model.md section 6); state [g].
/// </summary>
public sealed class UvManifoldMap : IIteratedMap
{
    /// <inheritdoc />
    public int Dimension => 1;

    /// <inheritdoc />
    public void Step(ReadOnlySpan<double> state, double parameter, Span<double> next)
    {
        double a = 1 + parameter - state[0];
        next[0] = state[0] * a * a;
    }

    /// <inheritdoc />
    public void Jacobian(ReadOnlySpan<double> state, double parameter, Span<double> jacobian)
    {
        // d/dg [g (1 + r − g)²] = (1 + r − g)(1 + r − 3g)
        double a = 1 + parameter - state[0];
        jacobian[0] = a * (a - (2 * state[0]));
    }
}
