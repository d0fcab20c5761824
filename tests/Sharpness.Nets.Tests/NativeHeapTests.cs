using System.Diagnostics;
using Sharpness.Nets.Hessian;
using Sharpness.Nets.Models;
using Sharpness.Nets.Tests.Hessian;
using Sharpness.Nets.Tests.TestSupport;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests;

/// <summary>Runs alone (with the memory measurements), since the setting is the whole process's.</summary>
[Collection(nameof(MemoryMeasurements))]
public sealed class NativeHeapTests
{
    [Fact]
    public void KeepingFreedMemoryChangesNoProductAndKeepsTheResidentSetBounded()
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
        var before = new double[op.Size];
        op.Apply(v, before);

        string setting = NativeHeap.Apply();

        bool userSetting = Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is { Length: > 0 }
            || Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is { Length: > 0 }
            || (Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) ?? false);
        Assert.Equal(userSetting ? "left to the environment" : $"mmap {NativeHeap.MmapThreshold >> 20} MiB, trim {NativeHeap.TrimThreshold >> 20} MiB", setting);
        Assert.Equal(setting, NativeHeap.Setting);
        Assert.Equal(setting, NativeHeap.Apply());
        var after = new double[op.Size];
        for (int i = 0; i < 100; i++)
        {
            op.Apply(v, after);
        }

        Assert.Equal(before, after);
        long resident = ResidentBytes();
        for (int i = 0; i < 500; i++)
        {
            op.Apply(v, after);
        }

        Assert.Equal(before, after);
        long later = ResidentBytes();
        Assert.True(later < resident * 1.10, $"resident set grew from {resident >> 20} MiB to {later >> 20} MiB over 500 products");
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
