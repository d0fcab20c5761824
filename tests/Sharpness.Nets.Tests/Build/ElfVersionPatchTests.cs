using System.Diagnostics;
using System.Reflection;
using Sharpness.Build.ElfVersionPatch;

namespace Sharpness.Nets.Tests.Build;

/// <summary>The ELF reader and the weak-version patch, on copies of TorchSharp's real native shim.</summary>
public sealed class ElfVersionPatchTests : IDisposable
{
    private const string Version = "GLIBCXX_3.4.32";
    private const string ShimName = "libLibTorchSharp.so";
    private readonly string _directory = Directory.CreateTempSubdirectory("elf-version-patch-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TheOriginalShimNeedsTheVersionFromLibstdcxxAsAHardRequirement()
    {
        var image = ElfImage.Load(OriginalShim());

        var matches = WeakVersionPatcher.Matching(image, Version);

        var requirement = Assert.Single(matches);
        Assert.Equal("libstdc++.so.6", requirement.Library);
        Assert.False(requirement.IsWeak);
        Assert.Contains(image.VersionRequirements(), r => r.Version == "GLIBC_2.2.5");
    }

    [Fact]
    public void PatchingSetsTheWeakFlagAndChangesNothingElse()
    {
        string copy = CopyOfOriginal();
        byte[] before = File.ReadAllBytes(copy);
        var requirementsBefore = ElfImage.Parse(before).VersionRequirements();

        var (outcome, after) = WeakVersionPatcher.MarkWeak(copy, Version);

        Assert.Equal(PatchOutcome.Patched, outcome);
        Assert.True(Assert.Single(after).IsWeak);
        byte[] patched = File.ReadAllBytes(copy);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != patched[i]).ToArray();
        long flagsOffset = requirementsBefore.Single(r => r.Version == Version).FlagsOffset;
        Assert.Equal([(int)flagsOffset], changed);
        Assert.Equal(before[flagsOffset] | VersionRequirement.WeakFlag, patched[flagsOffset]);
        var requirementsAfter = ElfImage.Parse(patched).VersionRequirements();
        Assert.Equal(
            requirementsBefore.Where(r => r.Version != Version),
            requirementsAfter.Where(r => r.Version != Version));
    }

    [Fact]
    public void PatchingTwiceIsANoOp()
    {
        string copy = CopyOfOriginal();
        WeakVersionPatcher.MarkWeak(copy, Version);
        byte[] once = File.ReadAllBytes(copy);
        DateTime written = File.GetLastWriteTimeUtc(copy);

        var (outcome, _) = WeakVersionPatcher.MarkWeak(copy, Version);

        Assert.Equal(PatchOutcome.AlreadyWeak, outcome);
        Assert.Equal(once, File.ReadAllBytes(copy));
        Assert.Equal(written, File.GetLastWriteTimeUtc(copy));
    }

    [Fact]
    public void AVersionTheFileDoesNotNeedIsReportedAndLeftAlone()
    {
        string copy = CopyOfOriginal();
        byte[] before = File.ReadAllBytes(copy);

        var (outcome, matches) = WeakVersionPatcher.MarkWeak(copy, "GLIBCXX_99.0");

        Assert.Equal(PatchOutcome.NotRequired, outcome);
        Assert.Empty(matches);
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void TheDynamicLinkerNoLongerRejectsThePatchedCopy()
    {
        string original = CopyOfOriginal("original");
        string patched = CopyOfOriginal("patched");
        WeakVersionPatcher.MarkWeak(patched, Version);

        string lddPatched = Ldd(patched);

        // A weak version that is missing is only a note ("weak version ... not found").
        Assert.DoesNotContain(lddPatched.Split('\n'), line => IsHardVersionError(line));
        Assert.DoesNotContain("not found", lddPatched.Replace($"weak version `{Version}' not found", "", StringComparison.Ordinal), StringComparison.Ordinal);
        if (!SystemLibraryDefinesVersion())
        {
            Assert.Contains(Ldd(original).Split('\n'), line => IsHardVersionError(line));
        }
    }

    [Fact]
    public void TheBuildOutputCarriesAPatchedShimExactlyWhenTheSystemLacksTheVersion()
    {
        string output = Path.Combine(AppContext.BaseDirectory, ShimName);

        var requirement = Assert.Single(WeakVersionPatcher.Matching(ElfImage.Load(output), Version));

        Assert.Equal(!SystemLibraryDefinesVersion(), requirement.IsWeak);
        Assert.NotEqual(Path.GetFullPath(OriginalShim()), Path.GetFullPath(output));
    }

    [Fact]
    public void TheSystemLibstdcxxIsFoundAndItsVersionDefinitionsAreRead()
    {
        string? path = SystemLibrary.Find("libstdc++.so.6");

        Assert.NotNull(path);
        var definitions = ElfImage.Load(path).VersionDefinitions();
        Assert.Contains("GLIBCXX_3.4", definitions);
        Assert.Contains("CXXABI_1.3", definitions);
        Assert.True(SystemLibrary.Defines(path, "GLIBCXX_3.4.30"));
        Assert.False(SystemLibrary.Defines(path, "GLIBCXX_99.0"));
    }

    [Fact]
    public void TheToolSkipsThePatchWhenTheProviderDefinesTheVersion()
    {
        // Debian 12's libstdc++ defines GLIBCXX_3.4.30; asking for that version exercises the
        // "not needed" branch the build takes on a newer system for GLIBCXX_3.4.32.
        string copy = CopyOfOriginal();
        byte[] before = File.ReadAllBytes(copy);
        string provider = SystemLibrary.Find("libstdc++.so.6")!;
        var output = new StringWriter();

        int exit = PatchCommand.Run(["--version", "GLIBCXX_3.4.30", "--provider-path", provider, copy], output, TextWriter.Null);

        Assert.Equal(PatchCommand.Success, exit);
        Assert.Contains("no change needed", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(copy));
    }

    [Fact]
    public void TheToolPatchesWhenTheProviderLacksTheVersionAndSaysWhatItDid()
    {
        string copy = CopyOfOriginal();
        string provider = SystemLibrary.Find("libstdc++.so.6")!;
        var first = new StringWriter();
        var second = new StringWriter();

        int exit1 = PatchCommand.Run(["--version", "GLIBCXX_99.0", "--provider-path", provider, "--force", copy], first, TextWriter.Null);
        int exit2 = PatchCommand.Run(["--version", Version, "--force", copy], first, TextWriter.Null);
        int exit3 = PatchCommand.Run(["--version", Version, "--force", copy], second, TextWriter.Null);

        Assert.Equal([PatchCommand.Success, PatchCommand.Success, PatchCommand.Success], new[] { exit1, exit2, exit3 });
        Assert.Contains("does not require GLIBCXX_99.0", first.ToString(), StringComparison.Ordinal);
        Assert.Contains($"requirement on {Version} (from libstdc++.so.6) marked weak", first.ToString(), StringComparison.Ordinal);
        Assert.Contains("already weak; unchanged", second.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--version")]
    [InlineData("--version GLIBCXX_3.4.32")]
    [InlineData("--bogus file")]
    [InlineData("--version GLIBCXX_3.4.32 --provider a --provider-path b file")]
    public void AMalformedCommandLineIsAUsageError(string commandLine)
    {
        string[] args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var error = new StringWriter();

        Assert.Equal(PatchCommand.Usage, PatchCommand.Run(args, TextWriter.Null, error));
        Assert.Contains("usage:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotElfIsAnErrorNotACrash()
    {
        string path = Path.Combine(_directory, "not-elf.so");
        File.WriteAllText(path, "just text, long enough to pass the length check of sixty-four bytes...");
        var error = new StringWriter();

        int exit = PatchCommand.Run(["--version", Version, "--force", path], TextWriter.Null, error);

        Assert.Equal(PatchCommand.Failure, exit);
        Assert.Contains("Not an ELF file", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedShimIsRejectedWithInvalidData()
    {
        byte[] bytes = File.ReadAllBytes(OriginalShim());

        Assert.Throws<InvalidDataException>(() => ElfImage.Parse(bytes[..(bytes.Length / 2)]).VersionRequirements());
    }

    [Fact]
    public void TheLdconfigListingIsReadForTheRightArchitecture()
    {
        const string listing = """
            1234 libs found in cache `/etc/ld.so.cache'
            	libstdc++.so.6 (libc6) => /usr/lib/i386-linux-gnu/libstdc++.so.6
            	libstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6
            	libstdc++.so (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so
            """;

        Assert.Equal("/lib/x86_64-linux-gnu/libstdc++.so.6", SystemLibrary.FromLdconfigCache(listing, "libstdc++.so.6", "x86-64"));
        Assert.Null(SystemLibrary.FromLdconfigCache(listing, "libstdc++.so.6", "AArch64"));
        Assert.Null(SystemLibrary.FromLdconfigCache(listing, "libfoo.so.1", "x86-64"));
    }

    private static bool IsHardVersionError(string line) =>
        line.Contains($"version `{Version}' not found", StringComparison.Ordinal) && !line.Contains("weak version", StringComparison.Ordinal);

    private static bool SystemLibraryDefinesVersion() =>
        SystemLibrary.Find("libstdc++.so.6") is { } path && SystemLibrary.Defines(path, Version);

    private static string OriginalShim()
    {
        string? package = typeof(ElfVersionPatchTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "TorchSharpPackageDirectory")?.Value;
        Assert.False(string.IsNullOrEmpty(package), "The build did not record the TorchSharp package directory.");
        string path = Path.Combine(package, "runtimes", "linux-x64", "native", ShimName);
        Assert.True(File.Exists(path), $"{path} not found");
        return path;
    }

    private string CopyOfOriginal(string subdirectory = "copy")
    {
        string directory = Path.Combine(_directory, subdirectory);
        Directory.CreateDirectory(directory);
        string copy = Path.Combine(directory, ShimName);
        File.Copy(OriginalShim(), copy);
        return copy;
    }

    /// <summary>ldd of a shim copy, resolving LibTorch from the test output directory.</summary>
    private static string Ldd(string path)
    {
        var start = new ProcessStartInfo("ldd", [path])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["LD_LIBRARY_PATH"] = AppContext.BaseDirectory;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return stdout + stderr.Result;
    }
}
