using System.Diagnostics;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Tests.TestSupport;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests.Hessian;

[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

/// <summary>Runs alone, so that other tests' allocations do not move the resident set.</summary>
[Collection(nameof(MemoryMeasurements))]
public sealed class HessianMemoryTests
{
    // 256 examples in batches of 100 rebuild every batch's graph at each product; in one batch of 256 the
    // operator keeps the gradient graph between products.
    [Theory]
    [InlineData(100, 1000)]
    [InlineData(256, 300)]
    public void ManyProductsDoNotGrowTheResidentSet(int batchSize, int products)
    {
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = 20, OutputDimension = 10, Depth = 3, Width = 64, Seed = 1,
        });
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(256, 20, seed: 2);
        var targets = SyntheticData.TeacherTargets(inputs, 10, seed: 3);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize);
        double[] v = HessianOracles.RandomVector(op.Size, seed: 4);
        var hv = new double[op.Size];
        for (int i = 0; i < 100; i++)
        {
            op.Apply(v, hv);
        }

        long before = ResidentBytes();
        for (int i = 0; i < products; i++)
        {
            op.Apply(v, hv);
        }

        long after = ResidentBytes();

        Assert.Equal(100 + products, op.MatVecCount);
        Assert.True(after < before * 1.10, $"resident set grew from {before >> 20} MiB to {after >> 20} MiB over {products} products");
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
