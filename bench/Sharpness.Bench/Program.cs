using BenchmarkDotNet.Running;

namespace Sharpness.Bench;

/// <summary>
/// Entry point. <c>side-by-side ...</c> runs the plain timing mode used by
/// bench/pytorch/uv_side_by_side.py; <c>orbit-sweep ...</c> the one used by
/// bench/numpy/orbit_side_by_side.py; <c>hvp ...</c> the Hessian-vector-product timing used by
/// bench/pytorch/hvp_side_by_side.py; <c>hvp-script ...</c> the per-product timing through a TorchScript module used by
/// bench/pytorch/pyhessian_side_by_side.py; <c>hvp-tracking ...</c> and <c>hvp-memory ...</c> the
/// warm-start and resident-memory checks of docs/benchmarks.md; anything else goes to BenchmarkDotNet's switcher, e.g.
/// <c>--filter '*'</c>, <c>--filter '*UvStep*' --job short</c>, <c>--list flat</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == SideBySide.CommandName)
        {
            return SideBySide.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == OrbitSweep.CommandName)
        {
            return OrbitSweep.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == HvpTiming.CommandName)
        {
            return HvpTiming.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == HvpScriptTiming.CommandName)
        {
            return HvpScriptTiming.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == HvpTracking.CommandName)
        {
            return HvpTracking.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] == HvpMemory.CommandName)
        {
            return HvpMemory.Run(args.AsSpan(1));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
