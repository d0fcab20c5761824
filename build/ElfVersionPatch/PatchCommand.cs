namespace Sharpness.Build.ElfVersionPatch;

/// <summary>
/// The command line of the tool:
/// <c>ElfVersionPatch --version NAME [--provider SONAME | --provider-path PATH] [--force] FILE...</c>.
/// For each FILE, marks its requirement on symbol version NAME weak, unless the provider library
/// (by default the system's copy of the soname that defines NAME's family, found as the dynamic
/// linker would) already defines NAME, in which case nothing is needed and nothing is written.
/// </summary>
internal static class PatchCommand
{
    /// <summary>Exit code when every file was handled.</summary>
    public const int Success = 0;

    /// <summary>Exit code when a file could not be read, parsed or written.</summary>
    public const int Failure = 1;

    /// <summary>Exit code for a malformed command line.</summary>
    public const int Usage = 2;

    private const string Name = "ElfVersionPatch";

    /// <summary>Runs the command; every decision and change is printed to <paramref name="output"/>.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="output">Receives one line per decision or file.</param>
    /// <param name="error">Receives error messages.</param>
    /// <returns><see cref="Success"/>, <see cref="Failure"/> or <see cref="Usage"/>.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? version = null, provider = null, providerPath = null;
        bool force = false;
        var files = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--version" when i + 1 < args.Count:
                    version = args[++i];
                    break;
                case "--provider" when i + 1 < args.Count:
                    provider = args[++i];
                    break;
                case "--provider-path" when i + 1 < args.Count:
                    providerPath = args[++i];
                    break;
                case "--force":
                    force = true;
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    return UsageError(error, $"unknown or incomplete option '{option}'");
                default:
                    files.Add(args[i]);
                    break;
            }
        }

        if (string.IsNullOrEmpty(version) || files.Count == 0)
        {
            return UsageError(error, "a --version and at least one file are required");
        }

        if (provider is not null && providerPath is not null)
        {
            return UsageError(error, "give --provider or --provider-path, not both");
        }

        if (!force && !Needed(version, provider ?? "libstdc++.so.6", providerPath, output))
        {
            return Success;
        }

        foreach (string file in files)
        {
            try
            {
                var (outcome, requirements) = WeakVersionPatcher.MarkWeak(file, version);
                string from = string.Join(", ", requirements.Select(r => r.Library).Distinct());
                output.WriteLine(outcome switch
                {
                    PatchOutcome.Patched => $"{Name}: {file}: requirement on {version} (from {from}) marked weak.",
                    PatchOutcome.AlreadyWeak => $"{Name}: {file}: requirement on {version} (from {from}) is already weak; unchanged.",
                    _ => $"{Name}: {file}: does not require {version}; unchanged.",
                });
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine($"{Name}: error: {file}: {e.Message}");
                return Failure;
            }
        }

        return Success;
    }

    private static bool Needed(string version, string soname, string? providerPath, TextWriter output)
    {
        string? path = providerPath ?? SystemLibrary.Find(soname);
        if (path is null)
        {
            output.WriteLine($"{Name}: {soname} not found on this system; marking {version} weak to be safe.");
            return true;
        }

        bool defines;
        try
        {
            defines = SystemLibrary.Defines(path, version);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            output.WriteLine($"{Name}: cannot read the version definitions of {path} ({e.Message}); marking {version} weak to be safe.");
            return true;
        }

        output.WriteLine(defines
            ? $"{Name}: {path} defines {version}; no change needed."
            : $"{Name}: {path} lacks {version}; marking the requirement weak.");
        return !defines;
    }

    private static int UsageError(TextWriter error, string message)
    {
        error.WriteLine($"{Name}: {message}.");
        error.WriteLine($"usage: {Name} --version NAME [--provider SONAME | --provider-path PATH] [--force] FILE...");
        return Usage;
    }
}
