using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Sharpness.Build.ElfVersionPatch;

/// <summary>
/// Finds the copy of a shared library that the dynamic linker would load by default (through the
/// ld.so cache, else the usual multiarch directories) and tells whether it defines a symbol version.
/// </summary>
internal static class SystemLibrary
{
    private static readonly string[] LdconfigPaths = ["/sbin/ldconfig", "/usr/sbin/ldconfig"];

    /// <summary>
    /// The path of <paramref name="soname"/> as the dynamic linker resolves it without
    /// LD_LIBRARY_PATH: the first matching entry of `ldconfig -p` for this process's architecture,
    /// else the first existing file in the standard directories; null when there is none.
    /// </summary>
    /// <param name="soname">A soname such as "libstdc++.so.6".</param>
    public static string? Find(string soname)
    {
        foreach (string ldconfig in LdconfigPaths.Where(File.Exists))
        {
            string? cache = RunLdconfig(ldconfig);
            if (cache is not null && FromLdconfigCache(cache, soname, ArchitectureTag()) is { } fromCache && File.Exists(fromCache))
            {
                return fromCache;
            }
        }

        return StandardDirectories().Select(d => Path.Combine(d, soname)).FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The first path listed for <paramref name="soname"/> in the text printed by `ldconfig -p`
    /// whose description names <paramref name="architectureTag"/> (e.g. "x86-64"); null when absent.
    /// </summary>
    /// <param name="cacheListing">Output of `ldconfig -p`.</param>
    /// <param name="soname">A soname such as "libstdc++.so.6".</param>
    /// <param name="architectureTag">The architecture word ldconfig prints in parentheses.</param>
    public static string? FromLdconfigCache(string cacheListing, string soname, string architectureTag)
    {
        // Lines look like: "\tlibstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6".
        foreach (string raw in cacheListing.Split('\n'))
        {
            string line = raw.Trim();
            int arrow = line.IndexOf("=>", StringComparison.Ordinal);
            int paren = line.IndexOf(" (", StringComparison.Ordinal);
            if (arrow < 0 || paren < 0 || paren > arrow || line[..paren] != soname)
            {
                continue;
            }

            string description = line[(paren + 2)..arrow];
            if (description.Contains(architectureTag, StringComparison.Ordinal))
            {
                return line[(arrow + 2)..].Trim();
            }
        }

        return null;
    }

    /// <summary>True when the library at <paramref name="path"/> defines <paramref name="version"/> in .gnu.version_d.</summary>
    /// <param name="path">An ELF64 shared library.</param>
    /// <param name="version">A version name such as "GLIBCXX_3.4.32".</param>
    public static bool Defines(string path, string version) => ElfImage.Load(path).VersionDefinitions().Contains(version);

    private static string ArchitectureTag() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 => "AArch64",
        _ => "x86-64",
    };

    private static IEnumerable<string> StandardDirectories() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.Arm64 => ["/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/usr/lib"],
        _ => ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/usr/lib"],
    };

    private static string? RunLdconfig(string ldconfig)
    {
        try
        {
            var start = new ProcessStartInfo(ldconfig, "-p")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
