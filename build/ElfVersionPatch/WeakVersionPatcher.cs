namespace Sharpness.Build.ElfVersionPatch;

/// <summary>What <see cref="WeakVersionPatcher.MarkWeak"/> did to a file.</summary>
internal enum PatchOutcome
{
    /// <summary>The file had a non-weak requirement on the version; it now carries VER_FLG_WEAK.</summary>
    Patched,

    /// <summary>Every requirement on the version was already weak; the file was not written.</summary>
    AlreadyWeak,

    /// <summary>The file does not require the version at all; the file was not written.</summary>
    NotRequired,
}

/// <summary>
/// Sets VER_FLG_WEAK in the vna_flags of every Vernaux entry of .gnu.version_r that names a given
/// symbol version. glibc's dynamic linker then treats that version, when the library lacks it, as
/// a missing optional version instead of refusing to load the file.
/// </summary>
internal static class WeakVersionPatcher
{
    /// <summary>
    /// Marks the requirement on <paramref name="version"/> weak. Idempotent: a second call returns
    /// <see cref="PatchOutcome.AlreadyWeak"/> and leaves the file untouched.
    /// </summary>
    /// <param name="path">The ELF64 file to change.</param>
    /// <param name="version">The version name, e.g. "GLIBCXX_3.4.32".</param>
    /// <returns>The outcome and the requirements on <paramref name="version"/> as they are after the call.</returns>
    /// <remarks>
    /// The new contents are written to a temporary file next to <paramref name="path"/>, checked by
    /// parsing them again, and renamed over it. Renaming replaces the directory entry, so a hard
    /// link or symbolic link into a shared location (such as the NuGet package cache) is never
    /// written through. The file mode is kept.
    /// </remarks>
    public static (PatchOutcome Outcome, IReadOnlyList<VersionRequirement> Requirements) MarkWeak(string path, string version)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(version);
        byte[] bytes = File.ReadAllBytes(path);
        var matches = Matching(ElfImage.Parse(bytes), version);
        if (matches.Count == 0)
        {
            return (PatchOutcome.NotRequired, matches);
        }

        if (matches.All(r => r.IsWeak))
        {
            return (PatchOutcome.AlreadyWeak, matches);
        }

        foreach (var requirement in matches)
        {
            ushort flags = (ushort)(requirement.Flags | VersionRequirement.WeakFlag);
            bytes[requirement.FlagsOffset] = (byte)(flags & 0xff);
            bytes[requirement.FlagsOffset + 1] = (byte)(flags >> 8);
        }

        var after = Matching(ElfImage.Parse(bytes), version);
        if (after.Count != matches.Count || !after.All(r => r.IsWeak))
        {
            throw new InvalidDataException($"Marking {version} weak in {path} did not take effect; the file was left unchanged.");
        }

        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllBytes(temporary, bytes);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return (PatchOutcome.Patched, after);
    }

    /// <summary>The Vernaux entries of <paramref name="image"/> that name <paramref name="version"/>.</summary>
    /// <param name="image">A parsed ELF file.</param>
    /// <param name="version">The version name.</param>
    public static IReadOnlyList<VersionRequirement> Matching(ElfImage image, string version) =>
        image.VersionRequirements().Where(r => r.Version == version).ToList();
}
