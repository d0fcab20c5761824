namespace Sharpness.Core.Dynamics;

/// <summary>The Lyapunov spectrum of an orbit and how the orbit ended.</summary>
/// <param name="Exponents">Exponents in decreasing order (natural log per step); empty when the orbit diverged during the transient.</param>
/// <param name="FinalState">The state after the transient and the averaging steps (or where the orbit diverged).</param>
/// <param name="Diverged">Whether the orbit left the bounded region (non-finite or above the threshold).</param>
/// <param name="StepsAveraged">Steps over which the exponents were averaged.</param>
public sealed record LyapunovResult(IReadOnlyList<double> Exponents, double[] FinalState, bool Diverged, int StepsAveraged);

/// <summary>
/// Lyapunov exponents of an orbit from products of tangent maps, re-orthonormalised by QR
/// (modified Gram–Schmidt) every step: λ_i = (1/T) Σ_t ln |R_ii(t)|.
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
        var sums = new double[d];
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
                sums[column] += Math.Log(norm);
                for (int i = 0; i < d; i++)
                {
                    product[(i * d) + column] = norm > 0 ? product[(i * d) + column] / norm : (i == column ? 1 : 0);
                }
            }

            product.CopyTo(tangent, 0);
            map.Step(z, parameter, z);
            if (Escaped(z, divergenceThreshold))
            {
                return new LyapunovResult(Sorted(sums, t + 1), z, true, t + 1);
            }
        }

        return new LyapunovResult(Sorted(sums, steps), z, false, steps);
    }

    private static double[] Sorted(double[] sums, int steps) => sums.Select(s => s / steps).OrderByDescending(v => v).ToArray();

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
