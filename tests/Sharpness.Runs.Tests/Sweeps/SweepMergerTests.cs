using System.Text.Json.Nodes;
using Parquet;
using Sharpness.Runs.Sweeps;
using static Sharpness.Runs.Tests.Sweeps.SweepFixture;

namespace Sharpness.Runs.Tests.Sweeps;

public class SweepMergerTests
{
    private const string ExpectedHeader =
        "run,command,seed,"
        + "config.width,config.param,config.lr,config.input,config.model,config.mixed,"
        + "config.model.width,config.model.depth,config.model.init.scale,config.note,"
        + "config.c_points,config.r_points,config.ratio,"
        + "result.steps_completed,result.final.loss,result.final.f,result.labels,result.diverged,result.diverged_at_step,"
        + "result.period,result.counts.catapult,result.counts.converged";

    [Fact]
    public void ReportListsCompleteAndIncompleteRunsInNameOrder()
    {
        string sweep = StandardSweep();

        MergeReport report = SweepMerger.Merge(sweep);

        Assert.Equal(5, report.CompleteRuns);
        Assert.Equal(4, report.IncompleteRuns);
        Assert.Equal(["broken", "empty", "no-manifest", "not-complete"], report.Incomplete.Select(i => i.Run));
        Assert.StartsWith("manifest.json is not valid JSON", report.Incomplete[0].Reason, StringComparison.Ordinal);
        Assert.StartsWith("empty folder, no manifest.json", report.Incomplete[1].Reason, StringComparison.Ordinal);
        Assert.StartsWith("no manifest.json", report.Incomplete[2].Reason, StringComparison.Ordinal);
        Assert.Equal("manifest.json does not mark the run complete (\"complete\" is false)", report.Incomplete[3].Reason);
        Assert.Equal([new RunIssue("no-csv", "the manifest lists no .csv file")], report.WithoutTrajectory);
        Assert.Equal(5, report.ResultRows);
        Assert.Equal(8 + 4 + 3 + 2, report.TrajectoryRows);
        Assert.Equal(1, report.TrajectoryRowGroups);
        Assert.Equal(
            [Path.Combine(sweep, "results.parquet"), Path.Combine(sweep, "results.csv"), Path.Combine(sweep, "trajectories.parquet")],
            report.FilesWritten);
        Assert.All(report.FilesWritten, path => Assert.True(File.Exists(path)));
    }

    [Fact]
    public void ResultsCsvHasTheUnionOfColumnsNullsAsEmptyCellsAndQuotedText()
    {
        string sweep = StandardSweep();

        SweepMerger.Merge(sweep);

        string expected = ExpectedHeader + "\n"
            + "lr-0.5,uv simulate,0,100,ntp,0.5,[1],,3,,,,,,,,8,0.25,0.9,catapult,false,,,,\n"
            + "lr-1,uv simulate,18446744073709551615,100,mup,1,\"[1,-2.5]\",,,,,,,,,,3,inf,nan,catapult;edge,true,2,,,\n"
            + "nested,uv orbit,7,8,,,,,,8,2,0.5,\"a, \"\"quoted\"\"\nnote\",,,,,0.125,,\"\",,,2,,\n"
            + "no-csv,uv simulate,3,50,ntp,0.25,,,auto,,,,,,,,10,,,,false,,,,\n"
            + "phase,uv phase,0,,,,,,,,,,,2,1,0.5,,,,,,,,1,1\n";
        Assert.Equal(expected, Utf8(Path.Combine(sweep, "results.csv")));
    }

    [Fact]
    public async Task ResultsParquetHasTypedColumnsWithTheManifestValues()
    {
        string sweep = StandardSweep();
        SweepMerger.Merge(sweep);

        Table table = await ReadParquet(Path.Combine(sweep, "results.parquet"));

        Assert.Equal(ExpectedHeader.Split(','), table.Fields.Select(f => f.Name));
        Assert.Equal(5, table.Rows);
        Assert.Equal(["lr-0.5", "lr-1", "nested", "no-csv", "phase"], table["run"]);
        Assert.False(table.Field("run").IsNullable);
        Assert.Equal(["uv simulate", "uv simulate", "uv orbit", "uv simulate", "uv phase"], table["command"]);
        Assert.Equal(typeof(ulong), table.TypeOf("seed"));
        Assert.Equal([0UL, ulong.MaxValue, 7UL, 3UL, 0UL], table["seed"].Cast<ulong?>().Select(v => v!.Value));

        // Numbers are doubles, whether or not they are integral.
        Assert.Equal(typeof(double), table.TypeOf("config.width"));
        Assert.Equal([100.0, 100.0, 8.0, 50.0, null], table["config.width"].Cast<double?>());
        Assert.Equal([0.5, 1.0, null, 0.25, null], table["config.lr"].Cast<double?>());
        Assert.Equal(typeof(double), table.TypeOf("config.model.init.scale"));
        Assert.Equal([null, null, 0.5, null, null], table["config.model.init.scale"].Cast<double?>());

        // "Infinity" and "NaN" strings are the toolkit's non-finite numbers.
        Assert.Equal(typeof(double), table.TypeOf("result.final.loss"));
        Assert.Equal([0.25, double.PositiveInfinity, 0.125, null, null], table["result.final.loss"].Cast<double?>());
        Assert.True(double.IsNaN((double)table["result.final.f"][1]!));

        // Booleans, nulls, strings, arrays, mixed kinds.
        Assert.Equal(typeof(bool), table.TypeOf("result.diverged"));
        Assert.Equal([false, true, null, false, null], table["result.diverged"].Cast<bool?>());
        Assert.Equal([null, 2.0, null, null, null], table["result.diverged_at_step"].Cast<double?>());
        Assert.Equal(typeof(string), table.TypeOf("config.model"));
        Assert.All(table["config.model"], Assert.Null);
        Assert.Equal(["[1]", "[1,-2.5]", null, null, null], table["config.input"]);
        Assert.Equal(["catapult", "catapult;edge", "", null, null], table["result.labels"]);
        Assert.Equal(typeof(string), table.TypeOf("config.mixed"));
        Assert.Equal(["3", null, null, "auto", null], table["config.mixed"]);
        Assert.Equal([null, null, "a, \"quoted\"\nnote", null, null], table["config.note"]);
    }

    [Fact]
    public async Task TrajectoriesParquetHoldsEveryCsvValueExactly()
    {
        string sweep = StandardSweep();
        SweepMerger.Merge(sweep);

        Table table = await ReadParquet(Path.Combine(sweep, "trajectories.parquet"));

        // The union of the columns, in order of first appearance; numbers as double, text as string.
        Assert.Equal(["run", .. TrajectoryColumns, "x", "y", "c", "r", "category", "labels"], table.Fields.Select(f => f.Name));
        Assert.All(table.Fields.Where(f => f.Name is not ("run" or "category" or "labels")), f => Assert.Equal(typeof(double), table.TypeOf(f.Name)));
        Assert.Equal(typeof(string), table.TypeOf("category"));
        Assert.Equal(typeof(string), table.TypeOf("labels"));

        int row = 0;
        foreach (var (run, file) in new[] { ("lr-0.5", "trajectory.csv"), ("lr-1", "trajectory.csv"), ("nested", "orbit.csv"), ("phase", "phase.csv") })
        {
            List<string[]> csv = ReadSimpleCsv(Path.Combine(sweep, run, file));
            string[] header = csv[0];
            foreach (string[] cells in csv.Skip(1))
            {
                Assert.Equal(run, table["run"][row]);
                foreach (var field in table.Fields.Skip(1))
                {
                    int j = Array.IndexOf(header, field.Name);
                    object? actual = table[field.Name][row];
                    if (j < 0)
                    {
                        Assert.Null(actual);
                    }
                    else if (field.ClrType == typeof(double))
                    {
                        double expected = ParseNumber(cells[j]);
                        Assert.True(SameDouble(expected, (double)actual!), $"{run} row {row} {field.Name}: {cells[j]} read back as {actual}");
                    }
                    else
                    {
                        Assert.Equal(cells[j], actual);
                    }
                }

                row++;
            }
        }

        Assert.Equal(row, table.Rows);

        // The hard values of lr-0.5 are in there, NaN and signed zero included.
        List<object?> loss = table["loss"];
        Assert.True(double.IsNaN((double)loss[0]!));
        Assert.Equal(double.PositiveInfinity, loss[1]);
        Assert.Equal(double.NegativeInfinity, loss[2]);
        Assert.True(double.IsNegative((double)loss[3]!) && (double)loss[3]! == 0);
        Assert.Equal(5e-324, loss[5]);
        Assert.Equal(double.MaxValue, loss[6]);
        Assert.Equal(-1.2345678901234567e-300, loss[7]);
        Assert.True(double.IsNaN((double)table["f"][7]!));
    }

    [Fact]
    public async Task FilesCarryTheStandardTypeAnnotationsOtherReadersUse()
    {
        string sweep = StandardSweep();
        SweepMerger.Merge(sweep);

        await using var stream = File.OpenRead(Path.Combine(sweep, "results.parquet"));
        await using var reader = await ParquetReader.CreateAsync(stream);
        var elements = reader.Metadata!.Schema.ToDictionary(e => e.Name);

        // Text is UTF-8 byte arrays annotated as strings, numbers plain doubles, the seed an unsigned 64-bit integer.
        foreach (string name in new[] { "run", "command", "config.param", "config.model", "result.labels" })
        {
            Assert.Equal(Parquet.Meta.Type.BYTE_ARRAY, elements[name].Type);
            Assert.True(elements[name].ConvertedType == Parquet.Meta.ConvertedType.UTF8 || elements[name].LogicalType?.STRING is not null, name);
        }

        Assert.Equal(Parquet.Meta.Type.DOUBLE, elements["config.lr"].Type);
        Assert.Null(elements["config.lr"].LogicalType);
        Assert.Equal(Parquet.Meta.Type.BOOLEAN, elements["result.diverged"].Type);
        Assert.Equal(Parquet.Meta.Type.INT64, elements["seed"].Type);
        Assert.Equal(Parquet.Meta.ConvertedType.UINT_64, elements["seed"].ConvertedType);
        Assert.Equal(Parquet.Meta.FieldRepetitionType.REQUIRED, elements["run"].RepetitionType);
        Assert.Equal(Parquet.Meta.FieldRepetitionType.OPTIONAL, elements["config.lr"].RepetitionType);
    }

    [Fact]
    public void MergingTwiceGivesByteIdenticalFiles()
    {
        string sweep = StandardSweep();
        string elsewhere = NewFolder();

        MergeReport first = SweepMerger.Merge(sweep);
        var bytes = first.FilesWritten.ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes);
        MergeReport second = SweepMerger.Merge(sweep);
        MergeReport third = SweepMerger.Merge(sweep, elsewhere);

        Assert.Equal(first.FilesWritten, second.FilesWritten);
        foreach (string path in second.FilesWritten.Concat(third.FilesWritten))
        {
            Assert.Equal(bytes[Path.GetFileName(path)], File.ReadAllBytes(path));
        }
    }

    [Fact]
    public void OutputFolderIsCreatedAndNoPartialFileIsLeft()
    {
        string sweep = StandardSweep();
        string output = Path.Combine(NewFolder(), "merged", "tables");

        MergeReport report = SweepMerger.Merge(sweep, output);

        Assert.Equal([".sharpness.lock", "results.csv", "results.parquet", "trajectories.parquet"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(sweep, "*.partial", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(sweep, "results.csv")));
        Assert.All(report.FilesWritten, path => Assert.StartsWith(output, path, StringComparison.Ordinal));
    }

    [Fact]
    public void AnOutputFolderInsideTheSweepIsNotARun()
    {
        string sweep = StandardSweep();
        string output = Path.Combine(sweep, "merged");

        MergeReport first = SweepMerger.Merge(sweep, output);
        MergeReport second = SweepMerger.Merge(sweep, output);

        Assert.Equal(4, first.IncompleteRuns);
        Assert.Equal(4, second.IncompleteRuns);
        Assert.DoesNotContain(second.Incomplete, issue => issue.Run == "merged");
    }

    [Fact]
    public async Task RowGroupsAreBoundedAndSpanRuns()
    {
        string sweep = StandardSweep();
        SweepMerger.Merge(sweep);
        byte[] oneGroup = File.ReadAllBytes(Path.Combine(sweep, "trajectories.parquet"));
        Table whole = await ReadParquet(Path.Combine(sweep, "trajectories.parquet"));

        MergeReport report = SweepMerger.Merge(sweep, rowGroupRows: 4);
        Table split = await ReadParquet(Path.Combine(sweep, "trajectories.parquet"));

        // 17 rows: lr-0.5 has 8, lr-1 4, nested 3, phase 2.
        Assert.Equal(5, report.TrajectoryRowGroups);
        Assert.Equal([4L, 4L, 4L, 4L, 1L], split.RowGroups);
        Assert.NotEqual(oneGroup, File.ReadAllBytes(Path.Combine(sweep, "trajectories.parquet")));
        Assert.Equal(whole.Fields.Select(f => (f.Name, whole.TypeOf(f.Name))), split.Fields.Select(f => (f.Name, split.TypeOf(f.Name))));
        foreach (var field in whole.Fields)
        {
            Assert.Equal(whole[field.Name].Count, split[field.Name].Count);
            for (int i = 0; i < whole[field.Name].Count; i++)
            {
                object? a = whole[field.Name][i], b = split[field.Name][i];
                Assert.True(a is double x && b is double y ? SameDouble(x, y) : Equals(a, b), $"{field.Name}[{i}]: {a} vs {b}");
            }
        }
    }

    [Fact]
    public async Task ColumnsThatDisagreeBecomeStringsAndEmptyCellsAreNull()
    {
        string sweep = NewFolder();
        AddRun(sweep, "a", "data.csv", "step,v,only_empty\n0,1.5,\n1,,\n");
        AddRun(sweep, "b", "data.csv", "step,v,only_empty,w\n0,\"x, y\",,2\n1,nan,,\"3\"\n");

        MergeReport report = SweepMerger.Merge(sweep);
        Table table = await ReadParquet(Path.Combine(sweep, "trajectories.parquet"));

        Assert.Equal(4, report.TrajectoryRows);
        Assert.Equal(["run", "step", "v", "only_empty", "w"], table.Fields.Select(f => f.Name));
        Assert.Equal(typeof(double), table.TypeOf("step"));
        Assert.Equal(typeof(string), table.TypeOf("v"));
        Assert.Equal(typeof(string), table.TypeOf("only_empty"));
        Assert.Equal(typeof(double), table.TypeOf("w"));
        Assert.Equal(["1.5", null, "x, y", "nan"], table["v"]);
        Assert.All(table["only_empty"], Assert.Null);
        Assert.Equal([null, null, 2.0, 3.0], table["w"].Cast<double?>());
        Assert.Equal(["a", "a", "b", "b"], table["run"]);
    }

    [Fact]
    public async Task BadDataFilesLeaveTheRunOutOfTrajectoriesOnly()
    {
        string sweep = NewFolder();
        AddRun(sweep, "good", "data.csv", "step,loss\n0,1\n");
        AddRun(sweep, "missing", "data.csv", null);
        AddRun(sweep, "ragged", "data.csv", "step,loss\n0,1\n1\n");
        AddRun(sweep, "run-column", "data.csv", "run,loss\n0,1\n");
        AddRun(sweep, "twice", "data.csv", "loss,loss\n0,1\n");
        AddRun(sweep, "escape", "../good/data.csv", null);

        MergeReport report = SweepMerger.Merge(sweep);

        Assert.Equal(6, report.CompleteRuns);
        Assert.Equal(6, report.ResultRows);
        Assert.Equal(1, report.TrajectoryRows);
        Assert.Equal(["escape", "missing", "ragged", "run-column", "twice"], report.WithoutTrajectory.Select(i => i.Run));
        Assert.Contains("not a plain file name", report.WithoutTrajectory[0].Reason, StringComparison.Ordinal);
        Assert.Contains("is missing", report.WithoutTrajectory[1].Reason, StringComparison.Ordinal);
        Assert.Equal("data.csv: line 3 has 1 cells for 2 columns", report.WithoutTrajectory[2].Reason);
        Assert.Contains("column named 'run'", report.WithoutTrajectory[3].Reason, StringComparison.Ordinal);
        Assert.Contains("'loss' twice", report.WithoutTrajectory[4].Reason, StringComparison.Ordinal);
        Table table = await ReadParquet(Path.Combine(sweep, "trajectories.parquet"));
        Assert.Equal(["good"], table["run"]);
    }

    [Fact]
    public async Task WithoutDataNoTrajectoriesAreWrittenAndAStaleTableIsRemoved()
    {
        string sweep = NewFolder();
        Sharpness.Runs.Safety.FolderLock.Mark(sweep);
        File.WriteAllText(Path.Combine(sweep, "trajectories.parquet"), "stale");
        string run = Run(sweep, "only");
        WriteManifest(run, new RunManifest
        {
            Command = "uv cascade",
            Arguments = [],
            Configuration = new JsonObject { ["r"] = 1.5 },
            Seed = 1,
            StartedUtc = Time,
            FinishedUtc = Time,
            Results = new JsonObject(),
            Files = ["cascade.png"],
        });

        MergeReport report = SweepMerger.Merge(sweep);

        Assert.Equal(2, report.FilesWritten.Count);
        Assert.False(File.Exists(Path.Combine(sweep, "trajectories.parquet")));
        Assert.Equal(0, report.TrajectoryRows);
        Assert.Equal("run,command,seed,config.r\nonly,uv cascade,1,1.5\n", Utf8(Path.Combine(sweep, "results.csv")));
        Table table = await ReadParquet(Path.Combine(sweep, "results.parquet"));
        Assert.Equal([1.5], table["config.r"].Cast<double?>().Select(v => v!.Value));
    }

    [Fact]
    public async Task ASweepWithoutCompleteRunsGivesEmptyTables()
    {
        string sweep = NewFolder();
        Run(sweep, "crashed");

        MergeReport report = SweepMerger.Merge(sweep);

        Assert.Equal(0, report.CompleteRuns);
        Assert.Equal(1, report.IncompleteRuns);
        Assert.Equal("run,command,seed\n", Utf8(Path.Combine(sweep, "results.csv")));
        Table table = await ReadParquet(Path.Combine(sweep, "results.parquet"));
        Assert.Equal(["run", "command", "seed"], table.Fields.Select(f => f.Name));
        Assert.Equal(0, table.Rows);
        Assert.False(File.Exists(Path.Combine(sweep, "trajectories.parquet")));
    }

    [Fact]
    public void AMissingSweepFolderIsAnError()
    {
        string missing = Path.Combine(NewFolder(), "nothing-here");

        Assert.Throws<DirectoryNotFoundException>(() => SweepMerger.Merge(missing));
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void AFailedReplacementLeavesNoPartialFileAndTheEarlierTables()
    {
        string sweep = StandardSweep();
        SweepMerger.Merge(sweep);
        byte[] before = File.ReadAllBytes(Path.Combine(sweep, "results.csv"));
        string folderInTheWay = Path.Combine(sweep, "trajectories.parquet");
        File.Delete(folderInTheWay);
        Directory.CreateDirectory(folderInTheWay);
        File.WriteAllText(Path.Combine(folderInTheWay, "keep"), "x");

        Assert.ThrowsAny<IOException>(() => SweepMerger.Merge(sweep));

        Assert.Equal(before, File.ReadAllBytes(Path.Combine(sweep, "results.csv")));
        Assert.Empty(Directory.GetFiles(sweep, "*.partial"));
    }

    private static void AddRun(string sweep, string name, string dataFile, string? csv)
    {
        string folder = Run(sweep, name);
        if (csv is not null)
        {
            File.WriteAllText(Path.Combine(folder, dataFile), csv);
        }

        WriteManifest(folder, new RunManifest
        {
            Command = "uv field",
            Arguments = [],
            Configuration = new JsonObject { ["name"] = name },
            Seed = 0,
            StartedUtc = Time,
            FinishedUtc = Time,
            Results = new JsonObject(),
            Files = [dataFile],
        });
    }

    [Fact]
    public void TablesSomeoneElseWroteAreNeverReplaced()
    {
        string sweep = StandardSweep();
        string output = NewFolder();
        File.WriteAllText(Path.Combine(output, "results.csv"), "my own table");

        var refused = Assert.Throws<RunFolderException>(() => SweepMerger.Merge(sweep, output));

        Assert.Contains("was not written by the toolkit", refused.Message, StringComparison.Ordinal);
        Assert.Equal("my own table", File.ReadAllText(Path.Combine(output, "results.csv")));
        Assert.Equal(["results.csv"], Directory.GetFiles(output).Select(Path.GetFileName));
    }

    [Fact]
    public void FoldersSetAsideByARerunAreListedNotMerged()
    {
        string sweep = StandardSweep();
        string aside = Path.Combine(sweep, "a-0123.incomplete-20250101T000000Z");
        Directory.CreateDirectory(aside);
        File.WriteAllText(Path.Combine(aside, "manifest.json"), "{\"complete\": false}");

        MergeReport report = SweepMerger.Merge(sweep);

        Assert.Equal(["a-0123.incomplete-20250101T000000Z"], report.SetAside);
        Assert.DoesNotContain(report.Incomplete, issue => issue.Run.Contains(".incomplete-", StringComparison.Ordinal));
    }
}
