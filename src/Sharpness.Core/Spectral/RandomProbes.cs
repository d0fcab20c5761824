using Sharpness.Core.Random;

namespace Sharpness.Core.Spectral;

/// <summary>
/// The seeded random probe vectors of the stochastic estimators (<see cref="HutchinsonTrace"/>,
/// <see cref="StochasticLanczosQuadrature"/>): probe i is drawn from its own stream i of the seed
/// (<see cref="DeterministicRandom.ForStream"/>), so it does not depend on how many probes came before or
/// are drawn after, and the same seed gives the same probes on every machine.
/// </summary>
public static class RandomProbes
{
    /// <summary>Fills <paramref name="destination"/> with probe <paramref name="index"/> of <paramref name="seed"/>: independent ±1 entries, each with probability ½ (Rademacher).</summary>
    /// <param name="seed">Seed of the probe sequence.</param>
    /// <param name="index">Probe index i ≥ 0.</param>
    /// <param name="destination">Receives the probe; every entry is overwritten.</param>
    public static void Rademacher(ulong seed, int index, Span<double> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = DeterministicRandom.ForStream(seed, (ulong)index);
        int i = 0;
        while (i < destination.Length)
        {
            ulong bits = random.NextUInt64();
            for (int b = 0; b < 64 && i < destination.Length; b++, i++)
            {
                destination[i] = ((bits >> b) & 1) == 0 ? -1.0 : 1.0;
            }
        }
    }
}
