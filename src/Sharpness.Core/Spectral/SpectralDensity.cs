namespace Sharpness.Core.Spectral;

/// <summary>
/// An estimate of the eigenvalue density of a symmetric N×N operator by stochastic Lanczos quadrature: the average
/// of the Gauss quadrature rules of several random start vectors, smoothed with a Gaussian.
/// </summary>
/// <remarks>
/// <para>
/// Normalisation: the density is that of the N eigenvalues as a probability distribution,
/// ρ(λ) = (1/N) Σ_i δ(λ − λ_i), so it integrates to 1; N ρ(λ) counts eigenvalues per unit λ. With Rademacher start
/// vectors v (‖v‖² = N), Σ_j w_j θ_j^k = vᵀ A^k v / N is an unbiased estimate of the k-th moment tr(A^k)/N for
/// k &lt; 2m, so <see cref="Moment"/> estimates the moments of ρ.
/// </para>
/// <para>
/// Broadening: each node is replaced by a Gaussian of standard deviation σ, ρ_σ(λ) = (1/R) Σ_r Σ_j w_rj
/// φ_σ(λ − θ_rj) over the R probes. <see cref="DefaultBroadening"/> is PyHessian's choice.
/// </para>
/// </remarks>
public sealed record SpectralDensity
{
    /// <summary>The quadrature rule of each probe, in probe order.</summary>
    public required IReadOnlyList<QuadratureRule> Rules { get; init; }

    /// <summary>The operator size N (the number of eigenvalues the density describes).</summary>
    public required int Size { get; init; }

    /// <summary>Operator applications made in all.</summary>
    public required int Matvecs { get; init; }

    /// <summary>False when cancellation ended the run before every probe was done (<see cref="Rules"/> holds the finished ones).</summary>
    public required bool Complete { get; init; }

    /// <summary>The smallest node of all probes (NaN without probes).</summary>
    public double MinimumNode => Rules.Count == 0 ? double.NaN : Rules.Min(r => r.Nodes[0]);

    /// <summary>The largest node of all probes (NaN without probes).</summary>
    public double MaximumNode => Rules.Count == 0 ? double.NaN : Rules.Max(r => r.Nodes[^1]);

    /// <summary>
    /// PyHessian's broadening: the Gaussian variance is 10⁻⁵ · max(1, λ_max − λ_min) with λ_max and λ_min the
    /// probes' mean largest and smallest nodes, so σ = √(10⁻⁵ · max(1, λ_max − λ_min)).
    /// </summary>
    public double DefaultBroadening
    {
        get
        {
            if (Rules.Count == 0)
            {
                return double.NaN;
            }

            double range = Rules.Average(r => r.Nodes[^1]) - Rules.Average(r => r.Nodes[0]);
            return Math.Sqrt(1e-5 * Math.Max(1, range));
        }
    }

    /// <summary>The estimate of the k-th moment tr(A^k)/N: the mean over probes of Σ_j w_j θ_j^k (exact per probe for k below twice its node count).</summary>
    /// <param name="k">The power, ≥ 0.</param>
    public double Moment(int k) => Rules.Count == 0 ? double.NaN : Rules.Average(r => r.Moment(k));

    /// <summary>ρ_σ(λ): the smoothed density at <paramref name="lambda"/>.</summary>
    /// <param name="lambda">Where to evaluate.</param>
    /// <param name="sigma">Gaussian standard deviation σ &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sigma"/> is not positive and finite.</exception>
    public double Evaluate(double lambda, double sigma)
    {
        if (!(sigma > 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The broadening σ must be positive and finite.");
        }

        if (Rules.Count == 0)
        {
            return double.NaN;
        }

        double norm = 1 / (sigma * Math.Sqrt(2 * Math.PI));
        double sum = 0;
        foreach (QuadratureRule rule in Rules)
        {
            for (int j = 0; j < rule.Nodes.Length; j++)
            {
                double z = (lambda - rule.Nodes[j]) / sigma;
                sum += rule.Weights[j] * Math.Exp(-0.5 * z * z);
            }
        }

        return norm * sum / Rules.Count;
    }

    /// <summary>
    /// ρ_σ on an evenly spaced grid from the smallest node minus <paramref name="margin"/> σ to the largest plus
    /// <paramref name="margin"/> σ (ends included), so the grid holds all but a fraction about
    /// erfc(margin/√2) of the mass: its trapezoidal integral is 1 up to that and to rounding.
    /// </summary>
    /// <param name="points">Grid points, ≥ 2.</param>
    /// <param name="sigma">Gaussian standard deviation σ &gt; 0.</param>
    /// <param name="margin">Grid margin in units of σ beyond the extreme nodes, ≥ 0. Default 6.</param>
    /// <returns>The grid λ and the density ρ_σ(λ) there.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="InvalidOperationException">There are no probes.</exception>
    public (double[] Lambda, double[] Density) OnGrid(int points, double sigma, double margin = 6)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        if (!(margin >= 0) || !double.IsFinite(margin))
        {
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "The margin must be finite and ≥ 0.");
        }

        if (Rules.Count == 0)
        {
            throw new InvalidOperationException("The density has no probes.");
        }

        double from = MinimumNode - margin * sigma;
        double to = MaximumNode + margin * sigma;
        var lambda = new double[points];
        var density = new double[points];
        for (int i = 0; i < points; i++)
        {
            lambda[i] = i == points - 1 ? to : from + (to - from) * i / (points - 1);
            density[i] = Evaluate(lambda[i], sigma);
        }

        return (lambda, density);
    }
}
