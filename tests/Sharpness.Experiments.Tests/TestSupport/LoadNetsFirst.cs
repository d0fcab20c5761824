using System.Runtime.CompilerServices;

namespace Sharpness.Experiments.Tests.TestSupport;

/// <summary>
/// Sharpness.Nets loads before any test touches LibTorch, as it does in a program that uses it: the BLAS of this
/// test process is then the default (docs/performance.md), whichever test runs first.
/// </summary>
internal static class LoadNetsFirst
{
    [ModuleInitializer]
    internal static void Load() => _ = Sharpness.Nets.NativeBlas.Backend;
}
