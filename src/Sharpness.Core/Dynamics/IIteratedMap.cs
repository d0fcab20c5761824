namespace Sharpness.Core.Dynamics;

/// <summary>
/// A discrete-time map z' = M(z; r) on R^d with one scalar parameter r and a known Jacobian.
/// The analysis algorithms (periodic orbits, flip points, Lyapunov exponents, orbit diagrams)
/// take a map, never a model.
/// </summary>
public interface IIteratedMap
{
    /// <summary>Dimension d of the state.</summary>
    int Dimension { get; }

    /// <summary>Computes <c>next = M(state; parameter)</c>. Spans have length <see cref="Dimension"/>; <paramref name="next"/> may alias <paramref name="state"/>.</summary>
    /// <param name="state">z.</param>
    /// <param name="parameter">r.</param>
    /// <param name="next">Receives M(z; r).</param>
    void Step(ReadOnlySpan<double> state, double parameter, Span<double> next);

    /// <summary>Computes the Jacobian ∂M/∂z at (z, r), row-major d×d: <c>jacobian[i * d + j] = ∂M_i/∂z_j</c>.</summary>
    /// <param name="state">z.</param>
    /// <param name="parameter">r.</param>
    /// <param name="jacobian">Receives the d² entries.</param>
    void Jacobian(ReadOnlySpan<double> state, double parameter, Span<double> jacobian);
}
