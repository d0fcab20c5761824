using Sharpness.Core.Random;

namespace Sharpness.Nets.Training;

/// <summary>
/// The deterministic SGD sampler: epoch e visits the N examples in a permutation drawn from stream e
/// of the seed, cut into consecutive mini-batches of B examples (the last one of the epoch is shorter
/// when B does not divide N). Every example is visited exactly once per epoch, and the same seed
/// gives the same batches on every machine.
/// </summary>
/// <remarks>
/// Step t belongs to epoch e = t / b and is batch t mod b of it, with b = ⌈N/B⌉ batches per epoch.
/// The permutation is a Fisher–Yates shuffle of 0..N−1 driven by
/// <see cref="DeterministicRandom.ForStream"/>(seed, e), with unbiased bounded integers (rejection of
/// the incomplete top range of 64-bit draws). Only the current epoch's permutation is kept.
/// </remarks>
public sealed class ShuffledBatchSampler
{
    private readonly ulong _seed;
    private int[] _permutation = [];
    private long _epoch = -1;

    /// <summary>Creates the sampler.</summary>
    /// <param name="examples">Number of examples N ≥ 1.</param>
    /// <param name="batchSize">Mini-batch size B ≥ 1; values above N are reduced to N (full-batch epochs).</param>
    /// <param name="seed">Seed of the permutations.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="examples"/> or <paramref name="batchSize"/> is below 1.</exception>
    public ShuffledBatchSampler(int examples, int batchSize, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(examples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Examples = examples;
        BatchSize = Math.Min(batchSize, examples);
        BatchesPerEpoch = (examples + BatchSize - 1) / BatchSize;
        _seed = seed;
    }

    /// <summary>Number of examples N.</summary>
    public int Examples { get; }

    /// <summary>Mini-batch size B (at most N).</summary>
    public int BatchSize { get; }

    /// <summary>Mini-batches per epoch, ⌈N/B⌉.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The example indices of step <paramref name="step"/>'s mini-batch, in visiting order.</summary>
    /// <param name="step">Step index t ≥ 0.</param>
    /// <returns>A new array of B indices in [0, N) (fewer for the last batch of an epoch).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative.</exception>
    public long[] Batch(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        long epoch = step / BatchesPerEpoch;
        int position = step % BatchesPerEpoch;
        if (epoch != _epoch)
        {
            _permutation = Permutation(epoch);
            _epoch = epoch;
        }

        int start = position * BatchSize;
        int count = Math.Min(BatchSize, Examples - start);
        var batch = new long[count];
        for (int i = 0; i < count; i++)
        {
            batch[i] = _permutation[start + i];
        }

        return batch;
    }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the examples.</summary>
    /// <param name="epoch">Epoch index e ≥ 0.</param>
    /// <returns>A permutation of 0..N−1.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    public int[] Permutation(long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var random = DeterministicRandom.ForStream(_seed, (ulong)epoch);
        var order = new int[Examples];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)UniformBelow(random, (ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>Uniform integer in [0, bound) without modulo bias.</summary>
    private static ulong UniformBelow(DeterministicRandom random, ulong bound)
    {
        // Draws in the top, incomplete copy of [0, bound) would make small values likelier.
        ulong limit = ulong.MaxValue - (ulong.MaxValue % bound);
        ulong draw;
        do
        {
            draw = random.NextUInt64();
        }
        while (draw >= limit);

        return draw % bound;
    }
}
