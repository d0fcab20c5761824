using CsCheck;

namespace Sharpness.Cli.Tests.Safety;

/// <summary>
/// The fuzz properties of <see cref="CommandFuzzTests"/> for the network commands other than
/// <c>net train</c>: each case sets one or two options of a tiny valid command line (so that an
/// accepted case trains a few steps of a width-4 network) to generated hostile values, runs it in a
/// child process under the time and memory limits of <see cref="HostileRun"/>, in a folder of its own
/// as the current folder, and checks the contract (<see cref="Contract"/>) and that nothing was
/// written outside --out (relative names land in the current folder, which must stay empty).
/// </summary>
public class NetCommandFuzzTests
{
    /// <summary>Cases per command: a third of <see cref="CommandFuzzTests.Iterations"/> (4 by default; each case trains a network when accepted).</summary>
    internal static int Iterations => Math.Max(1, CommandFuzzTests.Iterations / 3);

    private static readonly string[] Tiny = ["--dataset", "synthetic", "--train-size", "20", "--test-size", "0", "--width", "4"];

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "TorchScript", file);

    public static TheoryData<string, string[], string[], string[]> Commands => new()
    {
        {
            "net eos", ["net", "eos", .. Tiny, "--steps", "4", "--sharpness-every", "2", "--lrs", "0.3"],
            ["--reach-fraction", "--band-low", "--band-high", "--steps", "--width", "--depth", "--train-size", "--init-scale", "--output-multiplier", "--top-k", "--momentum", "--batch-size", "--sharpness-every"],
            ["--lrs", "--checkpoint-steps", "--dtype", "--model", "--optimizer", "--param"]
        },
        {
            "net predict", ["net", "predict", .. Tiny, "--steps", "3", "--sharpness-every", "1", "--late-steps", "8", "--late-window", "6", "--late-sharpness-every", "2", "--params", "sp", "--widths", "4", "--lr-factors", "1"],
            ["--late-steps", "--late-window", "--late-sharpness-every", "--max-period", "--period-tolerance", "--trend-tolerance", "--steps", "--train-size", "--sharpness-every", "--lr-constant", "--lr"],
            ["--params", "--widths", "--init-scales", "--lr-factors", "--lrs", "--zero-readout-params"]
        },
        {
            "net early-phase", ["net", "early-phase", "--dataset", "synthetic", "--train-size", "20", "--depths", "2", "--widths", "4", "--seeds", "1", "--variants", "sp", "--c-min", "0.5", "--c-max", "4", "--x-step", "1", "--early-steps", "3"],
            ["--seeds", "--c-min", "--c-max", "--x-step", "--early-steps", "--decide-below-after", "--train-size", "--init-scale", "--output-multiplier"],
            ["--depths", "--widths", "--variants", "--search", "--dtype"]
        },
        {
            "net fit-uv", ["net", "fit-uv", .. Tiny, "--lr", "0.3", "--steps", "8", "--sharpness-every", "1", "--starts", "2"],
            ["--starts", "--fit-from", "--fit-to", "--output-weight", "--steps", "--lr", "--width", "--sharpness-every"],
            ["--run", "--loss", "--model"]
        },
        {
            "net spectrum", ["net", "spectrum", "--torchscript", Fixture("mlp.pt"), "--data", Fixture("mlp.safetensors"), "--top-k", "1", "--max-matvecs", "20"],
            ["--top-k", "--bottom-k", "--tolerance", "--max-matvecs", "--trace-tolerance", "--trace-min-probes", "--trace-max-probes", "--density-probes", "--density-steps", "--density-sigma", "--density-points", "--measure-size", "--batch-size", "--threads", "--seed"],
            ["--loss", "--dtype", "--input-shape", "--inputs-name", "--targets-name", "--data", "--torchscript", "--classes"]
        },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void HostileOptionValuesKeepTheContract(string command, string[] baseArgs, string[] numericOptions, string[] textOptions)
    {
        var numeric = Gen.Select(Gen.OneOf<string>(numericOptions), CommandFuzzTests.HostileNumber, (option, value) => (option, value));
        var text = Gen.Select(Gen.OneOf<string>(textOptions), CommandFuzzTests.HostileText, (option, value) => (option, value));
        var pair = Gen.Frequency<(string Option, string Value)>((3, numeric), (1, text));
        Gen.Select(pair, pair, Gen.Bool).Sample((first, second, both) =>
        {
            string[] args = Set(baseArgs, first);
            args = both ? Set(args, second) : args;
            Outside.Check(command, TimeSpan.FromSeconds(90), args);
        }, iter: Iterations, threads: 1, print: t => $"{t.Item1.Option} {t.Item1.Value}{(t.Item3 ? $" {t.Item2.Option} {t.Item2.Value}" : string.Empty)}");
    }

    [Fact]
    public void HostilePackDataInputsKeepTheContract()
    {
        var input = Gen.OneOf<string>(
            Fixture("mlp_inputs.npy"), Fixture("mlp_labels.npy"), Fixture("big_endian.npy"), Fixture("fortran.npy"), Fixture("mlp.safetensors"),
            "/dev/zero", "/proc/self/status", "missing.npy", "", "../x.npy", Fixture("mlp.pt"), AppContext.BaseDirectory);
        var name = Gen.OneOf<string>("inputs", "", " ", "a\u0001b", "x/y", new string('n', 70_000), "é", "__metadata__");
        Gen.Select(input, input, Gen.OneOf(Gen.Const((string?)null), name.Select(n => (string?)n)), Gen.Bool).Sample((inputs, targets, inputName, sameName) =>
        {
            string[] args = ["net", "pack-data", "--inputs", inputs, "--targets", targets];
            if (inputName is not null)
            {
                args = [.. args, sameName ? "--targets-name" : "--inputs-name", inputName];
            }

            Outside.CheckFile(TimeSpan.FromSeconds(60), args);
        }, iter: Iterations * 2, threads: 1, print: t => $"{t.Item1} {t.Item2} {t.Item3} {t.Item4}");
    }

    /// <summary>The arguments with <paramref name="option"/> set to <paramref name="value"/>: replaced where the base line has it, else added.</summary>
    internal static string[] Set(string[] args, (string Option, string Value) option)
    {
        int at = Array.IndexOf(args, option.Option);
        if (at < 0 || at + 1 >= args.Length)
        {
            return [.. args, option.Option, option.Value];
        }

        string[] copy = [.. args];
        copy[at + 1] = option.Value;
        return copy;
    }
}

/// <summary>
/// Runs a command in a folder of its own (the current folder of the child) with --out inside it,
/// and checks the contract plus: nothing appears or changes in that folder outside --out, and no
/// temporary file (*.partial) is left in --out.
/// </summary>
internal static class Outside
{
    /// <summary>Runs <paramref name="args"/> with "--out OUT" and checks it.</summary>
    /// <returns>The child's result and the --out folder.</returns>
    public static (ChildResult Result, string Out) Check(string command, TimeSpan limit, params string[] args)
    {
        string root = Contract.NewFolder();
        string cwd = Path.Combine(root, "cwd");
        Directory.CreateDirectory(cwd);
        string folder = Path.Combine(root, "out");
        var before = Contract.Snapshot(root);
        var result = HostileRun.RunIn(cwd, limit, [.. args, "--out", folder]);
        try
        {
            Contract.Holds(result, folder);
            Assert.True(result.Code != 0 || Directory.Exists(folder), $"{command}: exit 0 without its run folder: {result}");
            AssertNothingElse(root, before, "out", result);
            if (Directory.Exists(folder))
            {
                Assert.True(Directory.GetFiles(folder, "*.partial", SearchOption.AllDirectories).Length == 0, $"{command} left temporary files in {folder}: {result}");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        return (result, folder);
    }

    /// <summary>Runs <paramref name="args"/> with "--out FILE" (a command that writes one file) and checks it.</summary>
    public static void CheckFile(TimeSpan limit, params string[] args)
    {
        string root = Contract.NewFolder();
        string cwd = Path.Combine(root, "cwd");
        Directory.CreateDirectory(cwd);
        string file = Path.Combine(root, "out.safetensors");
        var before = Contract.Snapshot(root);
        var result = HostileRun.RunIn(cwd, limit, [.. args, "--out", file]);
        try
        {
            Contract.Holds(result, null);
            Assert.True(result.Code != 0 || File.Exists(file), $"exit 0 without its file: {result}");
            Assert.True(result.Code == 0 || !File.Exists(file), $"refused but wrote {file}: {result}");
            AssertNothingElse(root, before, "out.safetensors", result);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Asserts that <paramref name="root"/> holds what it held before, apart from <paramref name="allowed"/> (a name in it, with everything below).</summary>
    public static void AssertNothingElse(string root, SortedDictionary<string, string> before, string allowed, ChildResult result)
    {
        var after = Contract.Snapshot(root);
        bool Outside(string path) => path != allowed && !path.StartsWith(allowed + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        var changed = after.Where(e => Outside(e.Key) && (!before.TryGetValue(e.Key, out string? old) || old != e.Value)).Select(e => e.Key)
            .Concat(before.Keys.Where(k => Outside(k) && !after.ContainsKey(k)))
            .ToList();
        Assert.True(changed.Count == 0, $"written outside {allowed}: {string.Join(", ", changed)}: {result}");
    }
}
