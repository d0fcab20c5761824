namespace Sharpness.Core.Random;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) whose stream is
/// fixed by this code, not by the runtime: the same seed gives the same numbers on every
/// .NET version and machine. Gaussians come from the Marsaglia polar method.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    /// <summary>Creates a generator whose whole stream is determined by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any 64-bit value; different seeds give statistically independent streams.</param>
    public DeterministicRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>Next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal deviate N(0, 1).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }

        double u, v, s;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            s = u * u + v * v;
        }
        while (s >= 1.0 || s == 0.0);

        double factor = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareGaussian = v * factor;
        _hasSpare = true;
        return u * factor;
    }

    /// <summary>Fills <paramref name="destination"/> with independent N(0, σ²) deviates.</summary>
    /// <param name="destination">Span to fill.</param>
    /// <param name="standardDeviation">σ ≥ 0.</param>
    public void FillGaussian(Span<double> destination, double standardDeviation = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(standardDeviation);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = standardDeviation * NextGaussian();
        }
    }

    /// <summary>A child generator with its own stream, derived deterministically from this seed and <paramref name="stream"/>.</summary>
    /// <param name="seed">Parent seed.</param>
    /// <param name="stream">Index of the sub-stream (for example 0 for weights, 1 for the eigen-solver start vector).</param>
    public static DeterministicRandom ForStream(ulong seed, ulong stream)
    {
        ulong x = seed ^ (0x9E3779B97F4A7C15UL * (stream + 1));
        return new DeterministicRandom(SplitMix64(ref x));
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
