using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace Sharpness.Nets.Tests;

/// <summary>Sharpness.Nets loads before any test touches LibTorch, as it does in a program that uses it.</summary>
internal static class LoadNetsFirst
{
    [ModuleInitializer]
    internal static void Load() => _ = NativeBlas.Backend;
}

/// <summary>The default BLAS applied at LibTorch's first call in a program that never chose one (this test process).</summary>
public class NativeBlasDefaultTests
{
    private const string DebianOpenBlas = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0";

    // The rule, read independently of NativeBlas: OpenBLAS when it is installed and the processor is not Intel's.
    private static BlasBackend Expected() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("vendor_id", StringComparison.Ordinal))?.Split(':')[1].Trim() != "GenuineIntel"
            && File.Exists(DebianOpenBlas) && Environment.GetEnvironmentVariable(NativeBlas.Variable) is null or "" or "auto"
            ? BlasBackend.OpenBlas
            : BlasBackend.LibTorch;

    [Fact]
    public void TheDefaultServesLibTorchsProductsAndPassesTheBitForBitCheck()
    {
        using (var a = ones(4, 4, dtype: ScalarType.Float64))
        using (a.mm(a))
        {
            // LibTorch has run a product.
        }

        Assert.Equal(Expected(), NativeBlas.Backend);
        if (NativeBlas.Backend == BlasBackend.OpenBlas)
        {
            Assert.StartsWith("default on ", NativeBlas.Reason, StringComparison.Ordinal);
            Assert.Equal("LibTorch's product equals OpenBLAS's bit for bit and differs from MKL's", NativeBlas.Check);
            Assert.StartsWith("openblas (", NativeBlas.Describe(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AfterTheDefaultOnlyTheSameBackendCanBeAsked()
    {
        using (zeros(1))
        {
        }

        var other = NativeBlas.Backend == BlasBackend.OpenBlas ? BlasBackend.LibTorch : BlasBackend.OpenBlas;

        NativeBlas.Use(null, threads: 1, forcedBy: null);
        NativeBlas.Use(NativeBlas.Backend, threads: 1);
        Assert.Throws<InvalidOperationException>(() => NativeBlas.Use(other, threads: 1));
    }

    [Theory]
    [InlineData("auto", true, null)]
    [InlineData("openblas", true, BlasBackend.OpenBlas)]
    [InlineData("MKL", true, BlasBackend.LibTorch)]
    [InlineData("libtorch", true, BlasBackend.LibTorch)]
    [InlineData("atlas", false, null)]
    public void ChoicesParse(string text, bool parsed, BlasBackend? backend)
    {
        Assert.Equal(parsed, NativeBlas.TryParseChoice(text, out var choice));
        Assert.Equal(backend, choice);
    }
}
