using Sharpness.Runs;

namespace Sharpness.Cli.Tests.Safety;

/// <summary>
/// The contract every command keeps on any input: it finishes (no abort, no hang); it exits 0 with
/// a complete run, or exits 2 (invalid input) or 3 (the environment failed) with exactly one line
/// on standard error and nothing written; "This is a bug" never appears for user input.
/// </summary>
internal static class Contract
{
    /// <summary>A snapshot of a folder tree: relative paths and sizes (or "folder").</summary>
    public static SortedDictionary<string, string> Snapshot(string folder)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(folder))
        {
            return entries;
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(entry);
            entries[Path.GetRelativePath(folder, entry)] = Directory.Exists(entry) ? "folder" : info.LinkTarget is { } target ? "-> " + target : info.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return entries;
    }

    /// <summary>Asserts the contract for a run whose output folder was <paramref name="before"/> (a snapshot, empty when it did not exist).</summary>
    /// <param name="result">What the child did.</param>
    /// <param name="outFolder">The --out folder, or null when the command wrote none.</param>
    /// <param name="before">The folder's snapshot before the run.</param>
    /// <param name="existedBefore">Whether the folder existed before the run.</param>
    public static void Holds(ChildResult result, string? outFolder, SortedDictionary<string, string>? before = null, bool existedBefore = false)
    {
        Assert.False(result.TimedOut, $"the command did not finish: {result}");
        Assert.True(result.Code is 0 or 2 or 3, $"expected exit 0, 2 or 3: {result}");
        Assert.DoesNotContain("This is a bug", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
        if (result.Code == 0)
        {
            if (outFolder is not null && Directory.Exists(outFolder) && Snapshot(outFolder).Keys.Any(k => k == RunDirectory.ManifestFileName))
            {
                Assert.True(RunDirectory.HoldsCompleteRun(outFolder), $"exit 0 but the run in {outFolder} is not complete: {result}");
            }

            return;
        }

        Assert.True(result.ErrorLines.Length == 1, $"expected exactly one line on standard error: {result}");
        Assert.StartsWith("error: ", result.ErrorLines[0], StringComparison.Ordinal);
        if (outFolder is not null)
        {
            if (existedBefore)
            {
                Assert.Equal(before ?? [], Snapshot(outFolder));
            }
            else
            {
                Assert.False(Directory.Exists(outFolder), $"the refused run left {outFolder} behind: {result}");
            }
        }
    }

    /// <summary>Asserts the run was refused with exit 2, one line containing every fragment, nothing written.</summary>
    public static void Refused(ChildResult result, string? outFolder, params string[] fragments)
    {
        Holds(result, outFolder);
        Assert.True(result.Code == 2, $"expected exit 2: {result}");
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, result.ErrorLines[0], StringComparison.Ordinal);
        }
    }

    /// <summary>A new temporary path (not created).</summary>
    public static string NewPath() => Path.Combine(Path.GetTempPath(), "sharpness-safety", Guid.NewGuid().ToString("N"));

    /// <summary>A new temporary folder (created).</summary>
    public static string NewFolder()
    {
        string path = NewPath();
        Directory.CreateDirectory(path);
        return path;
    }
}
