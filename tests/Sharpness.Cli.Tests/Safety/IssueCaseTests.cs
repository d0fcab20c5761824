using System.Text.Json.Nodes;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Tests.Safety;

/// <summary>
/// Every hostile input found by hand before the fuzz suite existed, each as a named regression
/// test, run in a child process with a time and memory limit (<see cref="HostileRun"/>) and checked
/// against the contract (<see cref="Contract"/>): exit 2 (or 3) with one line and nothing written, or
/// a complete run.
/// </summary>
public class IssueCaseTests
{
    private const string Huge = "2147483647";

    // Sizes that cannot fit: refused before anything is allocated, naming the option and the estimate.
    [Theory]
    [InlineData("--width", "uv", "simulate", "--width", Huge)]
    [InlineData("--steps", "uv", "simulate", "--steps", Huge)]
    [InlineData("--points", "uv", "orbit", "--points", Huge)]
    [InlineData("--points", "uv", "lyapunov", "--r-min", "0.5", "--r-max", "1.5", "--points", Huge)]
    [InlineData("--c-points", "uv", "phase", "--c-points", Huge)]
    [InlineData("--grid", "uv", "field", "--grid", "100000")]
    [InlineData("--trajectory-steps", "uv", "field", "--trajectory", "0.1,1", "--trajectory-steps", Huge)]
    [InlineData("--keep", "uv", "orbit", "--points", "2", "--keep", Huge)]
    [InlineData("--seeds", "uv", "phase", "--mode", "physical", "--seeds", Huge)]
    [InlineData("--y-values", "uv", "phase", "--mode", "physical", "--y-values", Huge)]
    public void SizesThatCannotFitAreRefusedBeforeWork(string option, params string[] args)
    {
        string folder = Contract.NewPath();
        var result = HostileRun.Run([.. args, "--out", folder]);
        Contract.Refused(result, folder, option);
        Assert.Matches("more than|at most", result.ErrorLines[0]);
    }

    [Fact]
    public void AnOrbitDiagramLargerThanTheMemoryBudgetStreamsToItsTable()
    {
        // 20,000 values of 8 samples: 5.1 MB held at once, under 4 MiB streamed (values in flight
        // of two chunks per core and four queued: up to about 90 cores).
        string folder = Contract.NewPath();
        var limit = new Dictionary<string, string> { ["SHARPNESS_MEMORY_LIMIT"] = "4M" };
        var result = HostileRun.Run(TimeSpan.FromSeconds(120), limit, "uv", "orbit", "--points", "20000", "--transient", "0", "--keep", "8", "--out", folder);
        Contract.Holds(result, folder);
        Assert.True(result.Code == 0, result.ToString());
        Assert.True(RunDirectory.HoldsCompleteRun(folder));

        var refused = HostileRun.Run(TimeSpan.FromSeconds(120), limit, "uv", "orbit", "--points", "20000", "--transient", "0", "--keep", "1000", "--out", Contract.NewPath());
        Assert.True(refused.Code == 2, refused.ToString());
        Assert.Contains("streamed to orbit.csv", refused.ErrorLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--depth", "net", "train", "--depth", "100000000")]
    [InlineData("--top-k", "net", "train", "--dataset", "synthetic", "--width", "50", "--top-k", "100000000")]
    [InlineData("--threads", "net", "train", "--threads", "100000")]
    [InlineData("--starts", "net", "fit-uv", "--starts", Huge)]
    [InlineData("--lr", "net", "train", "--lr", "1e308")]
    [InlineData("--width", "net", "train", "--width", Huge)]
    [InlineData("--widths", "net", "predict", "--widths", Huge)]
    [InlineData("--widths", "net", "early-phase", "--widths", Huge)]
    [InlineData("--seeds", "net", "early-phase", "--seeds", Huge)]
    [InlineData("--lrs", "net", "eos", "--dataset", "synthetic", "--lrs", "1e308")]
    [InlineData("--train-size", "net", "eos", "--dataset", "synthetic", "--train-size", Huge)]
    [InlineData("--init-scales", "net", "predict", "--dataset", "synthetic", "--init-scales", "1e308")]
    public void NetworkSizesAndValuesThatCannotFitAreRefusedBeforeTraining(string option, params string[] args)
    {
        string folder = Contract.NewPath();
        Contract.Refused(HostileRun.Run([.. args, "--out", folder]), folder, option);
    }

    // Values that are finite as typed but not at step 0.
    [Theory]
    [InlineData("--init-scale", "--init-scale", "1e308")]
    [InlineData("--normalizer", "--normalizer", "1e-320")]
    [InlineData("--lr", "--lr", "1e308")]
    [InlineData("--target", "--target", "1e308")]
    public void InitialStatesThatAreNotFiniteAreRefused(string option, params string[] args)
    {
        string folder = Contract.NewPath();
        Contract.Refused(HostileRun.Run(["uv", "simulate", .. args, "--out", folder]), folder, option, "finite");
    }

    [Fact]
    public void AnInitFileOfHugeWeightsIsRefused()
    {
        string init = Path.Combine(Contract.NewFolder(), "init.json");
        File.WriteAllText(init, """{"u": [1e308, 1], "v": [1e308, 1]}""");
        string folder = Contract.NewPath();
        Contract.Refused(HostileRun.Run("uv", "simulate", "--init-file", init, "--out", folder), folder, "--init-file", "not finite");
    }

    [Fact]
    public void ValueMinNanIsRefused()
    {
        string folder = Contract.NewPath();
        Contract.Refused(HostileRun.Run("uv", "orbit", "--points", "2", "--transient", "2", "--keep", "2", "--value-min", "nan", "--out", folder), folder, "--value-min", "finite");
    }

    // Files that never end or never open.
    [Theory]
    [InlineData("uv", "simulate", "--init-file")]
    [InlineData("uv", "simulate", "--config")]
    [InlineData("sweep", "run", null)]
    public void DevZeroIsRefusedAsAnInputFile(string first, string second, string? option)
    {
        string link = Path.Combine(Contract.NewFolder(), option == "--init-file" ? "init.json" : "settings.toml");
        File.CreateSymbolicLink(link, "/dev/zero");
        string folder = Contract.NewPath();
        string[] args = option is null ? [first, second, link, "--out", folder] : [first, second, option, link, "--out", folder];
        Contract.Refused(HostileRun.Run(args), folder, "is a device");
    }

    [Fact]
    public void ANamedPipeAsASettingsFileDoesNotBlock()
    {
        string fifo = Path.Combine(Contract.NewFolder(), "settings.toml");
        Assert.Equal(0, ProcessHelper.Run("mkfifo", fifo));
        Contract.Refused(HostileRun.Run(TimeSpan.FromSeconds(60), null, "uv", "simulate", "--config", fifo), null, "named pipe");
    }

    [Fact]
    public void DevicesAndPipesAsModulesOrDataFilesAreRefused()
    {
        string folder = Contract.NewFolder();
        string fifo = Path.Combine(folder, "pipe");
        Assert.Equal(0, ProcessHelper.Run("mkfifo", fifo));
        string module = Path.Combine(folder, "module.pt");
        File.WriteAllText(module, "not read: the data is checked first");
        string packed = Path.Combine(folder, "packed.safetensors");
        var cases = new (string Option, string[] Args)[]
        {
            ("--torchscript", ["net", "train", "--torchscript", "/dev/zero", "--out", Contract.NewPath()]),
            ("--torchscript", ["net", "train", "--torchscript", fifo, "--out", Contract.NewPath()]),
            ("--data", ["net", "spectrum", "--torchscript", module, "--data", "/dev/zero", "--out", Contract.NewPath()]),
            ("--data", ["net", "train", "--torchscript", module, "--data", fifo, "--out", Contract.NewPath()]),
            ("--inputs", ["net", "pack-data", "--inputs", "/dev/zero", "--targets", fifo, "--out", packed]),
        };
        foreach (var (option, args) in cases)
        {
            Contract.Refused(HostileRun.Run(TimeSpan.FromSeconds(60), null, args), args[^1].EndsWith(".safetensors", StringComparison.Ordinal) ? null : args[^1], option);
        }

        Assert.False(File.Exists(packed));
    }

    [Theory]
    [InlineData("a: &a {b: *a}\n")]
    [InlineData("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n")]
    public void YamlAliasesInSettingsAndSpecsAreRefused(string yaml)
    {
        string config = Path.Combine(Contract.NewFolder(), "settings.yaml");
        File.WriteAllText(config, yaml);
        string folder = Contract.NewPath();
        Contract.Refused(HostileRun.Run("uv", "simulate", "--config", config, "--out", folder), folder, "--config", "alias");
        Contract.Refused(HostileRun.Run("sweep", "run", config, "--out", folder), folder, "spec", "alias");
    }

    [Fact]
    public void DevZeroInPlaceOfAManifestOrATableStopsPlotAndMerge()
    {
        string sweep = Contract.NewFolder();
        string run = Path.Combine(sweep, "a");
        Assert.Equal(0, HostileRun.Run("uv", "simulate", "--steps", "5", "--out", run).Code);
        string zeroManifest = Path.Combine(sweep, "b");
        Directory.CreateDirectory(zeroManifest);
        File.CreateSymbolicLink(Path.Combine(zeroManifest, "manifest.json"), "/dev/zero");

        var merge = HostileRun.Run("sweep", "merge", sweep);
        Assert.Equal(0, merge.Code);
        Assert.Contains("incomplete b", merge.Output, StringComparison.Ordinal);

        File.Delete(Path.Combine(run, "trajectory.csv"));
        File.CreateSymbolicLink(Path.Combine(run, "trajectory.csv"), "/dev/zero");
        Contract.Refused(HostileRun.Run("plot", run), null, "RUN_DIR", "is a device");
        var mergedAgain = HostileRun.Run("sweep", "merge", sweep);
        Assert.Equal(0, mergedAgain.Code);
        Assert.Contains("no trajectory from a", mergedAgain.Output, StringComparison.Ordinal);
        Contract.Refused(HostileRun.Run("plot", zeroManifest), null, "RUN_DIR", "is a device");
    }

    // The output folder.
    [Fact]
    public void AnOutFolderNameTooLongForTheFileSystemIsRefusedBeforeTraining()
    {
        string folder = Path.Combine(Contract.NewFolder(), new string('a', 300));
        Contract.Refused(HostileRun.Run("net", "train", "--dataset", "synthetic", "--out", folder), folder, "--out", "255");
    }

    [Fact]
    public void AnOutFolderWhereTheFileSystemHoldsNoFoldersIsRefusedNotABug()
    {
        // /proc answers mkdir with "no such file", which is neither the environment's fault nor a bug.
        const string folder = "/proc/self/sharpness-run";
        Contract.Refused(HostileRun.Run("uv", "simulate", "--steps", "3", "--out", folder), folder, "--out", "cannot be created");
    }

    [Fact]
    public void ALinkOrAFolderAtTheLockFilesNameIsRefusedNotABug()
    {
        string victim = Path.Combine(Contract.NewFolder(), "victim");
        File.WriteAllText(victim, "precious");
        string linked = Contract.NewFolder();
        File.CreateSymbolicLink(Path.Combine(linked, FolderLock.FileName), victim);
        string occupied = Contract.NewFolder();
        Directory.CreateDirectory(Path.Combine(occupied, FolderLock.FileName));
        foreach (var (folder, fragment) in new[] { (linked, "symbolic link"), (occupied, "is a folder") })
        {
            var before = Contract.Snapshot(folder);
            var result = HostileRun.Run("uv", "simulate", "--steps", "3", "--out", folder);
            Contract.Holds(result, folder, before, existedBefore: true);
            Assert.True(result.Code == 2, result.ToString());
            Assert.Contains(fragment, result.ErrorLines[0], StringComparison.Ordinal);
        }

        Assert.Equal("precious", File.ReadAllText(victim));
    }

    [Fact]
    public void SweepMergeIntoAFolderThatHoldsNoFilesIsRefusedNotABug()
    {
        var result = HostileRun.Run("sweep", "merge", "/proc/self");
        Contract.Holds(result, null);
        Assert.True(result.Code == 2, result.ToString());
    }

    [Fact]
    public void PlotOnAFileNamesRunDir()
    {
        string file = Path.Combine(Contract.NewFolder(), "not-a-run");
        File.WriteAllText(file, "mine");
        Contract.Refused(HostileRun.Run("plot", file), null, "RUN_DIR", "is a file");
        Assert.Equal("mine", File.ReadAllText(file));
    }

    [Fact]
    public void TensorBoardAtAnExistingFileOrAtTheRunFolderIsRefused()
    {
        string file = Path.Combine(Contract.NewFolder(), "events");
        File.WriteAllText(file, "mine");
        string folder = Contract.NewPath();
        Contract.Refused(HostileRun.Run("net", "train", "--dataset", "synthetic", "--steps", "2", "--tensorboard", file, "--out", folder), folder, "--tensorboard", "is a file");
        Contract.Refused(HostileRun.Run("net", "train", "--dataset", "synthetic", "--steps", "2", "--tensorboard", folder, "--out", folder), folder, "--tensorboard", "inside");
        Assert.Equal("mine", File.ReadAllText(file));
    }

    [Fact]
    public void TheUsersOwnFileInTheOutFolderIsNeverOverwritten()
    {
        string folder = Contract.NewFolder();
        File.WriteAllText(Path.Combine(folder, "trajectory.csv"), "my data");
        var before = Contract.Snapshot(folder);

        var result = HostileRun.Run("uv", "simulate", "--steps", "5", "--out", folder);

        Contract.Holds(result, folder, before, existedBefore: true);
        Assert.Equal(2, result.Code);
        Assert.Equal("my data", File.ReadAllText(Path.Combine(folder, "trajectory.csv")));
    }

    [Fact]
    public void ASymbolicLinkAtATemporaryNameIsNotFollowed()
    {
        string victim = Path.Combine(Contract.NewFolder(), "victim.txt");
        File.WriteAllText(victim, "precious");

        // Planted in a folder the toolkit did not write: refused outright.
        string foreign = Contract.NewFolder();
        File.CreateSymbolicLink(Path.Combine(foreign, "trajectory.csv.partial"), victim);
        Assert.Equal(2, HostileRun.Run("uv", "simulate", "--steps", "5", "--out", foreign).Code);

        // Planted in the toolkit's own interrupted run: the link is replaced, never written through.
        string own = Contract.NewFolder();
        FolderLock.Mark(own);
        File.CreateSymbolicLink(Path.Combine(own, "trajectory.csv.partial"), victim);
        Assert.Equal(2, HostileRun.Run("uv", "simulate", "--steps", "5", "--out", own).Code);
        File.Delete(Path.Combine(own, "trajectory.csv.partial"));
        Assert.Equal(0, HostileRun.Run("uv", "simulate", "--steps", "5", "--out", own).Code);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Null(new FileInfo(Path.Combine(own, "trajectory.csv")).LinkTarget);

        // A figure replaced by a link: plot replaces the link.
        File.Delete(Path.Combine(own, "trajectory.png"));
        File.CreateSymbolicLink(Path.Combine(own, "trajectory.png"), victim);
        Assert.Equal(0, HostileRun.Run("plot", own).Code);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Null(new FileInfo(Path.Combine(own, "trajectory.png")).LinkTarget);
    }

    [Fact]
    public void PlotNeverFollowsANameFromAManifestOutOfItsFolder()
    {
        string root = Contract.NewFolder();
        string outside = Path.Combine(root, "outside", "evil");
        Assert.Equal(0, HostileRun.Run("uv", "simulate", "--steps", "5", "--out", outside).Code);
        File.Delete(Path.Combine(outside, "trajectory.png"));
        string reproduction = Path.Combine(root, "reproduction");
        Directory.CreateDirectory(reproduction);
        File.WriteAllText(Path.Combine(reproduction, "claims.json"), """{"claims": []}""");
        foreach (string name in new[] { "../outside/evil", outside })
        {
            var manifest = new JsonObject
            {
                ["command"] = "reproduce",
                ["configuration"] = new JsonObject { ["quick"] = true },
                ["results"] = new JsonObject { ["runs"] = new JsonArray(new JsonObject { ["name"] = name, ["title"] = "t", ["command"] = "c" }), ["net"] = "run", ["experiment_list_version"] = 3 },
                ["files"] = new JsonArray(),
                ["complete"] = true,
            };
            File.WriteAllText(Path.Combine(reproduction, "manifest.json"), manifest.ToJsonString());

            Contract.Refused(HostileRun.Run("plot", reproduction), null, "RUN_DIR", "not a plain name");
            Assert.False(File.Exists(Path.Combine(outside, "trajectory.png")));
        }
    }

    [Fact]
    public async Task TwoWritersOnOneFolderCanNeverBothSucceed()
    {
        string folder = Contract.NewPath();
        using var first = HostileRun.Start(null, "uv", "simulate", "--steps", "1000000", "--width", "4", "--seed", "1", "--out", folder);
        var firstOutput = first.StandardOutput.ReadToEndAsync();
        var firstError = first.StandardError.ReadToEndAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(FolderLock.PathIn(folder)) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(20);
        }

        var second = HostileRun.Run("uv", "simulate", "--steps", "1000", "--seed", "2", "--out", folder);
        Assert.True(first.WaitForExit(120_000));
        await firstOutput;

        Assert.True(first.ExitCode == 0, await firstError);
        Assert.Equal(2, second.Code);
        Assert.Matches("in use by process [0-9]+", second.ErrorLines.Single());
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!;
        Assert.Equal(1UL, manifest["seed"]!.GetValue<ulong>());
        Assert.Equal(1_000_002, File.ReadLines(Path.Combine(folder, "trajectory.csv")).Count());
    }

    [Fact]
    public async Task TwoUnshardedSweepsOnOneFolderCanNeverBothSucceed()
    {
        string spec = Path.Combine(Contract.NewFolder(), "sweep.toml");
        File.WriteAllText(spec, "command = \"uv simulate\"\n[base]\nsteps = 20000\n[grid]\nseed = {range = [0, 12]}\n");
        string results = Contract.NewPath();
        using var first = HostileRun.Start(null, "sweep", "run", spec, "--out", results);
        var firstOutput = first.StandardOutput.ReadToEndAsync();
        _ = first.StandardError.ReadToEndAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(FolderLock.PathIn(results)) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(20);
        }

        var second = HostileRun.Run("sweep", "run", spec, "--out", results);
        Assert.True(first.WaitForExit(180_000));

        Assert.True(first.ExitCode == 0, await firstOutput);
        Assert.Equal(2, second.Code);
        Assert.Contains("in use by process", second.ErrorLines.Single(), StringComparison.Ordinal);
        Assert.Equal(12, Directory.GetDirectories(results).Count(RunDirectory.HoldsCompleteRun));
    }

    // Sweeps.
    [Theory]
    [InlineData("width = [4, -1]", "point 1", "--width")]
    [InlineData("width = [256, 256]", "twice")]
    [InlineData("lr = [nan, 1]", "finite")]
    [InlineData("lr = {linspace = [nan, 1, 2]}", "finite")]
    [InlineData("param = [\"ntp\", \"a\\u0000b\"]", "control character")]
    [InlineData("a = {range = [0, 65536]}\nb = {range = [0, 65536]}\nc = {range = [0, 65536]}\nd = {range = [0, 65536]}", "65536 x 65536 x 65536 x 65536")]
    public void BadGridsAreRefusedBeforeTheFirstPointRuns(string grid, params string[] fragments)
    {
        string spec = Path.Combine(Contract.NewFolder(), "sweep.toml");
        File.WriteAllText(spec, $"command = \"uv simulate\"\n[base]\nsteps = 5\n[grid]\n{grid}\n");
        string results = Contract.NewPath();
        Contract.Refused(HostileRun.Run("sweep", "run", spec, "--out", results), results, ["spec", .. fragments]);
    }

    [Fact]
    public void AKeyGivenTwiceAndZeroShardsAreRefused()
    {
        string twice = Path.Combine(Contract.NewFolder(), "sweep.toml");
        File.WriteAllText(twice, "command = \"uv simulate\"\n[base]\nsteps = 5\nsteps = 6\n[grid]\nseed = [0, 1]\n");
        string results = Contract.NewPath();
        Contract.Refused(HostileRun.Run("sweep", "run", twice, "--out", results), results, "already defined");

        string spec = Path.Combine(Contract.NewFolder(), "sweep.toml");
        File.WriteAllText(spec, "command = \"uv simulate\"\n[base]\nsteps = 5\n[grid]\nseed = [0, 1]\n");
        Contract.Refused(HostileRun.Run("sweep", "run", spec, "--out", results, "--shards", "0"), results, "--shards");
    }

    [Fact]
    public void AnIncompleteOrUnreadableManifestIsRedoneAndTheOldFolderKept()
    {
        string spec = Path.Combine(Contract.NewFolder(), "sweep.toml");
        File.WriteAllText(spec, "command = \"uv simulate\"\n[base]\nsteps = 5\n[grid]\nseed = [0, 1]\n");
        string results = Contract.NewPath();
        Assert.Equal(0, HostileRun.Run("sweep", "run", spec, "--out", results).Code);
        string[] runs = Directory.GetDirectories(results).Order(StringComparer.Ordinal).ToArray();
        string incomplete = Path.Combine(runs[0], "manifest.json"), truncated = Path.Combine(runs[1], "manifest.json");
        File.WriteAllText(incomplete, File.ReadAllText(incomplete).Replace("\"complete\": true", "\"complete\": false", StringComparison.Ordinal));
        File.WriteAllText(truncated, File.ReadAllText(truncated)[..40]);

        var rerun = HostileRun.Run("sweep", "run", spec, "--out", results);

        Assert.Equal(0, rerun.Code);
        Assert.All(runs, run => Assert.True(RunDirectory.HoldsCompleteRun(run)));
        string[] kept = Directory.GetDirectories(results).Where(d => RunDirectory.IsSetAside(Path.GetFileName(d))).ToArray();
        Assert.Equal(2, kept.Length);
        Assert.Contains(kept, k => File.ReadAllText(Path.Combine(k, "manifest.json")).Contains("\"complete\": false", StringComparison.Ordinal));
    }

    [Fact]
    public void AReproductionWithABrokenDatasetStopsBeforeTheFirstExperiment()
    {
        string data = Contract.NewFolder();
        foreach (string name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            File.WriteAllBytes(Path.Combine(data, name), [0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 1, 0]);
        }

        string folder = Contract.NewPath();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Contract.Refused(HostileRun.Run("reproduce", "--quick", "--data-dir", data, "--out", folder), folder, "--data-dir", "magic number");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the reproduction ran experiments before checking its data");
    }

    // Plot.
    [Fact]
    public void PlotOnACutTableKeepsTheGoodFigure()
    {
        string run = Contract.NewPath();
        Assert.Equal(0, HostileRun.Run("uv", "simulate", "--steps", "50", "--out", run).Code);
        string table = Path.Combine(run, "trajectory.csv");
        byte[] figure = File.ReadAllBytes(Path.Combine(run, "trajectory.png"));
        string[] lines = File.ReadAllLines(table);
        foreach (string cut in new[] { lines[0] + "\n", string.Join('\n', lines.Take(20)) + "\n", string.Join('\n', lines.Take(20)) + "\n" + lines[20][..5] })
        {
            File.WriteAllText(table, cut);
            Contract.Refused(HostileRun.Run("plot", run), null, "RUN_DIR", "cut");
            Assert.Equal(figure, File.ReadAllBytes(Path.Combine(run, "trajectory.png")));
        }
    }

    [Fact]
    public void PlotOnATableOfHugeValuesIsRefusedNotABug()
    {
        string run = Contract.NewPath();
        Assert.Equal(0, HostileRun.Run("uv", "simulate", "--steps", "20", "--out", run).Code);
        string table = Path.Combine(run, "trajectory.csv");
        string[] lines = File.ReadAllLines(table);
        int sharpness = Array.IndexOf(lines[0].Split(','), "sharpness");
        foreach (var (row, value) in new[] { (3, "1e308"), (4, "-1e308") })
        {
            string[] cells = lines[row].Split(',');
            cells[sharpness] = value;
            lines[row] = string.Join(',', cells);
        }

        File.WriteAllText(table, string.Join('\n', lines) + "\n");
        Contract.Refused(HostileRun.Run("plot", run), null, "too large to draw");
    }

    // Found by the fuzz suite.
    [Fact]
    public void APhaseDiagramWithEndsNearTheLargestDoubleCompletes()
    {
        string folder = Contract.NewPath();
        var result = HostileRun.Run("uv", "phase", "--c-points", "3", "--r-points", "3", "--steps", "20", "--r-max", "1e308", "--out", folder);
        Contract.Holds(result, folder);
        Assert.Equal(0, result.Code);
    }

    [Fact]
    public void APhaseDiagramWithNoRealisableCellIsRefused()
    {
        string folder = Contract.NewPath();
        Contract.Refused(HostileRun.Run("uv", "phase", "--c-points", "3", "--r-points", "3", "--steps", "20", "--output-ratio", "1e3", "--out", folder), folder, "--output-ratio", "realisable");
    }

    // Errors on one line, in plain words.
    [Theory]
    [InlineData("unknown option '--widht'; did you mean '--width'?", "uv", "simulate", "--widht", "3")]
    [InlineData("--output-multiplier", "net", "train", "--dataset", "synthetic", "--output-multiplier", "0")]
    [InlineData("'integer'", "uv", "simulate", "--width", "abc")]
    [InlineData("'non-negative integer'", "uv", "simulate", "--seed", "-1")]
    [InlineData("see 'sharpness uv fixed-points --help'", "uv", "fixed-points")]
    public void UsageErrorsAreOneLineInPlainWords(string fragment, params string[] args)
    {
        var result = HostileRun.Run([.. args, "--out", Contract.NewPath()]);
        Contract.Holds(result, null);
        Assert.Equal(2, result.Code);
        Assert.Contains(fragment, result.ErrorLines.Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Nullable", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void NonUtf8AndFolderInputsAreNamedInPlainWords()
    {
        string latin1 = Path.Combine(Contract.NewFolder(), "settings.toml");
        File.WriteAllBytes(latin1, [(byte)'p', (byte)'a', (byte)'r', (byte)'a', (byte)'m', (byte)'=', (byte)'"', 0xE9, (byte)'"', (byte)'\n']);
        Contract.Refused(HostileRun.Run("uv", "simulate", "--config", latin1), null, "not UTF-8");

        string folder = Contract.NewFolder() + ".toml";
        Directory.CreateDirectory(folder);
        var result = HostileRun.Run("sweep", "run", folder);
        Contract.Refused(result, null, "is a folder");
        Assert.DoesNotContain("denied", result.Error, StringComparison.Ordinal);
    }
}
