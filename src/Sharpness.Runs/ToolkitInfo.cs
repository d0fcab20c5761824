using System.Reflection;
using System.Runtime.InteropServices;

namespace Sharpness.Runs;

/// <summary>What built and runs the toolkit: version, source commit, runtime and machine.</summary>
public static class ToolkitInfo
{
    private static readonly string InformationalVersion =
        typeof(ToolkitInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The toolkit version (without the commit suffix).</summary>
    public static string Version => InformationalVersion.Split('+')[0];

    /// <summary>The git commit the toolkit was built from, when the build knew it (else null).</summary>
    public static string? Commit
    {
        get
        {
            int plus = InformationalVersion.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 || plus == InformationalVersion.Length - 1 ? null : InformationalVersion[(plus + 1)..];
        }
    }

    /// <summary>The .NET runtime description, for example ".NET 10.0.1".</summary>
    public static string Runtime => RuntimeInformation.FrameworkDescription;

    /// <summary>Operating system and architecture.</summary>
    public static string Platform => $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})";

    /// <summary>Logical processors visible to the process.</summary>
    public static int Processors => Environment.ProcessorCount;
}
