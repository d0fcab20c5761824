using CsCheck;

namespace Sharpness.Cli.Tests.Safety;

/// <summary>
/// Property-based tests of every command's parser and entry point with generated hostile values:
/// each case appends one or two options with extreme, non-finite, malformed or oversized values to
/// a small valid command line, runs it in a child process under a time and memory limit, and checks
/// the contract (<see cref="Contract"/>): exit 0 with a complete run, or exit 2 or 3 with one line
/// and nothing written; never an abort, a hang or "This is a bug".
/// </summary>
public class CommandFuzzTests
{
    // Cases per property; SHARPNESS_FUZZ_ITERATIONS raises it for a longer hunt (CsCheck_Seed replays a failure).
    internal static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("SHARPNESS_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 12;

    internal static readonly Gen<string> HostileNumber = Gen.OneOf<string>(
        "nan", "NaN", "inf", "-inf", "Infinity", "-Infinity", "1e308", "-1e308", "1.7976931348623157e308", "1e400", "1e-320", "5e-324",
        "0", "-0", "-1", "1", "2", "0.5", "3", "2147483647", "-2147483648", "2147483648", "99999999999", "1e3", "abc", "", " ", "0x10", "1,5", "--");

    internal static readonly Gen<string> HostileText = Gen.OneOf<string>(
        "", " ", "ntp", "mup", "sp", "s=0.5", "s=nan", "s=2", "s=-1", "NTP", "physical", "scaled", "both", "up", "eta", "c", "r", "relative",
        "\u0001", "a\tb", "../../etc/passwd", "/dev/zero", new string('x', 4096), "é", "2,8", "1,2,2", ",", "width", "param", "init-scale", "1e308,1");

    public static TheoryData<string, string[], string[], string[]> Commands => new()
    {
        { "uv simulate", ["uv", "simulate", "--steps", "20"], ["--width", "--input-dim", "--init-scale", "--normalizer", "--target", "--lr", "--lr-constant", "--weight-decay", "--steps", "--divergence-threshold", "--seed"], ["--param"] },
        { "uv orbit", ["uv", "orbit", "--points", "3", "--transient", "5", "--keep", "3"], ["--points", "--transient", "--keep", "--r-min", "--r-max", "--x0", "--g0", "--value-min", "--value-max", "--divergence-threshold", "--width", "--init-scale"], ["--axis", "--direction", "--param"] },
        { "uv cascade", ["uv", "cascade", "--max-period", "4"], ["--max-period", "--x0", "--g0", "--escape-search-end"], [] },
        { "uv lyapunov", ["uv", "lyapunov", "--r-min", "1.1", "--r-max", "1.2", "--points", "3", "--steps", "50", "--transient", "10"], ["--r-min", "--r-max", "--points", "--steps", "--transient", "--x0", "--g0"], [] },
        { "uv phase", ["uv", "phase", "--c-points", "3", "--r-points", "3", "--steps", "20"], ["--c-min", "--c-max", "--c-points", "--r-min", "--r-max", "--r-points", "--output-ratio", "--steps", "--seeds"], ["--mode", "--x-axis", "--y-axis", "--y-values"] },
        { "uv field", ["uv", "field", "--grid", "4"], ["--r", "--grid", "--h-min", "--h-max", "--x-min", "--x-max", "--trajectory-steps"], ["--plane", "--trajectory"] },
        { "net train", ["net", "train", "--dataset", "synthetic", "--train-size", "30", "--test-size", "0", "--steps", "2", "--width", "4", "--measure-size", "30", "--sharpness-every", "1"], ["--width", "--depth", "--lr", "--lr-constant", "--steps", "--top-k", "--threads", "--batch-size", "--momentum", "--init-scale", "--output-multiplier", "--train-size", "--max-matvecs", "--lanczos-tolerance", "--warmup"], ["--model", "--activation", "--loss", "--dtype", "--optimizer", "--classes"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void HostileOptionValuesKeepTheContract(string command, string[] baseArgs, string[] numericOptions, string[] textOptions)
    {
        var numeric = Gen.Select(Gen.OneOf<string>(numericOptions), HostileNumber, (option, value) => new[] { option, value });
        var text = textOptions.Length == 0 ? numeric : Gen.Select(Gen.OneOf<string>(textOptions), HostileText, (option, value) => new[] { option, value });
        var pair = Gen.Frequency<string[]>((3, numeric), (1, text));
        Gen.Select(pair, pair, Gen.Bool).Sample((first, second, both) =>
        {
            string folder = Contract.NewPath();
            string[] args = [.. baseArgs, .. first, .. both ? second : [], "--out", folder];
            var result = HostileRun.Run(TimeSpan.FromSeconds(60), null, args);
            Contract.Holds(result, folder);
            Assert.True(result.Code != 0 || Directory.Exists(folder), $"{command}: exit 0 without its run folder: {result}");
        }, iter: Iterations, threads: 1, print: t => string.Join(' ', [.. t.Item1, .. t.Item3 ? t.Item2 : []]));
    }

    [Fact]
    public void HostileSettingsFilesKeepTheContract()
    {
        var content = Gen.OneOf<string>(
            Gen.Const("width = 3\nwidth = 4\n"),
            Gen.Const("width = nan\n"),
            Gen.Const("steps = 1e400\n"),
            Gen.Const("param = \"a\\u0000b\"\n"),
            Gen.Const("a = " + new string('[', 10_000) + new string(']', 10_000) + "\n"),
            Gen.Const("steps = 2147483647\n"),
            Gen.Const("widht = 3\n"),
            Gen.Const("lr_constant = 1\nlr-constant = 2\n"),
            Gen.Byte.Array[0, 2000].Select(bytes => System.Text.Encoding.Latin1.GetString(bytes)),
            Gen.String.Select(s => s + "\n"));
        content.Sample(text =>
        {
            string config = Path.Combine(Contract.NewFolder(), "settings.toml");
            File.WriteAllText(config, text, new System.Text.UTF8Encoding(false));
            string folder = Contract.NewPath();
            var result = HostileRun.Run(TimeSpan.FromSeconds(60), null, "uv", "simulate", "--steps", "10", "--config", config, "--out", folder);
            Contract.Holds(result, folder);
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void HostileSweepSpecsKeepTheContract()
    {
        // Grids of at most a few points that run: each case must finish within its time limit on a loaded machine.
        var axis = Gen.OneOf<string>(
            "width = [4, -1]", "width = [4, 4]", "lr = [nan]", "lr = [inf, 1]", "lr = {linspace = [0, 1, 0]}", "lr = {logspace = [-1, 1, 3]}",
            "seed = {range = [0, 1e300]}", "seed = {range = [0, 3, 0]}", "steps = [\"x\"]", "out = [\"a\"]", "widht = [1, 2]",
            "a = {range = [0, 65536]}\nb = {range = [0, 65536]}", "seed = {values = [1, \"1\"]}", "lr = {range = [1e300, 1e301, 3e300]}");
        Gen.Select(axis, Gen.Int[0, 2]).Sample((grid, shards) =>
        {
            string spec = Path.Combine(Contract.NewFolder(), "sweep.toml");
            File.WriteAllText(spec, $"command = \"uv simulate\"\n[base]\nsteps = 5\n[grid]\n{grid}\n");
            string results = Contract.NewPath();
            string[] shard = shards == 0 ? [] : ["--shard", $"0/{shards}"];
            var result = HostileRun.Run(TimeSpan.FromSeconds(90), null, ["sweep", "run", spec, "--out", results, .. shard]);
            Assert.False(result.TimedOut, result.ToString());
            Assert.True(result.Code is 0 or 2, result.ToString());
            if (result.Code == 2)
            {
                Contract.Holds(result, results);
            }
        }, iter: Iterations, threads: 1);
    }
}
