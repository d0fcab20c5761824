namespace Sharpness.Runs.Tests;

/// <summary>The journal of a run's finished parts: kept across attempts with the same options, reset otherwise, robust to a cut last line.</summary>
public class RunJournalTests
{
    private static string NewPath() => Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"), "cells.journal");

    [Fact]
    public void APartRecordedByOneAttemptIsReadByTheNext()
    {
        string path = NewPath();
        using (var first = RunJournal.Open(path, "abc123", fields: 2))
        {
            Assert.Empty(first.Entries);
            first.Append(4, ["3", "0.6"]);
            first.Append(0, ["1", "1"]);
        }

        using var second = RunJournal.Open(path, "abc123", fields: 2);

        Assert.Equal(["3", "0.6"], second.Entries[4]);
        Assert.Equal(["1", "1"], second.Entries[0]);
        Assert.Equal(2, second.Entries.Count);
    }

    [Fact]
    public void AnotherFingerprintStartsAfresh()
    {
        string path = NewPath();
        using (var first = RunJournal.Open(path, "options-a", fields: 1))
        {
            first.Append(1, ["x"]);
        }

        using var other = RunJournal.Open(path, "options-b", fields: 1);

        Assert.Empty(other.Entries);
        Assert.Equal("sharpness.journal/1 options-b", File.ReadAllLines(path)[0]);
    }

    [Fact]
    public void ALineCutShortOrGarbledIsIgnoredAndOverwritten()
    {
        string path = NewPath();
        using (var journal = RunJournal.Open(path, "f", fields: 2))
        {
            journal.Append(0, ["1", "0.5"]);
            journal.Append(1, ["2", "0.75"]);
        }

        // The second line cut in the middle (the process was killed during the write), then a changed value.
        string[] lines = File.ReadAllLines(path);
        File.WriteAllText(path, $"{lines[0]}\n{lines[1]}\n{lines[2][..5]}");
        using (var resumed = RunJournal.Open(path, "f", fields: 2))
        {
            Assert.Equal([0], resumed.Entries.Keys);
            resumed.Append(1, ["2", "0.75"]);
        }

        File.WriteAllText(path, File.ReadAllText(path).Replace("0.75", "0.25", StringComparison.Ordinal));
        using var checkedAgain = RunJournal.Open(path, "f", fields: 2);
        Assert.Equal([0], checkedAgain.Entries.Keys);
    }

    [Fact]
    public void ValuesThatWouldBreakALineAreRefused()
    {
        using var journal = RunJournal.Open(NewPath(), "f", fields: 1);

        Assert.Throws<ArgumentException>(() => journal.Append(0, ["a,b"]));
        Assert.Throws<ArgumentException>(() => journal.Append(0, ["a", "b"]));
        Assert.Throws<ArgumentException>(() => RunJournal.Open(NewPath(), "with space", fields: 1));
    }

    [Fact]
    public void ALinkAtTheJournalsNameIsRefusedAndItsTargetLeftAlone()
    {
        string path = NewPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string target = Path.Combine(Path.GetDirectoryName(path)!, "elsewhere.txt");
        File.WriteAllText(target, "not the toolkit's\n");
        File.CreateSymbolicLink(path, target);

        var error = Assert.Throws<RunFolderException>(() => RunJournal.Open(path, "f", fields: 1));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Equal("not the toolkit's\n", File.ReadAllText(target));
        RunJournal.Delete(path);
        Assert.False(File.Exists(path) || new FileInfo(path).LinkTarget is not null);
        Assert.Equal("not the toolkit's\n", File.ReadAllText(target));
    }

    [Fact]
    public void AFileHardLinkedAtTheJournalsNameIsReplacedNotRewritten()
    {
        string path = NewPath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string other = Path.Combine(Path.GetDirectoryName(path)!, "someone-elses.txt");
        File.WriteAllText(other, "kept as it is\n");
        Assert.Equal(0, Link(other, path));

        using (var journal = RunJournal.Open(path, "f", fields: 1))
        {
            Assert.Empty(journal.Entries);
            journal.Append(0, ["x"]);
        }

        Assert.Equal("kept as it is\n", File.ReadAllText(other));
        using var again = RunJournal.Open(path, "f", fields: 1);
        Assert.Equal(["x"], again.Entries[0]);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string existing, [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string created);

    [Fact]
    public void AFolderAtTheJournalsNameIsRefused()
    {
        string path = NewPath();
        Directory.CreateDirectory(path);

        Assert.Throws<RunFolderException>(() => RunJournal.Open(path, "f", fields: 1));
        RunJournal.Delete(path);
        Assert.True(Directory.Exists(path));
    }
}
