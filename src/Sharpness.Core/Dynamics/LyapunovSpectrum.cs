namespace Sharpness.Core.Dynamics;

/// <summary>The Lyapunov spectrum of an orbit and how the orbit ended.</summary>
/// <param name="Exponents">Exponents in decreasing order (natural log per step); empty when the orbit diverged during the transient.</param>
/// <param name="FinalState">The state after the transient and the averaging steps (or where the orbit diverged).</param>
/// <param name="Diverged">Whether the orbit left the bounded region (non-finite or above the threshold).</param>
/// <param name="StepsAveraged">Steps over which the exponents were averaged.</param>
public sealed record LyapunovResult(IReadOnlyList<double> Exponents, double[] FinalState, bool Diverged, int StepsAveraged)
{
    /// <summary>
    /// The uncertainty of each exponent, in the order of <see cref="Exponents"/>: from the spread and
    /// the drift of the exponent over ten blocks of the averaging window (see <see cref="LyapunovEstimate"/>).
    /// </summary>
    public IReadOnlyList<double> Uncertainties { get; init; } = [];

    /// <summary>The largest exponent with its uncertainty, or null when there is none (diverged during the transient).</summary>
    public LyapunovEstimate? Largest => Exponents.Count > 0 && Uncertainties.Count > 0 ? new LyapunovEstimate(Exponents[0], Uncertainties[0]) : null;
}

/// <summary>
/// Lyapunov exponents of an orbit from products of tangent maps, re-orthonormalised by QR
/// (modified Gram–Schmidt) every step: λ_i = (1/T) Σ_t ln |R_ii(t)|, each with the uncertainty of
/// <see cref="LyapunovEstimate"/> from ten blocks of the window.
/// </summary>
public static class LyapunovSpectrum
{
    /// <summary>Computes the full spectrum of the orbit from <paramref name="initialState"/>.</summary>
    /// <param name="map">The map.</param>
    /// <param name="parameter">r.</param>
    /// <param name="initialState">z₀.</param>
    /// <param name="transient">Steps discarded first (default 1000).</param>
    /// <param name="steps">Steps averaged (default 10000).</param>
    /// <param name="divergenceThreshold">The orbit diverges when a component's magnitude exceeds this (default 1e6).</param>
    public static LyapunovResult Compute(IIteratedMap map, double parameter, ReadOnlySpan<double> initialState, int transient = 1000, int steps = 10000, double divergenceThreshold = 1e6)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfNegative(transient);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        int d = map.Dimension;
        if (initialState.Length != d)
        {
            throw new ArgumentException($"The initial state has {initialState.Length} components; the map has dimension {d}.", nameof(initialState));
        }

        var z = initialState.ToArray();
        for (int t = 0; t < transient; t++)
        {
            map.Step(z, parameter, z);
            if (Escaped(z, divergenceThreshold))
            {
                return new LyapunovResult([], z, true, 0);
            }
        }

        var tangent = new double[d * d];
        for (int i = 0; i < d; i++)
        {
            tangent[(i * d) + i] = 1;
        }

        var jacobian = new double[d * d];
        var product = new double[d * d];
        var sums = Enumerable.Range(0, d).Select(_ => new LyapunovAccumulator(steps)).ToArray();
        for (int t = 0; t < steps; t++)
        {
            map.Jacobian(z, parameter, jacobian);
            SmallMatrix.Multiply(jacobian, tangent, product, d);
            for (int column = 0; column < d; column++)
            {
                for (int previous = 0; previous < column; previous++)
                {
                    double dot = 0;
                    for (int i = 0; i < d; i++)
                    {
                        dot += product[(i * d) + column] * product[(i * d) + previous];
                    }

                    for (int i = 0; i < d; i++)
                    {
                        product[(i * d) + column] -= dot * product[(i * d) + previous];
                    }
                }

                double norm = 0;
                for (int i = 0; i < d; i++)
                {
                    norm += product[(i * d) + column] * product[(i * d) + column];
                }

                norm = Math.Sqrt(norm);
                sums[column].Add(Math.Log(norm));
                for (int i = 0; i < d; i++)
                {
                    product[(i * d) + column] = norm > 0 ? product[(i * d) + column] / norm : (i == column ? 1 : 0);
                }
            }

            product.CopyTo(tangent, 0);
            map.Step(z, parameter, z);
            if (Escaped(z, divergenceThreshold))
            {
                return Result(sums, z, true, t + 1);
            }
        }

        return Result(sums, z, false, steps);
    }

    private static LyapunovResult Result(LyapunovAccumulator[] sums, double[] z, bool diverged, int steps)
    {
        var estimates = sums.Select(s => s.Estimate()).OrderByDescending(e => e.Value).ToArray();
        return new LyapunovResult(estimates.Select(e => e.Value).ToArray(), z, diverged, steps) { Uncertainties = estimates.Select(e => e.Uncertainty).ToArray() };
    }

    private static bool Escaped(double[] z, double threshold)
    {
        foreach (double value in z)
        {
            if (!double.IsFinite(value) || Math.Abs(value) > threshold)
            {
                return true;
            }
        }

        return false;
    }
}
