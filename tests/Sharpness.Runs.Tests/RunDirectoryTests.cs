using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sharpness.Runs.Tests;

public class RunDirectoryTests
{
    private static string NewPath() => Path.Combine(Path.GetTempPath(), "sharpness-runs-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void NewFolderIsUsableAndCreatedOnlyOnCreate()
    {
        string path = NewPath();

        Assert.Null(RunDirectory.CheckUsable(path, ["a.csv"]));
        Assert.False(Directory.Exists(path));
        var run = RunDirectory.Create(path, ["a.csv"]);
        Assert.True(Directory.Exists(run.Path));
        Assert.False(run.IsComplete);
    }

    [Fact]
    public void SharedClaimsCoexistExcludeAWholeRunAndKeepTheFolderWhenReleased()
    {
        string path = NewPath();
        var first = RunDirectory.CreateShared(path, ["part-0", "part-1", "summary.csv"]);
        var second = RunDirectory.CreateShared(path, ["part-0", "part-1", "summary.csv"]);
        // Each part writes its own sub-folder, a run of its own.
        RunDirectory.Create(Path.Combine(path, "part-0"), []).Dispose();

        Assert.Throws<Sharpness.Runs.Safety.FolderInUseException>(() => RunDirectory.Create(path, ["part-0", "part-1", "summary.csv"]));
        first.Dispose();
        Assert.Throws<Sharpness.Runs.Safety.FolderInUseException>(() => RunDirectory.Create(path, ["part-0", "part-1", "summary.csv"]));
        second.Abandon();

        // Released, the folder stays (another part may still use it), and the whole run claims it with the parts' folders in it.
        Assert.True(Directory.Exists(Path.Combine(path, "part-0")));
        using var whole = RunDirectory.Create(path, ["part-0", "part-1", "summary.csv"]);
        Assert.Equal(path, whole.Path);
        // A shared claim checks the folder like any claim: nothing the run does not write.
        string other = NewPath();
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.txt"), "mine");
        Assert.Throws<RunFolderException>(() => RunDirectory.CreateShared(other, ["part-0"]));
    }

    [Fact]
    public void AtomicWriteLeavesNoTemporaryFileAndReplacesContent()
    {
        var run = RunDirectory.Create(NewPath(), ["a.csv"]);
        run.WriteTextAtomic("a.csv", "first");
        run.WriteTextAtomic("a.csv", "second");

        Assert.Equal("second", File.ReadAllText(Path.Combine(run.Path, "a.csv")));
        Assert.Equal([".sharpness.lock", "a.csv"], Directory.GetFiles(run.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FailedWriteKeepsThePreviousFile()
    {
        var run = RunDirectory.Create(NewPath(), ["a.csv"]);
        run.WriteTextAtomic("a.csv", "good");

        Assert.Throws<InvalidOperationException>(() => run.WriteAtomic("a.csv", stream =>
        {
            stream.Write("partial"u8);
            throw new InvalidOperationException("crash while writing");
        }));

        Assert.Equal("good", File.ReadAllText(Path.Combine(run.Path, "a.csv")));
    }

    [Theory]
    [InlineData("../escape.csv")]
    [InlineData("sub/file.csv")]
    [InlineData("..")]
    [InlineData("")]
    public void FileNamesMustStayInsideTheFolder(string name)
    {
        var run = RunDirectory.Create(NewPath(), ["a.csv"]);

        Assert.Throws<ArgumentException>(() => run.WriteTextAtomic(name, "x"));
    }

    [Fact]
    public void CompleteRunAndForeignFilesMakeAFolderUnusable()
    {
        var run = RunDirectory.Create(NewPath(), ["a.csv"]);
        run.WriteTextAtomic("a.csv", "data");
        Assert.Null(RunDirectory.CheckUsable(run.Path, ["a.csv"]));

        run.WriteManifest(Manifest());
        Assert.True(run.IsComplete);
        Assert.Contains("already holds a run", RunDirectory.CheckUsable(run.Path, ["a.csv"]));

        string other = NewPath();
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "thesis.tex"), "x");
        Assert.Contains("not empty", RunDirectory.CheckUsable(other, ["a.csv"]));
        Assert.Throws<RunFolderException>(() => RunDirectory.Create(other, ["a.csv"]));
    }

    [Fact]
    public void ARunKilledWhileWritingItsManifestLeavesAFolderItsRerunAccepts()
    {
        // The state SIGKILL leaves between the manifest's temporary file and its rename.
        string path;
        using (var run = RunDirectory.Create(NewPath(), ["a.csv"]))
        {
            run.WriteTextAtomic("a.csv", "data");
            path = run.Path;
        }

        File.WriteAllText(Path.Combine(path, "manifest.json" + Sharpness.Runs.Safety.SafeFile.TemporarySuffix), "{\"trunc");
        Assert.Null(RunDirectory.CheckUsable(path, ["a.csv"]));

        // The same leftover in a folder the toolkit did not mark is not the toolkit's to overwrite.
        string other = NewPath();
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "manifest.json" + Sharpness.Runs.Safety.SafeFile.TemporarySuffix), "x");
        Assert.Contains("did not write it", RunDirectory.CheckUsable(other, ["a.csv"]));
    }

    [Fact]
    public void OpenWritesIntoAFolderThatHoldsACompleteRunWithoutRemovingAnything()
    {
        var run = RunDirectory.Create(NewPath(), ["a.csv", "a.png"]);
        run.WriteTextAtomic("a.csv", "data");
        run.WriteTextAtomic("a.png", "old figure");
        run.WriteManifest(Manifest());
        run.Dispose();

        using var reopened = RunDirectory.Open(run.Path);
        reopened.WriteTextAtomic("a.png", "new figure");

        Assert.Equal("new figure", File.ReadAllText(Path.Combine(run.Path, "a.png")));
        Assert.Equal([".sharpness.lock", "a.csv", "a.png", "manifest.json"], Directory.GetFiles(run.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(RunDirectory.HoldsCompleteRun(run.Path));
        string created = RunDirectory.Open(Path.Combine(NewPath(), "sub")).Path;
        Assert.True(Directory.Exists(created));
        Assert.Throws<RunFolderException>(() => RunDirectory.Open(Path.Combine(run.Path, "a.csv")));
    }

    [Fact]
    public void ManifestIsValidJsonWithEverythingNeededToRepeatTheRun()
    {
        var run = RunDirectory.Create(NewPath(), ["a.csv"]);
        run.WriteManifest(Manifest());

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Path, RunDirectory.ManifestFileName)));
        var root = json.RootElement;
        Assert.Equal(RunManifest.Schema, root.GetProperty("schema").GetString());
        Assert.Equal(17UL, root.GetProperty("seed").GetUInt64());
        Assert.Equal(3, root.GetProperty("configuration").GetProperty("width").GetInt32());
        Assert.Equal("NaN", root.GetProperty("results").GetProperty("value").GetString());
        Assert.Equal(["x", "--width", "3"], root.GetProperty("arguments").EnumerateArray().Select(e => e.GetString()));
        Assert.True(root.GetProperty("complete").GetBoolean());
    }

    private static RunManifest Manifest() => new()
    {
        Command = "test",
        Arguments = ["x", "--width", "3"],
        Configuration = new JsonObject { ["width"] = 3 },
        Seed = 17,
        StartedUtc = DateTimeOffset.UtcNow,
        FinishedUtc = DateTimeOffset.UtcNow,
        Results = new JsonObject { ["value"] = JsonOutput.Number(double.NaN) },
        Files = ["a.csv"],
    };
}
