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
    [Fact]
    public void AThousandProductsDoNotGrowTheResidentSet()
    {
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = 20, OutputDimension = 10, Depth = 3, Width = 64, Seed = 1,
        });
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(256, 20, seed: 2);
        var targets = SyntheticData.TeacherTargets(inputs, 10, seed: 3);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 100);
        double[] v = HessianOracles.RandomVector(op.Size, seed: 4);
        var hv = new double[op.Size];
        for (int i = 0; i < 100; i++)
        {
            op.Apply(v, hv);
        }

        long before = ResidentBytes();
        for (int i = 0; i < 1000; i++)
        {
            op.Apply(v, hv);
        }

        long after = ResidentBytes();

        Assert.Equal(1100, op.MatVecCount);
        Assert.True(after < before * 1.10, $"resident set grew from {before >> 20} MiB to {after >> 20} MiB over 1000 products");
    }

    [Fact]
    public void AThousandProductsThroughTheKeptSingleBatchGraphDoNotGrowTheResidentSet()
    {
        using var network = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = 20, OutputDimension = 10, Depth = 3, Width = 64, Seed = 1,
        });
        using var scope = NewDisposeScope();
        var inputs = SyntheticData.Inputs(256, 20, seed: 2);
        var targets = SyntheticData.TeacherTargets(inputs, 10, seed: 3);
        using var op = new AutogradHessianOperator(network, LossFunction.HalfSquaredError, inputs, targets, batchSize: 256);
        double[] v = HessianOracles.RandomVector(op.Size, seed: 4);
        var hv = new double[op.Size];
        for (int i = 0; i < 100; i++)
        {
            op.Apply(v, hv);
        }

        long before = ResidentBytes();
        for (int i = 0; i < 1000; i++)
        {
            op.Apply(v, hv);
        }

        long after = ResidentBytes();

        Assert.True(after < before * 1.10, $"resident set grew from {before >> 20} MiB to {after >> 20} MiB over 1000 products");
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
