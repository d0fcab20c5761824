using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Tests.Safety;

/// <summary>
/// Fuzz properties of the commands that read folders written earlier or serve them: <c>sweep
/// merge</c> and <c>plot</c> on run folders damaged in generated ways (cut, unreadable, oversized,
/// hostile names, links to a victim file, devices and pipes), <c>reproduce</c> with broken datasets
/// and output folders, and <c>serve</c> with hostile flags. Each case runs in a folder of its own and
/// checks the contract (<see cref="Contract"/>), that the victim file and everything outside the
/// command's output stayed as it was, and, when refused, that nothing at all changed.
/// </summary>
public class FolderCommandFuzzTests
{
    private const string Victim = "victim.txt";
    private const string Precious = "precious\n";

    private static readonly Lazy<string> Template = new(() =>
    {
        // Two tiny runs, written once and copied into every case.
        string folder = Contract.NewFolder();
        foreach (string seed in new[] { "0", "1" })
        {
            var result = HostileRun.Run("uv", "simulate", "--steps", "12", "--seed", seed, "--out", Path.Combine(folder, "sweep", "run" + seed));
            Assert.True(result.Code == 0, result.ToString());
        }

        return Path.Combine(folder, "sweep");
    });

    /// <summary>Ways to damage a sweep folder holding run0 and run1 (uv simulate runs), numbered for the failure messages.</summary>
    private static readonly Gen<Damaged> Damage = Gen.OneOf<Damaged>(
        new Damaged("damage 0", (_, _) => { }),
        new Damaged("damage 1", (sweep, _) => Cut(Path.Combine(sweep, "run0", "manifest.json"))),
        new Damaged("damage 2", (sweep, _) => Rewrite(Path.Combine(sweep, "run0", "manifest.json"), m => m["complete"] = false)),
        new Damaged("damage 3", (sweep, _) => Rewrite(Path.Combine(sweep, "run0", "manifest.json"), m => m["files"] = new JsonArray("../../" + Victim, "trajectory.csv"))),
        new Damaged("damage 4", (sweep, root) => Rewrite(Path.Combine(sweep, "run0", "manifest.json"), m => m["files"] = new JsonArray(Path.Combine(root, Victim)))),
        new Damaged("damage 5", (sweep, _) => Rewrite(Path.Combine(sweep, "run0", "manifest.json"), m => m["command"] = "rm -rf /")),
        new Damaged("damage 6", (sweep, _) => Rewrite(Path.Combine(sweep, "run1", "manifest.json"), m => m["configuration"] = new JsonObject { ["steps"] = 1e300, ["lr"] = "nan" })),
        new Damaged("damage 7", (sweep, _) => Rewrite(Path.Combine(sweep, "run1", "manifest.json"), m => m["file_digests"] = new JsonObject())),
        new Damaged("damage 8", (sweep, _) => Replace(Path.Combine(sweep, "run0", "manifest.json"), Encoding.ASCII.GetBytes(new string('[', 100_000) + new string(']', 100_000)))),
        new Damaged("damage 9", (sweep, _) => Replace(Path.Combine(sweep, "run0", "manifest.json"), [0x7B, 0xFF, 0xFE, 0x22, 0x7D])),
        new Damaged("damage 10", (sweep, _) => Link(Path.Combine(sweep, "run0", "manifest.json"), "/dev/zero")),
        new Damaged("damage 11", (sweep, _) => Link(Path.Combine(sweep, "run0", "trajectory.csv"), "/dev/zero")),
        new Damaged("damage 12", (sweep, root) => Link(Path.Combine(sweep, "run0", "trajectory.png"), Path.Combine(root, Victim))),
        new Damaged("damage 13", (sweep, root) => Link(Path.Combine(sweep, "run0", "trajectory.png.partial"), Path.Combine(root, Victim))),
        new Damaged("damage 14", (sweep, root) => Link(Path.Combine(sweep, "results.csv.partial"), Path.Combine(root, Victim))),
        new Damaged("damage 15", (sweep, root) => Link(Path.Combine(sweep, "run0", "trajectory.csv"), Path.Combine(root, Victim))),
        new Damaged("damage 16", (sweep, _) => Fifo(Path.Combine(sweep, "run0", "trajectory.csv"))),
        new Damaged("damage 17", (sweep, _) => Cut(Path.Combine(sweep, "run0", "trajectory.csv"))),
        new Damaged("damage 18", (sweep, _) => KeepHeader(Path.Combine(sweep, "run0", "trajectory.csv"))),
        new Damaged("damage 19", (sweep, _) => SetCell(Path.Combine(sweep, "run0", "trajectory.csv"), 3, "1e308")),
        new Damaged("damage 20", (sweep, _) => SetCell(Path.Combine(sweep, "run0", "trajectory.csv"), 2, "nan")),
        new Damaged("damage 21", (sweep, _) => SetCell(Path.Combine(sweep, "run0", "trajectory.csv"), 4, "\"a,\nb\"")),
        new Damaged("damage 22", (sweep, _) => { if (IsPlainFile(Path.Combine(sweep, "run0", "trajectory.csv"))) { File.AppendAllText(Path.Combine(sweep, "run0", "trajectory.csv"), string.Join(',', Enumerable.Repeat("1", 70_000)) + "\n"); } }),
        new Damaged("damage 23", (sweep, _) => File.Delete(Path.Combine(sweep, "run0", "trajectory.csv"))),
        new Damaged("damage 24", (sweep, _) => RemoveFolder(Path.Combine(sweep, "run1"))),
        new Damaged("damage 25", (sweep, root) => { RemoveFolder(Path.Combine(sweep, "run1")); Directory.CreateSymbolicLink(Path.Combine(sweep, "run1"), root); }),
        new Damaged("damage 26", (sweep, _) => { if (Directory.Exists(Path.Combine(sweep, "run1"))) { Directory.Move(Path.Combine(sweep, "run1"), Path.Combine(sweep, "run\u0001\n1")); } }),
        new Damaged("damage 27", (sweep, _) => Replace(Path.Combine(sweep, "notes.txt"), Encoding.ASCII.GetBytes("the user's own file"))),
        new Damaged("damage 28", (sweep, _) => Directory.CreateDirectory(Path.Combine(sweep, "run0", "manifest.json.partial"))));

    [Fact]
    public void SweepMergeOnDamagedSweepsKeepsTheContract()
    {
        Gen.Select(Damage, Damage, Gen.Int[0, 2]).Sample((first, second, outChoice) =>
        {
            var (root, sweep) = NewCase();
            first.Apply(sweep, root);
            second.Apply(sweep, root);
            string? output = outChoice switch { 0 => null, 1 => Path.Combine(root, "merged"), _ => Path.Combine(sweep, "run0") };
            var before = Snapshot(root);
            string[] args = output is null ? ["sweep", "merge", sweep] : ["sweep", "merge", sweep, "--out", output];
            var result = HostileRun.RunIn(Path.Combine(root, "cwd"), TimeSpan.FromSeconds(60), args);
            try
            {
                Contract.Holds(result, null);
                if (result.Code == 0)
                {
                    // Only the merged tables may appear, where they were asked for.
                    string target = Path.GetRelativePath(root, output ?? sweep);
                    // (A temporary name left before, which may be a link, is unlinked, never followed.)
                    var allowed = new[] { "results.csv", "results.parquet", "trajectories.parquet", FolderLock.FileName }.Select(f => Path.Combine(target, f)).ToHashSet();
                    var after = Snapshot(root);
                    var changed = after.Where(e => !allowed.Contains(e.Key) && e.Key != target && (!before.TryGetValue(e.Key, out string? old) || old != e.Value)).Select(e => e.Key)
                        .Concat(before.Keys.Where(k => !after.ContainsKey(k) && !(Path.GetDirectoryName(k) == target && k.EndsWith(".partial", StringComparison.Ordinal)))).ToList();
                    Assert.True(changed.Count == 0, $"merge changed {string.Join(", ", changed)}: {result}");
                    Assert.True(File.Exists(Path.Combine(output ?? sweep, "results.csv")), $"merge exited 0 without results.csv: {result}");
                }
                else
                {
                    Assert.Equal(before, Snapshot(root));
                }

                Assert.Equal(Precious, File.ReadAllText(Path.Combine(root, Victim)));
            }
            finally
            {
                Delete(root);
            }
        }, iter: NetCommandFuzzTests.Iterations * 2, threads: 1, print: t => $"{t.Item1.Name}, {t.Item2.Name}, out {t.Item3}");
    }

    [Fact]
    public void PlotOnDamagedRunsKeepsTheContract()
    {
        Gen.Select(Damage, Damage, Gen.Bool).Sample((first, second, withOut) =>
        {
            var (root, sweep) = NewCase();
            first.Apply(sweep, root);
            second.Apply(sweep, root);
            string run = Path.Combine(sweep, "run0");
            string output = Path.Combine(root, "figures");
            var before = Snapshot(root);
            string[] args = withOut ? ["plot", run, "--out", output] : ["plot", run];
            var result = HostileRun.RunIn(Path.Combine(root, "cwd"), TimeSpan.FromSeconds(60), args);
            try
            {
                Contract.Holds(result, null);
                if (result.Code == 0)
                {
                    // Only figures may appear or change, in --out or in the run folder itself.
                    string target = Path.GetRelativePath(root, withOut ? output : run);
                    var after = Snapshot(root);
                    bool Allowed(string path) => path == target || (Path.GetDirectoryName(path) == target && (path.EndsWith(".png", StringComparison.Ordinal) || path.EndsWith(".svg", StringComparison.Ordinal) || path.EndsWith(FolderLock.FileName, StringComparison.Ordinal)));
                    var changed = after.Where(e => !Allowed(e.Key) && (!before.TryGetValue(e.Key, out string? old) || old != e.Value)).Select(e => e.Key)
                        .Concat(before.Keys.Where(k => !after.ContainsKey(k) && !(Path.GetDirectoryName(k) == target && k.EndsWith(".partial", StringComparison.Ordinal)))).ToList();
                    Assert.True(changed.Count == 0, $"plot changed {string.Join(", ", changed)}: {result}");
                    Assert.DoesNotContain(after.Keys, k => k.EndsWith(".partial", StringComparison.Ordinal) && !before.ContainsKey(k));
                }
                else
                {
                    Assert.Equal(before, Snapshot(root));
                }

                Assert.Equal(Precious, File.ReadAllText(Path.Combine(root, Victim)));
            }
            finally
            {
                Delete(root);
            }
        }, iter: NetCommandFuzzTests.Iterations * 2, threads: 1, print: t => $"{t.Item1.Name}, {t.Item2.Name}, --out {t.Item3}");
    }

    /// <summary>Broken Fashion-MNIST folders (each must be refused before the first experiment).</summary>
    private static readonly Gen<Func<string, string>> BrokenData = Gen.OneOf<Func<string, string>>(
        root => DataFolder(root, _ => [0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 1, 0]),
        root => DataFolder(root, _ => Encoding.ASCII.GetBytes("not gzip, not idx")),
        root => DataFolder(root, name => name.Contains("images", StringComparison.Ordinal) ? [0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3] : [0, 0, 8, 1, 0, 0, 0xEA, 0x60, 1]),
        root => DataFolder(root, name => name.Contains("images", StringComparison.Ordinal) ? [0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF] : [0, 0, 8, 1, 0, 0, 0, 0]),
        root => DataFolder(root, _ => null),
        root => { string folder = DataFolder(root, _ => []); File.Delete(Path.Combine(folder, "t10k-labels-idx1-ubyte")); return folder; },
        root => Path.Combine(root, Victim),
        _ => "/dev/zero",
        _ => "/proc/self",
        root => { string fifo = Path.Combine(root, "pipe"); Fifo(fifo); return fifo; });

    private static readonly Gen<Func<string, string>> HostileOut = Gen.OneOf<Func<string, string>>(
        root => Path.Combine(root, "reproduction"),
        root => Path.Combine(root, "reproduction"),
        root => Path.Combine(root, Victim),
        root => { string folder = Path.Combine(root, "mine"); Directory.CreateDirectory(folder); File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine"); return folder; },
        root =>
        {
            string folder = Path.Combine(root, "old");
            Directory.CreateDirectory(folder);
            FolderLock.Mark(folder);
            File.WriteAllText(Path.Combine(folder, "plan.json"), "{\"experiments\": [");
            return folder;
        },
        root => { string folder = Path.Combine(root, "zero"); Directory.CreateDirectory(folder); FolderLock.Mark(folder); Link(Path.Combine(folder, "plan.json"), "/dev/zero"); return folder; },
        root => Path.Combine(root, new string('r', 300)),
        _ => "/proc/self/reproduction");

    [Fact]
    public void ReproduceWithBrokenDataOrOutputFoldersIsRefusedBeforeTheFirstExperiment()
    {
        Gen.Select(BrokenData, HostileOut, Gen.Bool).Sample((data, output, quick) =>
        {
            var (root, _) = NewCase();
            string dataDir = data(root);
            string folder = output(root);
            var before = Snapshot(root);
            string[] args = ["reproduce", "--data-dir", dataDir, "--out", folder, .. quick ? new[] { "--quick" } : []];
            var result = HostileRun.RunIn(Path.Combine(root, "cwd"), TimeSpan.FromSeconds(60), args);
            try
            {
                Contract.Holds(result, null);
                Assert.True(result.Code is 2 or 3, $"a broken dataset or output folder must stop the reproduction before it runs: {result}");
                Assert.Equal(before, Snapshot(root));
            }
            finally
            {
                Delete(root);
            }
        }, iter: NetCommandFuzzTests.Iterations * 2, threads: 1);
    }

    [Fact]
    public void ServeWithHostileFlagsStartsOrStopsWithOneLine()
    {
        var host = Gen.OneOf<string>("", " ", "127.0.0.1", "localhost", "::1", "0.0.0.0", "256.1.1.1", "example.invalid", "a\u0001b", "127.0.0.1:80", "http://127.0.0.1", new string('h', 300));
        var token = Gen.OneOf<string>("", "short", "0123456789abcdef", "0123456789abcdef\u0001", "tab\t0123456789abcdef", new string('t', 100_000), "éééééééééééééééé");
        var folder = Gen.OneOf<string>("runs", "missing", Victim, "/dev/zero", "/proc/self", "", "pipe", "../..");
        var flag = Gen.OneOf(
            Gen.Select(Gen.Const("--port"), CommandFuzzTests.HostileNumber, (o, v) => (o, (string?)v)),
            Gen.Select(Gen.Const("--host"), host, (o, v) => (o, (string?)v)),
            Gen.Select(Gen.Const("--token"), token, (o, v) => (o, (string?)v)),
            Gen.Select(Gen.Const("--token"), Gen.Const((string?)null), (o, v) => (o, v)),
            Gen.Select(Gen.Const("--runs"), folder, (o, v) => (o, (string?)v)),
            Gen.Select(Gen.Const("--data-dir"), folder, (o, v) => (o, (string?)v)));
        Gen.Select(flag, flag, Gen.Bool).Sample((first, second, both) =>
        {
            var (root, _) = NewCase();
            string cwd = Path.Combine(root, "cwd");
            Directory.CreateDirectory(Path.Combine(cwd, "runs"));
            Fifo(Path.Combine(cwd, "pipe"));
            File.Copy(Path.Combine(root, Victim), Path.Combine(cwd, Victim));
            var args = new List<string> { "serve", "--port", "0", "--runs", "runs" };
            foreach (var (option, value) in both ? [first, second] : new[] { first })
            {
                int at = args.IndexOf(option);
                bool hasValue = at >= 0 && at + 1 < args.Count && !args[at + 1].StartsWith("--", StringComparison.Ordinal);
                if (at < 0)
                {
                    args.AddRange(value is null ? [option] : [option, value]);
                }
                else if (value is not null && hasValue)
                {
                    args[at + 1] = value;
                }
                else if (value is not null)
                {
                    args.Insert(at + 1, value);
                }
            }

            var before = Snapshot(root);
            var (result, served) = Serve(cwd, [.. args]);
            try
            {
                Assert.False(result.TimedOut, $"serve neither started nor stopped: {result}");
                if (served)
                {
                    Assert.DoesNotContain("error", result.Error, StringComparison.OrdinalIgnoreCase);
                }
                else
                {
                    Contract.Holds(result, null);
                    Assert.True(result.Code is 2 or 3, $"serve stopped without serving: {result}");
                }

                Assert.Equal(before, Snapshot(root));
            }
            finally
            {
                Delete(root);
            }
        }, iter: NetCommandFuzzTests.Iterations * 2, threads: 1);
    }

    /// <summary>Starts serve; returns when it prints its address (then it is stopped) or exits, or after a minute.</summary>
    private static (ChildResult Result, bool Served) Serve(string cwd, string[] args)
    {
        using var process = HostileRun.StartIn(cwd, null, args);
        var output = new StringBuilder();
        var started = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data.StartsWith("sharpness serve: ", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        var error = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExitAsync();
        bool finished = Task.WaitAny([started.Task, exited], TimeSpan.FromSeconds(60)) >= 0;
        bool served = started.Task.IsCompleted && !exited.IsCompleted;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        return (new ChildResult(served ? 0 : process.ExitCode, text, error.Result, !finished, string.Join(' ', args)), served);
    }

    /// <summary>Like <see cref="Contract.Snapshot"/>, but a link to a folder is listed as a link and not followed (it may point at the case's root).</summary>
    private static SortedDictionary<string, string> Snapshot(string folder)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Walk(string path)
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(path))
            {
                var info = new FileInfo(entry);
                string key = Path.GetRelativePath(folder, entry);
                if (info.LinkTarget is { } target)
                {
                    entries[key] = "-> " + target;
                }
                else if (Directory.Exists(entry))
                {
                    entries[key] = "folder";
                    Walk(entry);
                }
                else
                {
                    entries[key] = info.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + info.LastWriteTimeUtc.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        if (Directory.Exists(folder))
        {
            Walk(folder);
        }

        return entries;
    }

    private static (string Root, string Sweep) NewCase()
    {
        string root = Contract.NewFolder();
        Directory.CreateDirectory(Path.Combine(root, "cwd"));
        File.WriteAllText(Path.Combine(root, Victim), Precious);
        string sweep = Path.Combine(root, "sweep");
        foreach (string file in Directory.EnumerateFiles(Template.Value, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(sweep, Path.GetRelativePath(Template.Value, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return (root, sweep);
    }

    private static string DataFolder(string root, Func<string, byte[]?> content)
    {
        string folder = Path.Combine(root, "data");
        Directory.CreateDirectory(folder);
        foreach (string name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            if (content(name) is { } bytes)
            {
                File.WriteAllBytes(Path.Combine(folder, name), bytes);
            }
            else
            {
                Link(Path.Combine(folder, name), "/dev/zero");
            }
        }

        return folder;
    }

    /// <summary>A regular file with content, not a link or a pipe (which the damage must not write through or block on).</summary>
    private static bool IsPlainFile(string path) => File.Exists(path) && new FileInfo(path) is { LinkTarget: null, Length: > 0 };

    /// <summary>Replaces whatever is at <paramref name="path"/> (a file, a link, a pipe) by a file holding <paramref name="bytes"/>.</summary>
    private static void Replace(string path, byte[] bytes)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }

        if (Directory.Exists(Path.GetDirectoryName(path)) && !Directory.Exists(path))
        {
            File.WriteAllBytes(path, bytes);
        }
    }

    private static void KeepHeader(string file)
    {
        if (IsPlainFile(file))
        {
            string header = File.ReadLines(file).First() + "\n";
            File.WriteAllText(file, header);
        }
    }

    private static void RemoveFolder(string folder)
    {
        if (new DirectoryInfo(folder).LinkTarget is not null)
        {
            Directory.Delete(folder);
        }
        else if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Cut(string file)
    {
        if (IsPlainFile(file))
        {
            byte[] bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        }
    }

    private static void Rewrite(string manifest, Action<JsonObject> change)
    {
        JsonNode? parsed = null;
        try
        {
            parsed = IsPlainFile(manifest) ? JsonNode.Parse(File.ReadAllText(manifest)) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // Damaged already.
        }

        if (parsed is JsonObject json)
        {
            change(json);
            File.WriteAllText(manifest, json.ToJsonString());
        }
    }

    private static void SetCell(string table, int row, string value)
    {
        if (!IsPlainFile(table))
        {
            return;
        }

        string[] lines = File.ReadAllLines(table);
        if (row < lines.Length)
        {
            string[] cells = lines[row].Split(',');
            cells[^1] = value;
            lines[row] = string.Join(',', cells);
            File.WriteAllText(table, string.Join('\n', lines) + "\n");
        }
    }

    private static void Link(string path, string target)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }

        if (Directory.Exists(Path.GetDirectoryName(path)) && !Directory.Exists(path))
        {
            File.CreateSymbolicLink(path, target);
        }
    }

    private static void Fifo(string path)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }

        if (Directory.Exists(Path.GetDirectoryName(path)) && !Directory.Exists(path))
        {
            Assert.Equal(0, ProcessHelper.Run("mkfifo", path));
        }
    }

    private static void Delete(string root)
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A folder left by a case is under the test run's temporary folder, removed when it ends.
        }
    }

    /// <summary>A named way to damage a sweep folder (arguments: the sweep folder and the case's root, which holds the victim file).</summary>
    private sealed record Damaged(string Name, Action<string, string> Apply);
}
