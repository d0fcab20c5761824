using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Cli.Figures;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness reproduce</c>: runs a fixed, versioned list of experiments (each in its own run
/// folder), measures the paper's claims from their outputs and writes claims.json, report.md and a
/// self-contained index.html.
/// </summary>
public sealed class ReproduceCommand
{
    /// <summary>Version of the experiment list and the claim criteria; changes whenever either changes.</summary>
    public const int ExperimentListVersion = 3;

    /// <summary>The claims table as JSON.</summary>
    public const string ClaimsFile = ReproduceReport.ClaimsFile;

    /// <summary>The Markdown report.</summary>
    public const string ReportFile = ReproduceReport.MarkdownFile;

    /// <summary>The self-contained HTML report.</summary>
    public const string HtmlFile = ReproduceReport.HtmlFile;

    /// <summary>
    /// The settings and experiment list of a reproduction, written first: a later attempt on the
    /// same folder resumes only when its plan is the same.
    /// </summary>
    public const string PlanFile = "plan.json";

    /// <summary>Initial weights of test vector TV3 (on the EoS manifold at r = 1.05).</summary>
    public const string Tv3InitFile = "tv3-init.json";

    /// <summary>Initial weights with an output far above the target.</summary>
    public const string LargeOutputInitFile = "large-output-init.json";

    /// <summary>Default dataset folder of the real-network part.</summary>
    public const string DefaultDataDir = "/usr/share/datasets/fashion-mnist";

    private const string Reproduced = ReproduceReport.Reproduced;
    private const string NotReproduced = ReproduceReport.NotReproduced;
    private const string Skipped = "skipped";

    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Folder for the experiments' run folders, plan.json, claims.json, report.md, index.html and manifest.json: new or empty, or an interrupted reproduction with the same options, which is resumed (complete runs kept, incomplete ones redone).", Required = true };
    private readonly Option<bool> _quick = new("--quick") { Description = "Smaller grids and fewer steps (well under a minute); the claims are measured the same way." };
    private readonly Option<bool> _noNet = new("--no-net") { Description = "Skip the real-network part even when the dataset is installed." };
    private readonly Option<DirectoryInfo?> _dataDir = new("--data-dir") { Description = $"Fashion-MNIST folder of the real-network part. Default: {DefaultDataDir}; the part is skipped when it does not exist." };

    /// <summary>One experiment: a run folder and the command line that fills it.</summary>
    /// <param name="Name">Run folder name under --out.</param>
    /// <param name="Title">What the run shows.</param>
    /// <param name="Arguments">Command line without --out.</param>
    internal sealed record Experiment(string Name, string Title, string[] Arguments);

    /// <summary>One measured claim.</summary>
    internal sealed record Claim(string Id, string Text, JsonNode? Measured, string Criterion, string Status, string Source);

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new ReproduceCommand();
        var command = new Command("reproduce", "Runs the fixed list of experiments, measures the paper's claims from their outputs and writes claims.json, report.md and index.html. Rerun on an interrupted reproduction's folder with the same options to resume it.");
        foreach (Option option in new Option[] { definition._out, definition._quick, definition._noNet, definition._dataDir })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    /// <summary>The UV-model experiments, in order.</summary>
    /// <param name="quick">Smaller grids and fewer steps.</param>
    /// <param name="folder">The reproduce folder (for the init files).</param>
    internal static IReadOnlyList<Experiment> UvExperiments(bool quick, string folder)
    {
        string tv3 = Path.Combine(folder, Tv3InitFile);
        string large = Path.Combine(folder, LargeOutputInitFile);
        string[] Q(string[] quickArgs, string[] fullArgs) => quick ? quickArgs : fullArgs;
        return
        [
            new("uv-default", "UV model, defaults (NTP, n = 100, eta = 0.5): early sharpness reduction, then convergence", ["uv", "simulate"]),
            new("uv-large-output", "UV model, initial output far above the target (f0 = 8, y = 1), NTP, small learning rate: sharpness reduction", ["uv", "simulate", "--init-file", large, "--lr", "0.05", "--steps", "500"]),
            new("uv-mup-sharpening", "UV model, muP, eta = 1.8/lambda_H(0): progressive sharpening, self-stabilised EoS", ["uv", "simulate", "--param", "mup", "--width", "1000", "--lr-constant", "1.8", "--steps", "500"]),
            new("uv-catapult", "UV model, catapult: eta = 3/lambda_H(0), muP, width 1000", ["uv", "simulate", "--param", "mup", "--width", "1000", "--lr-constant", "3", "--steps", "300"]),
            new("uv-tv3", "UV model on the EoS manifold, r = 1.05 (test vector TV3): period-2 edge of stability", ["uv", "simulate", "--init-file", tv3, "--normalizer", "2", "--lr", "2.1", "--steps", "400"]),
            new("cascade", "Period-doubling cascade on the EoS manifold", ["uv", "cascade"]),
            new("orbit", "Orbit diagram against r = eta/eta_c", ["uv", "orbit", "--r-min", "0.8", "--r-max", "1.8", .. Q(["--points", "300", "--transient", "1000", "--keep", "100"], ["--points", "2000", "--transient", "3000", "--keep", "200"])]),
            new("orbit-zoom", "Orbit diagram, zoom near the accumulation point", ["uv", "orbit", "--r-min", "1.28", "--r-max", "1.31", .. Q(["--points", "200", "--transient", "5000", "--keep", "100"], ["--points", "1500", "--transient", "20000", "--keep", "200"]), "--value-min", "0.7", "--value-max", "3.7"]),
            new("lyapunov", "Lyapunov spectrum against r", ["uv", "lyapunov", "--r-min", "0.8", "--r-max", "1.9", "--points", quick ? "150" : "800"]),
            new("lyapunov-r1.4", "Lyapunov exponents at r = 1.4 (beyond the accumulation point)", ["uv", "lyapunov", "--r", "1.4"]),
            new("phase-scaled", "Phase diagram, c = eta*lambda_0 against r, zero initial output", ["uv", "phase", .. Q(["--c-points", "30", "--r-points", "30", "--steps", "500"], [])]),
            new("phase-width", "Phase diagram over width (NTP)", ["uv", "phase", "--mode", "physical", "--log-x", "--c-min", "0.25", "--c-max", "8", .. Q(["--c-points", "12", "--y-values", "1,4,16,64,256", "--seeds", "2", "--steps", "300"], ["--c-points", "48", "--y-values", "1,2,4,8,16,32,64,128,256,1024", "--seeds", "5", "--steps", "1000"])]),
            new("field", "Vector field at r = 0.5 with trajectories", ["uv", "field", "--r", "0.5", "--trajectory", "0.02,1.5", "--trajectory", "1.5,3.2", "--trajectory", "-0.3,2.5", .. Q(["--grid", "15"], [])]),
            new("field-eos", "Vector field at r = 1.1 (above the critical learning rate)", ["uv", "field", "--r", "1.1", "--trajectory", "0.2,1.0", "--trajectory-steps", "60", .. Q(["--grid", "15"], [])]),
        ];
    }

    /// <summary>The real-network experiments (Fashion-MNIST).</summary>
    internal static IEnumerable<Experiment> NetExperiments(bool quick, string dataDir)
    {
        yield return new("net-eos", "Real network at two learning rates (Cohen et al. preset: FC tanh on Fashion-MNIST, full-batch GD): sharpness against 2/eta",
            ["net", "eos", "--data-dir", dataDir, .. quick
                ? new[] { "--lrs", "2/30", "--train-size", "500", "--measure-size", "500", "--test-size", "0", "--steps", "30", "--sharpness-every", "10" }
                : new[] { "--lrs", "2/30,2/40", "--test-size", "0", "--steps", "2000", "--sharpness-every", "20" }]);
        yield return new("net-early-phase", "Early-training phase diagram (Kalra & Barkeshli): c_loss, c_sharp, c_max against lambda_H(0) and the NTK, SP and zero readout",
            ["net", "early-phase", "--data-dir", dataDir, "--variants", "sp,zero-readout", .. quick
                ? new[] { "--depths", "2", "--widths", "16", "--seeds", "1", "--train-size", "200", "--measure-size", "200", "--x-step", "0.5", "--c-max", "16", "--early-steps", "5" }
                : new[] { "--depths", "2,4", "--widths", "64,256", "--seeds", "2", "--x-step", "0.2" }]);
        yield return new("net-predict", "The UV model's predictions on real networks: early regime from the initial output (SP, NTP, muP, zero readout), late oscillation at large eta",
            ["net", "predict", "--data-dir", dataDir, .. quick
                ? new[] { "--train-size", "200", "--measure-size", "200", "--widths", "16", "--init-scales", "1", "--steps", "20", "--lr-factors", "4,5", "--late-steps", "60", "--late-window", "20" }
                : new[] { "--widths", "64,256", "--init-scales", "1,0.25,4", "--lr-factors", "4,4.5,5,5.1,5.2" }]);
        yield return new("net-fit-uv", "The UV map fitted to a real network's sharpness (zero readout, eta = 0.1), with baselines",
            ["net", "fit-uv", "--preset", "eos", "--data-dir", dataDir, "--zero-readout", "--lr", "0.1", "--test-size", "0", "--accuracy-goal", "1", "--sharpness-every", "1", .. quick
                ? new[] { "--train-size", "100", "--measure-size", "100", "--steps", "20" }
                : new[] { "--train-size", "1000", "--measure-size", "1000", "--steps", "400" }]);
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        bool quick = parse.GetValue(_quick);
        bool noNet = parse.GetValue(_noNet);
        string dataDir = parse.GetValue(_dataDir)?.FullName ?? DefaultDataDir;
        var outDir = parse.GetValue(_out)!;
        string folder = outDir.FullName;

        var experiments = UvExperiments(quick, folder).ToList();
        string? netSkipReason = noNet ? "skipped: --no-net" : Directory.Exists(dataDir) ? null : "skipped: install dataset-fashion-mnist";
        if (netSkipReason is null)
        {
            NetSettings.CheckDataFiles("fashion-mnist", dataDir);
            experiments.AddRange(NetExperiments(quick, dataDir));
        }

        var plan = Plan(quick, noNet, netSkipReason, experiments, folder);
        bool resuming = CheckResumable(folder, plan, experiments);
        string[] ownFiles = [PlanFile, Tv3InitFile, LargeOutputInitFile, ClaimsFile, ReportFile, HtmlFile];
        var output = RunOutput.Prepare(outDir, [.. ownFiles, .. experiments.Select(e => e.Name)]);
        if (!resuming)
        {
            foreach (var e in experiments)
            {
                if (RunDirectory.CheckUsable(Path.Combine(folder, e.Name), []) is { } problem)
                {
                    throw new UsageException("--out", $"run folder {e.Name}: {problem}");
                }
            }
        }

        output.WriteText(PlanFile, plan.ToJsonString(JsonOutput.Options) + "\n");
        output.WriteText(Tv3InitFile, "{\"u\": [1, 1, 1, 1], \"v\": [1, 1, 1, 1]}\n");
        output.WriteText(LargeOutputInitFile, "{\"u\": [4, 0, 0, 0], \"v\": [4, 0, 0, 0]}\n");
        if (resuming)
        {
            int kept = experiments.Count(e => RunDirectory.HoldsCompleteRun(Path.Combine(folder, e.Name)));
            context.Error.WriteLine($"resuming the interrupted reproduction in {folder}: {kept} of {experiments.Count} runs complete, kept");
        }

        var clock = Stopwatch.StartNew();
        var runs = new JsonArray();
        for (int i = 0; i < experiments.Count; i++)
        {
            var e = experiments[i];
            string runFolder = Path.Combine(folder, e.Name);
            string[] args = [.. e.Arguments, "--out", runFolder];
            var entry = new JsonObject
            {
                ["name"] = e.Name,
                ["title"] = e.Title,
                ["command"] = "sharpness " + string.Join(' ', Display(args, folder)),
            };
            if (resuming && RunDirectory.HoldsCompleteRun(runFolder))
            {
                entry["seconds"] = RecordedSeconds(runFolder);
                entry["kept_from_earlier_attempt"] = true;
                runs.Add(entry);
                context.Error.WriteLine($"[{i + 1}/{experiments.Count}] {e.Name}: complete from the earlier attempt, kept");
                continue;
            }

            // Only incomplete folders named after an experiment of the plan reach here: the toolkit's
            // own partial run is redone in place, anything else is moved aside, never deleted.
            if (RunDirectory.PrepareRedo(runFolder) is { } kept)
            {
                context.Error.WriteLine($"[{i + 1}/{experiments.Count}] {e.Name}: the incomplete earlier attempt is kept as {Path.GetFileName(kept)}");
            }

            var runClock = Stopwatch.StartNew();
            var subOutput = new StringWriter(CultureInfo.InvariantCulture);
            var subError = new StringWriter(CultureInfo.InvariantCulture);
            int code = Program.Run(args, subOutput, subError);
            double seconds = runClock.Elapsed.TotalSeconds;
            context.Error.WriteLine($"[{i + 1}/{experiments.Count}] {e.Name}: {(code == 0 ? "done" : $"failed (exit {code})")} in {seconds:F1} s");
            if (code != 0)
            {
                string reason = subError.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal))?["error: ".Length..] ?? $"exit code {code}";
                context.Error.WriteLine($"error: experiment {e.Name} failed: {reason} (sharpness {string.Join(' ', Display(args, folder))})");
                return code == ExitCodes.InvalidInput ? ExitCodes.InternalError : code;
            }

            entry["seconds"] = seconds;
            entry["kept_from_earlier_attempt"] = false;
            runs.Add(entry);
        }

        var claims = MeasureClaims(folder, netSkipReason);
        var claimsJson = new JsonObject
        {
            ["experiment_list_version"] = ExperimentListVersion,
            ["quick"] = quick,
            ["claims"] = new JsonArray(claims.Select(c => (JsonNode?)ClaimJson(c)).ToArray()),
        };
        output.WriteText(ClaimsFile, claimsJson.ToJsonString(JsonOutput.Options) + "\n");
        double total = clock.Elapsed.TotalSeconds;
        var counts = new JsonObject
        {
            [Reproduced] = claims.Count(c => c.Status == Reproduced),
            [NotReproduced] = claims.Count(c => c.Status == NotReproduced),
            [Skipped] = claims.Count(c => c.Status.StartsWith(Skipped, StringComparison.Ordinal)),
        };
        var results = new JsonObject
        {
            ["experiment_list_version"] = ExperimentListVersion,
            ["runs"] = runs,
            ["claims"] = claimsJson["claims"]!.DeepClone(),
            ["claim_counts"] = counts,
            ["net"] = netSkipReason ?? "run",
            ["resumed"] = resuming,
            ["seconds"] = total,
        };
        var configuration = new JsonObject { ["quick"] = quick, ["no_net"] = noNet, ["data_dir"] = dataDir };
        foreach (var report in ReproduceReport.Reports(SavedRun.Writing(folder, "reproduce", configuration, results), path => BoundedFile.ReadAllBytes(Path.Combine(folder, path), FileKindLimit.Figure)))
        {
            output.WriteBytes(report.Path, report.Content);
        }

        output.Complete("reproduce", context, configuration, 0, started, results, ownFiles);

        context.Output.WriteLine($"claims of the {(quick ? "quick" : "full")} reproduction (experiment list version {ExperimentListVersion}), {total:F1} s in all:");
        foreach (var c in claims)
        {
            context.Output.WriteLine($"  [{c.Status}] {c.Text}: {ReproduceReport.MeasuredText(c.Measured)} ({c.Criterion})");
        }

        context.Output.WriteLine($"wrote {ClaimsFile}, {ReportFile}, {HtmlFile} and {RunDirectory.ManifestFileName} in {folder}");
        return ExitCodes.Success;
    }

    /// <summary>What must match for a later attempt to resume this reproduction: version, options and the experiments' command lines (which hold the dataset folder when the network runs).</summary>
    internal static JsonObject Plan(bool quick, bool noNet, string? netSkipReason, IEnumerable<Experiment> experiments, string folder) => new()
    {
        ["experiment_list_version"] = ExperimentListVersion,
        ["quick"] = quick,
        ["no_net"] = noNet,
        ["net"] = netSkipReason ?? "run",
        ["experiments"] = new JsonArray(experiments.Select(e => (JsonNode?)new JsonObject
        {
            ["name"] = e.Name,
            ["command"] = "sharpness " + string.Join(' ', Display([.. e.Arguments, "--out", Path.Combine(folder, e.Name)], folder)),
        }).ToArray()),
    };

    /// <summary>
    /// Decides whether <paramref name="folder"/> is new (false), an interrupted reproduction with
    /// the same plan (true), or neither (a usage error, before anything is written).
    /// </summary>
    private static bool CheckResumable(string folder, JsonObject plan, IReadOnlyList<Experiment> experiments)
    {
        if (!Directory.Exists(folder))
        {
            return false;
        }

        if (File.Exists(Path.Combine(folder, RunDirectory.ManifestFileName)))
        {
            throw new UsageException("--out", $"'{folder}' already holds a finished reproduction ({RunDirectory.ManifestFileName} exists); choose another folder or delete it ('sharpness plot {folder}' redraws its figures and reports).");
        }

        string planPath = Path.Combine(folder, PlanFile);
        if (!File.Exists(planPath))
        {
            // A folder with nothing but temporary files has not started any experiment.
            bool started = Directory.EnumerateFileSystemEntries(folder).Any(entry => !entry.EndsWith(SafeFile.TemporarySuffix, StringComparison.Ordinal) && Path.GetFileName(entry) != FolderLock.FileName);
            return started
                ? throw new UsageException("--out", $"'{folder}' is not empty and holds no {PlanFile}, so it is not a reproduction this version can resume; choose an empty or new folder.")
                : false;
        }

        JsonNode? earlier;
        try
        {
            earlier = JsonNode.Parse(BoundedFile.ReadAllText(planPath, FileKindLimit.Manifest));
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InputFileException)
        {
            throw new UsageException("--out", $"'{planPath}' is not valid JSON ({e.Message}); choose another folder or delete it.");
        }

        if (!JsonNode.DeepEquals(earlier, plan))
        {
            string key = plan.Select(p => p.Key).FirstOrDefault(k => !JsonNode.DeepEquals(earlier?[k], plan[k])) ?? "(other keys)";
            string Show(JsonNode? value) => value is JsonArray ? "a different list" : value?.ToJsonString() ?? "none";
            throw new UsageException("--out", $"'{folder}' holds an interrupted reproduction with other settings ({key}: {Show(earlier?[key])} there, {Show(plan[key])} now); rerun with the same options to resume it, or choose another folder.");
        }

        foreach (var e in experiments)
        {
            string path = Path.Combine(folder, e.Name);
            if (File.Exists(path) || (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is not null))
            {
                throw new UsageException("--out", $"'{path}' is a file or a link, not a run folder of the interrupted reproduction; remove it to resume.");
            }
        }

        return true;
    }

    private static double RecordedSeconds(string runFolder)
    {
        var manifest = JsonNode.Parse(BoundedFile.ReadAllText(Path.Combine(runFolder, RunDirectory.ManifestFileName), FileKindLimit.Manifest))!;
        var started = DateTimeOffset.Parse(manifest["started_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var finished = DateTimeOffset.Parse(manifest["finished_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        return (finished - started).TotalSeconds;
    }

    private static IEnumerable<string> Display(IEnumerable<string> args, string folder) =>
        args.Select(a => a.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? Path.Combine("$out", Path.GetRelativePath(folder, a)) : a)
            .Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a);

    private static JsonObject ClaimJson(Claim c) => new()
    {
        ["id"] = c.Id,
        ["claim"] = c.Text,
        ["measured"] = c.Measured?.DeepClone(),
        ["criterion"] = c.Criterion,
        ["status"] = c.Status,
        ["source"] = c.Source,
    };

    private static JsonObject Results(string folder, string run) =>
        JsonNode.Parse(BoundedFile.ReadAllText(Path.Combine(folder, run, RunDirectory.ManifestFileName), FileKindLimit.Manifest))!["results"]!.AsObject();

    private static string[] Strings(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        string[] lines = BoundedFile.ReadAllText(path, FileKindLimit.Table).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(line => header.Zip(line.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    private static double D(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Status(bool ok) => ok ? Reproduced : NotReproduced;

    /// <summary>Measures every claim from the run folders.</summary>
    internal static List<Claim> MeasureClaims(string folder, string? netSkipReason)
    {
        var claims = new List<Claim>();

        var large = Results(folder, "uv-large-output");
        string[] largeLabels = Strings(large["labels"]);
        claims.Add(new("uv-reduction-large-output", "UV model: sharpness decreases early when the initial output is large",
            string.Join(' ', largeLabels.DefaultIfEmpty("(no labels)")) + $" (f0 = {large["initial"]!["f"]!.GetValue<double>().ToString("G4", CultureInfo.InvariantCulture)}, y = 1)",
            "labels of the large-output run contain sharpness-reduction", Status(largeLabels.Contains("sharpness-reduction")), "uv-large-output/manifest.json"));

        var mup = Results(folder, "uv-mup-sharpening");
        string[] mupLabels = Strings(mup["ntk_labels"]);
        claims.Add(new("uv-sharpening-small-output", "UV model: progressive sharpening when the output is small (muP)",
            string.Join(' ', mupLabels.DefaultIfEmpty("(no labels)")),
            "NTK labels of the muP run contain progressive-sharpening", Status(mupLabels.Contains("progressive-sharpening")), "uv-mup-sharpening/manifest.json"));

        var phase = ReadCsv(Path.Combine(folder, "phase-scaled", UvPhaseCommand.CsvFile));
        var above = phase.Where(row => D(row["r"]) > 1).ToList();
        int convergedAbove = above.Count(row => row["category"].StartsWith("converged", StringComparison.Ordinal) || row["category"].EndsWith("converged", StringComparison.Ordinal));
        claims.Add(new("uv-no-convergence-above-critical", "UV model: GD cannot converge for eta > eta_c",
            JsonValue.Create(convergedAbove), $"no converged cell with r > 1 in the scaled phase diagram ({above.Count} cells with r > 1)",
            Status(above.Count > 0 && convergedAbove == 0), "phase-scaled/phase.csv"));

        var tv3 = ReadCsv(Path.Combine(folder, "uv-tv3", UvSimulateCommand.TrajectoryFile));
        double xPlus = D(tv3[^1]["lr_ntk"]), xMinus = D(tv3[^2]["lr_ntk"]);
        double geometric = Math.Sqrt(xPlus * xMinus);
        var tv3Results = Results(folder, "uv-tv3");
        bool period2 = tv3Results["period"] is JsonValue p && p.TryGetValue(out int period) && period == 2;
        claims.Add(new("uv-period2-geometric-mean", "UV model: period-2 EoS with geometric-mean sharpness 2/eta (eta*sqrt(lambda+ lambda-) = 2)",
            JsonValue.Create(geometric), "|sqrt(x+ x-) - 2| <= 1e-9 over the last two steps of TV3, period 2",
            Status(period2 && Math.Abs(geometric - 2) <= 1e-9), "uv-tv3/trajectory.csv"));

        var cascade = Results(folder, "cascade");
        var ratios = cascade["feigenbaum_ratios"]!.AsArray().Select(n => n!.GetValue<double>()).ToArray();
        double lastRatio = ratios.Length > 0 ? ratios[^1] : double.NaN;
        claims.Add(new("uv-feigenbaum", "UV model: period doubling with Feigenbaum ratio -> 4.669",
            JsonOutput.Number(lastRatio), "|last ratio - 4.6692| <= 0.01",
            Status(Math.Abs(lastRatio - 4.669201609) <= 0.01), "cascade/manifest.json"));

        var lyapunov = Results(folder, "lyapunov-r1.4");
        double largest = lyapunov["values"]?[0]?["exponents"] is JsonArray exps && exps.Count > 0 ? exps[0]!.GetValue<double>() : double.NaN;
        claims.Add(new("uv-chaos", "UV model: chaos with a positive Lyapunov exponent (r = 1.4)",
            JsonOutput.Number(largest), "largest exponent > 0", Status(largest > 0), "lyapunov-r1.4/manifest.json"));

        if (netSkipReason is not null)
        {
            claims.Add(new("net-eos-settles", "Real networks: sharpness settles at 2/eta (edge of stability)", JsonValue.Create(netSkipReason),
                NetCriterion, netSkipReason, "net-eos"));
            claims.Add(new("net-uv-fit", FitClaimText, JsonValue.Create(netSkipReason), FitCriterion, netSkipReason, "net-fit-uv"));
        }
        else
        {
            string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
            var parts = new List<string>();
            bool all = true;
            var sources = new List<string>();
            foreach (var run in Results(folder, "net-eos")["runs"]!.AsArray())
            {
                string sub = run!["folder"]!.GetValue<string>();
                var metrics = ReadCsv(Path.Combine(PathSegment.Combine(Path.Combine(folder, "net-eos"), sub, "net-eos results.runs[].folder"), "metrics.csv"))
                    .Where(row => row["sharpness"] != "nan" && row["threshold"] != "nan")
                    .Select(row => D(row["sharpness"]) / D(row["threshold"]))
                    .Where(double.IsFinite)
                    .ToArray();
                var last = metrics.TakeLast(NetWindow).ToArray();
                double mean = last.Length > 0 ? last.Average() : double.NaN;
                double drift = Drift(last);
                bool ok = last.Length == NetWindow && mean is >= 0.9 and <= 1.1 && last.All(v => v is >= 0.8 and <= 1.2) && Math.Abs(drift) <= 0.05;
                all &= ok;
                string eta = "eta " + run["lr"]!.GetValue<double>().ToString("G4", CultureInfo.InvariantCulture);
                parts.Add(last.Length == NetWindow
                    ? $"{eta}: mean {G(mean)}, drift {(drift >= 0 ? "+" : string.Empty)}{G(drift)} over the last {NetWindow}"
                    : $"{eta}: mean {G(mean)} over the last {last.Length}; only {metrics.Length} measurements (needs {NetWindow})");
                sources.Add($"net-eos/{sub}/metrics.csv");
            }

            claims.Add(new("net-eos-settles", "Real networks: sharpness settles at 2/eta (edge of stability)",
                JsonValue.Create(string.Join("; ", parts)), NetCriterion + ", at every learning rate", Status(all && parts.Count > 0), string.Join(", ", sources)));

            var fit = Results(folder, "net-fit-uv");
            double uv = fit["free"]?["held_out_error"]?.GetValue<double>() ?? double.NaN;
            double constant = fit["baselines"]?["constant"]?["held_out_error"]?.GetValue<double>() ?? double.NaN;
            claims.Add(new("net-uv-fit", FitClaimText,
                JsonValue.Create($"held-out RMS relative error of lambda_H: UV fit {G(uv)}, constant {G(constant)}"),
                FitCriterion, Status(uv < constant), "net-fit-uv/manifest.json"));
        }

        if (netSkipReason is not null)
        {
            claims.Add(new("net-initial-output-predicts-regime", PredictClaimText, JsonValue.Create(netSkipReason), PredictCriterion, netSkipReason, "net-predict"));
            claims.Add(new("net-period-two", PeriodTwoClaimText, JsonValue.Create(netSkipReason), PeriodTwoCriterion, netSkipReason, "net-predict"));
            claims.Add(new("net-critical-ordering", OrderingClaimText, JsonValue.Create(netSkipReason), OrderingCriterion, netSkipReason, "net-early-phase"));
            claims.Add(new("net-zero-readout-c-loss", ZeroReadoutClaimText, JsonValue.Create(netSkipReason), ZeroReadoutCriterion, netSkipReason, "net-early-phase"));
        }
        else
        {
            string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
            var predictions = Results(folder, "net-predict")["predictions"]!;
            int configurations = predictions["configurations"]!.GetValue<int>(), agree = predictions["agree"]!.GetValue<int>();
            double fraction = configurations > 0 ? (double)agree / configurations : double.NaN;
            claims.Add(new("net-initial-output-predicts-regime", PredictClaimText,
                JsonValue.Create($"{agree} of {configurations} configurations ({G(100 * fraction)}%)"), PredictCriterion, Status(fraction >= 0.75), "net-predict/manifest.json"));

            var oscillation = Results(folder, "net-predict")["oscillation"];
            bool periodTwo = oscillation?["period_two_loss_and_sharpness"]?.GetValue<bool>() ?? false;
            bool doubling = oscillation?["period_doubling_found"]?.GetValue<bool>() ?? false;
            claims.Add(new("net-period-two", PeriodTwoClaimText,
                JsonValue.Create($"period 2 in loss and sharpness: {(periodTwo ? "found" : "not found")}; period doubling as eta grows: {(doubling ? "found" : "not found")}"),
                PeriodTwoCriterion, Status(periodTwo), "net-predict/manifest.json"));

            var early = Results(folder, "net-early-phase");
            var groups = early["groups"]!.AsArray();
            (int Holds, int Fails, int Undetermined) Ordering(Func<string, bool> variant)
            {
                var chosen = groups.Where(g => variant(g!["variant"]!.GetValue<string>())).ToArray();
                int Sum(string key) => chosen.Sum(g => g![key]?.GetValue<int>() ?? 0);
                return (Sum("ordering_holds") + Sum("ordering_within_grid_step"), Sum("ordering_fails"), Sum("ordering_undetermined"));
            }

            // The ordering is Kalra & Barkeshli's for standard initialisations; from a zero output the UV model predicts
            // that the sharpness rises at every c (c_sharp at the bottom of the grid), so those rows are reported apart.
            var standard = Ordering(v => v != "zero-readout");
            var zeroOutput = Ordering(v => v == "zero-readout");
            claims.Add(new("net-critical-ordering", OrderingClaimText,
                JsonValue.Create($"holds for {standard.Holds} initialisations (within a grid step included), fails for {standard.Fails}, undetermined for {standard.Undetermined}; " +
                    $"zero readout, predicted to fail: holds {zeroOutput.Holds}, fails {zeroOutput.Fails}"),
                OrderingCriterion, Status(standard.Fails == 0 && standard.Holds > 0), "net-early-phase/manifest.json"));

            var zero = early["groups"]!.AsArray().Where(g => g!["variant"]!.GetValue<string>() == "zero-readout")
                .Select(g => (Ntk: g!["against_ntk"]?["c_loss"]?["mean"]?.GetValue<double>() ?? double.NaN, Hessian: g["against_lambda_h"]?["c_loss"]?["mean"]?.GetValue<double>() ?? double.NaN))
                .ToArray();
            bool closeToTwo = zero.Length > 0 && zero.All(z => Math.Abs(Math.Log2(z.Ntk / 2)) <= 0.25);
            claims.Add(new("net-zero-readout-c-loss", ZeroReadoutClaimText,
                JsonValue.Create(zero.Length == 0 ? "no zero-readout runs" : $"c_loss against the NTK: {string.Join(", ", zero.Select(z => G(z.Ntk)))}; against lambda_H(0): {string.Join(", ", zero.Select(z => G(z.Hessian)))}"),
                ZeroReadoutCriterion, Status(closeToTwo), "net-early-phase/manifest.json"));
        }
        return claims;
    }

    private const int NetWindow = 10;

    private const string PredictClaimText = "Real networks: the initial output predicts the early regime (UV growth wedge)";

    private const string PredictCriterion = "predicted early regime (sharpness reduction or progressive sharpening) equals the observed one in at least 75% of the configurations";

    private const string PeriodTwoClaimText = "Real networks: period-2 oscillation of loss and sharpness at large eta";

    private const string PeriodTwoCriterion = "a late window with period 2 in both the loss and the sharpness at some eta (period doubling reported alongside)";

    private const string OrderingClaimText = "Real networks (random initialisation): c_loss <= c_sharp <= c_max in the early-training phase diagram";

    private const string OrderingCriterion = "no initialisation other than a zero readout whose critical constants contradict the ordering by more than a grid step (zero-readout ones are listed apart: from zero output the sharpness rises at every c)";

    private const string ZeroReadoutClaimText = "Real networks with a zero readout: c_loss = 2 when measured against the top NTK eigenvalue";

    private const string ZeroReadoutCriterion = "mean c_loss (against the NTK) of every zero-readout configuration within a factor 2^0.25 of 2";

    private const string FitClaimText = "Beyond the paper: the UV map fitted to a real run's early sharpness predicts the held-out sharpness";

    private const string FitCriterion = "held-out RMS relative error of the free UV fit below that of the best constant fitted on the same window";

    private const string NetCriterion = "lambda_H/(2/eta) over the last 10 measurements: mean in [0.9, 1.1], each in [0.8, 1.2], least-squares drift across the window within +-0.05 (settled, not still sharpening)";

    /// <summary>Least-squares slope times the window length: the systematic change across the values.</summary>
    internal static double Drift(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n < 2)
        {
            return double.NaN;
        }

        double meanX = (n - 1) / 2.0, meanY = values.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (i - meanX) * (values[i] - meanY);
            sxx += (i - meanX) * (i - meanX);
        }

        return sxy / sxx * (n - 1);
    }
}
