using Sharpness.Web.Api;

namespace Sharpness.Web.Security;

/// <summary>
/// Resolves a path sent by a client inside the runs folder. Only relative paths of plain names
/// separated by '/' are accepted: no '..' or '.', no absolute path, no backslash, no control
/// character; and the real location (every symbolic link followed) must lie inside the real runs
/// folder. Anything else is answered 404, as if it did not exist.
/// </summary>
public sealed class RunPaths
{
    private const int MaxLinkDepth = 40;

    /// <summary>Creates the resolver for a runs folder.</summary>
    /// <param name="root">The runs folder (must exist).</param>
    public RunPaths(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root).TrimEnd('/');
        if (Root.Length == 0)
        {
            Root = "/";
        }

        RealRoot = RealPath(Root);
    }

    /// <summary>The runs folder as given, made absolute.</summary>
    public string Root { get; }

    /// <summary>The runs folder with every symbolic link resolved.</summary>
    public string RealRoot { get; }

    /// <summary>
    /// The absolute path of <paramref name="relative"/> inside the runs folder ("" or null is the folder
    /// itself), or an <see cref="ApiException"/> 404 when it is malformed or leads outside.
    /// </summary>
    /// <param name="relative">A relative path with '/' separators.</param>
    public string Resolve(string? relative)
    {
        if (string.IsNullOrEmpty(relative))
        {
            return Root;
        }

        if (relative.Length > 1024 || relative.StartsWith('/') || relative.Contains('\\') || relative.Any(char.IsControl))
        {
            throw ApiException.NotFound();
        }

        string[] parts = relative.TrimEnd('/').Split('/');
        if (parts.Any(p => p.Length == 0 || p == "." || p == ".."))
        {
            throw ApiException.NotFound();
        }

        string full = Path.GetFullPath(Path.Combine(Root, Path.Combine(parts)));
        if (!IsInside(full, Root))
        {
            throw ApiException.NotFound();
        }

        if (!IsInside(RealPath(full), RealRoot))
        {
            throw ApiException.NotFound();
        }

        return full;
    }

    /// <summary>The path of <paramref name="full"/> relative to the runs folder, with '/' separators ("" for the folder itself).</summary>
    /// <param name="full">An absolute path inside the runs folder.</param>
    public string Relative(string full)
    {
        string relative = Path.GetRelativePath(Root, full);
        return relative == "." ? string.Empty : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or lies below it (both absolute and normalised).</summary>
    /// <param name="path">A path.</param>
    /// <param name="folder">A folder.</param>
    public static bool IsInside(string path, string folder) =>
        path == folder || path.StartsWith(folder == "/" ? "/" : folder + "/", StringComparison.Ordinal);

    /// <summary>Whether a file-system entry is a symbolic link.</summary>
    /// <param name="path">A path.</param>
    public static bool IsLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// The real location of an absolute path: every component that is a symbolic link replaced by its
    /// target, recursively. Components that do not exist are kept as they are.
    /// </summary>
    /// <param name="path">An absolute, normalised path.</param>
    public static string RealPath(string path) => RealPath(path, 0);

    private static string RealPath(string path, int depth)
    {
        if (depth > MaxLinkDepth)
        {
            throw ApiException.NotFound();
        }

        string current = "/";
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            string next = current == "/" ? "/" + part : current + "/" + part;
            string? target = null;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }

            current = target is null
                ? next
                : RealPath(Path.GetFullPath(target, current), depth + 1);
        }

        return current;
    }
}
