using Sharpness.Nets.Training;

namespace Sharpness.Nets.Tests.Training;

public sealed class ShuffledBatchSamplerTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(12, 4)]
    [InlineData(7, 1)]
    [InlineData(5, 5)]
    public void EveryEpochVisitsEachExampleExactlyOnce(int examples, int batchSize)
    {
        var sampler = new ShuffledBatchSampler(examples, batchSize, seed: 9);
        int perEpoch = (examples + batchSize - 1) / batchSize;
        Assert.Equal(perEpoch, sampler.BatchesPerEpoch);

        for (int epoch = 0; epoch < 4; epoch++)
        {
            var batches = Enumerable.Range(epoch * perEpoch, perEpoch).Select(sampler.Batch).ToList();
            Assert.All(batches.SkipLast(1), b => Assert.Equal(batchSize, b.Length));
            Assert.Equal(examples - ((perEpoch - 1) * batchSize), batches[^1].Length);
            Assert.Equal(Enumerable.Range(0, examples).Select(i => (long)i), batches.SelectMany(b => b).Order());
            Assert.Equal(sampler.Permutation(epoch).Select(i => (long)i), batches.SelectMany(b => b));
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameBatchesAndAnotherSeedOthers()
    {
        long[][] Batches(ulong seed)
        {
            var sampler = new ShuffledBatchSampler(50, 8, seed);
            return Enumerable.Range(0, 30).Select(sampler.Batch).ToArray();
        }

        long[][] first = Batches(4);
        long[][] again = Batches(4);
        long[][] other = Batches(5);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void EpochsAreShuffledDifferentlyAndBatchesCanBeRevisitedInAnyOrder()
    {
        var sampler = new ShuffledBatchSampler(20, 6, seed: 1);
        long[] late = sampler.Batch(9);
        long[] early = sampler.Batch(0);

        Assert.NotEqual(sampler.Permutation(0), sampler.Permutation(1));
        Assert.NotEqual(Enumerable.Range(0, 20), sampler.Permutation(0));
        Assert.Equal(early, new ShuffledBatchSampler(20, 6, seed: 1).Batch(0));
        Assert.Equal(late, new ShuffledBatchSampler(20, 6, seed: 1).Batch(9));
    }

    [Fact]
    public void ShufflesAreUnbiased()
    {
        // 12,000 epochs of 4 examples: each example lands in each position a quarter of the time.
        var sampler = new ShuffledBatchSampler(4, 4, seed: 2);
        var counts = new int[4, 4];
        const int epochs = 12_000;
        for (int e = 0; e < epochs; e++)
        {
            int[] order = sampler.Permutation(e);
            for (int position = 0; position < 4; position++)
            {
                counts[order[position], position]++;
            }
        }

        foreach (int count in counts)
        {
            Assert.InRange(count, (epochs / 4) - 200, (epochs / 4) + 200);
        }
    }

    [Fact]
    public void ABatchLargerThanTheSetGivesFullBatchEpochsAndBadArgumentsThrow()
    {
        var sampler = new ShuffledBatchSampler(5, 100, seed: 3);

        Assert.Equal(5, sampler.BatchSize);
        Assert.Equal(1, sampler.BatchesPerEpoch);
        Assert.Equal([0L, 1, 2, 3, 4], sampler.Batch(2).Order());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShuffledBatchSampler(0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShuffledBatchSampler(1, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Batch(-1));
    }
}
