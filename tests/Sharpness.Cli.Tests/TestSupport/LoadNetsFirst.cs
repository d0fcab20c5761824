using System.Runtime.CompilerServices;

namespace Sharpness.Cli.Tests.TestSupport;

/// <summary>
/// Sharpness.Nets loads before any test touches LibTorch, as it does in the command: the BLAS of this test process
/// is then the default (docs/performance.md), whichever test runs first, and runs here match runs in new processes.
/// </summary>
internal static class LoadNetsFirst
{
    [ModuleInitializer]
    internal static void Load() => _ = Nets.NativeBlas.Backend;
}
