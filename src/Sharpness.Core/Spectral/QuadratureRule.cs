namespace Sharpness.Core.Spectral;

/// <summary>
/// The Gauss quadrature rule of one Lanczos run from a unit start vector v: nodes θ_j (the Ritz values, the eigenvalues
/// of the tridiagonal matrix T) and weights w_j (the squared first components of T's eigenvectors), so that
/// Σ_j w_j p(θ_j) = vᵀ p(A) v exactly for every polynomial p of degree below 2m, m = <see cref="Nodes"/>.Length.
/// </summary>
/// <param name="Nodes">The nodes θ_j in ascending order.</param>
/// <param name="Weights">The weights w_j ≥ 0, summing to 1 up to rounding.</param>
public sealed record QuadratureRule(double[] Nodes, double[] Weights)
{
    /// <summary>Σ_j w_j θ_j^k = vᵀ A^k v (exact for k &lt; 2m).</summary>
    /// <param name="k">The power, ≥ 0.</param>
    public double Moment(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        double sum = 0;
        for (int j = 0; j < Nodes.Length; j++)
        {
            sum += Weights[j] * Math.Pow(Nodes[j], k);
        }

        return sum;
    }
}
