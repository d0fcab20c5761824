namespace Sharpness.Runs.Safety;

/// <summary>
/// Names that stay inside their folder: one path segment, never empty, "." or "..", with no
/// separator ('/' or '\'), no control character (NUL included) and not rooted. Every name the
/// toolkit reads from a manifest or a spec and joins to a folder goes through here.
/// </summary>
public static class PathSegment
{
    /// <summary>Longest name a Linux file system takes, in UTF-8 bytes.</summary>
    public const int MaxBytes = 255;

    /// <summary>Whether <paramref name="name"/> is one safe segment (see <see cref="PathSegment"/>).</summary>
    /// <param name="name">A file or folder name.</param>
    public static bool IsSafe(string? name) =>
        !string.IsNullOrEmpty(name)
        && name is not ("." or "..")
        && name.AsSpan().IndexOfAny('/', '\\') < 0
        && !name.Any(char.IsControl)
        && !Path.IsPathRooted(name)
        && System.Text.Encoding.UTF8.GetByteCount(name) <= MaxBytes;

    /// <summary>The path of <paramref name="name"/> inside <paramref name="folder"/>, after checking it is one safe segment.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="name">The name, typically read from a file.</param>
    /// <param name="source">Where the name came from, for the message (for example "'run/manifest.json': results.runs[0].name").</param>
    /// <exception cref="InvalidDataException">The name is not one safe segment.</exception>
    public static string Combine(string folder, string? name, string source)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return IsSafe(name)
            ? Path.Combine(folder, name!)
            : throw new InvalidDataException($"{source} is '{Printable(name)}', which is not a plain name inside the folder (no '/', '..', absolute path or control character).");
    }

    /// <summary>The text with control characters shown as \uXXXX, for messages.</summary>
    /// <param name="text">Any text.</param>
    public static string Printable(string? text) =>
        text is null ? "null" : string.Concat(text.Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
