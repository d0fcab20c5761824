using System.CommandLine;
using Sharpness.Cli.Figures;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Sharpness.Nets.Data;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Plots;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using static TorchSharp.torch;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net early-phase</c>: the early-training phase diagram of Kalra &amp; Barkeshli. For every depth,
/// width, variant (parameterisation or zero readout) and seed it measures λ_H(0) and λ_NTK(0) once, trains a few
/// steps at η = c/λ_H(0) for the grid values of c a search needs, and reports c_loss, c_sharp and c_max against
/// both eigenvalues, with their spread over seeds, a phase figure and a Markdown summary.
/// </summary>
public sealed class NetEarlyPhaseCommand
{
    /// <summary>One row per probe (a short training run at one c).</summary>
    public const string PointsFile = "points.csv";

    /// <summary>One row per initialisation: the critical constants against λ_H(0) and λ_NTK(0).</summary>
    public const string CriticalFile = "critical.csv";

    /// <summary>The Markdown summary (mean and spread over seeds).</summary>
    public const string SummaryFile = "summary.md";

    private const int DefaultTrainSize = 1000;

    private static readonly string[] KnownVariants = [.. NetworkParameterisationNames.All, "zero-readout"];

    private readonly NetOptions _net = new();
    private readonly Option<string> _depths = new("--depths") { Description = "Comma-separated depths (linear layers including the readout).", DefaultValueFactory = _ => "2,4,6" };
    private readonly Option<string> _widths = new("--widths") { Description = "Comma-separated hidden widths.", DefaultValueFactory = _ => "64,256,1024" };
    private readonly Option<string> _variants = new("--variants") { Description = "Comma-separated variants: sp, ntp, mup-abc, mup-out, small-readout (parameterisations, docs/real-networks.md) and zero-readout (SP with the readout initialised at zero).", DefaultValueFactory = _ => "sp" };
    private readonly Option<int> _seeds = new("--seeds") { Description = "Initialisations per configuration: seeds --seed, --seed+1, ...", DefaultValueFactory = _ => 2 };
    private readonly Option<double> _cMin = new("--c-min") { Description = "Smallest c = eta*lambda_H(0) of the grid.", DefaultValueFactory = _ => 0.5 };
    private readonly Option<double> _cMax = new("--c-max") { Description = "Largest c of the grid (the grid stops at the last 2^x not above it).", DefaultValueFactory = _ => 64.0 };
    private readonly Option<double> _xStep = new("--x-step") { Description = "Step of x = log2 c on the grid.", DefaultValueFactory = _ => 0.1 };
    private readonly Option<int> _earlySteps = new("--early-steps") { Description = "Steps T per run: losses and sharpness at steps 1..T are compared with their initial values.", DefaultValueFactory = _ => 10 };
    private readonly Option<string> _search = new("--search") { Description = "bisect (binary search over grid indices, about log2(grid size) runs per constant, assumes monotonicity and reports any probe that contradicts it) or scan (the definitions literally: c_loss and c_sharp scanned upwards, c_max downwards).", DefaultValueFactory = _ => "bisect" };
    private readonly Option<bool> _noSharpness = new("--no-sharpness") { Description = "Skip c_sharp (the only part that needs Hessian products during training)." };
    private readonly Option<int> _decideBelowAfter = new("--decide-below-after") { Description = "Sharpness runs: a measurement concludes lambda_H(t) <= lambda_H(0) once the top Ritz value plus its residual is below lambda_H(0), after at least this many Lanczos products; 0: only a converged measurement (--lanczos-tolerance) decides (slower).", DefaultValueFactory = _ => 8 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Run folder (new or empty) for points.csv, critical.csv, summary.md, phase.png/.svg and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the Markdown table." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetEarlyPhaseCommand();
        var command = new Command("early-phase", "Early-training phase diagram (Kalra & Barkeshli): c_loss, c_sharp and c_max of eta = c/lambda_H(0) over depths, widths, variants and seeds.");
        d._net.Add(command, d._net.Preset, d._net.Model, d._net.Depth, d._net.Width, d._net.Param, d._net.ZeroReadout, d._net.Lr, d._net.LrConstant,
            d._net.Steps, d._net.SharpnessEvery, d._net.TopK, d._net.AccuracyGoal, d._net.LossGoal, d._net.TestSize);
        foreach (Option option in new Option[] { d._depths, d._widths, d._variants, d._seeds, d._cMin, d._cMax, d._xStep, d._earlySteps, d._search, d._noSharpness, d._decideBelowAfter, d._out, d._json })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var started = DateTimeOffset.UtcNow;
        var settings = _net.Resolve(parse, "early");
        // The early preset trains with SGD; this command defaults to full-batch GD on a subset (no sampling noise
        // in the loss comparisons), to 1,000 training examples and to float32 Hessian products (the constants and
        // every decision agree with float64 ones; docs/real-networks.md). Typed options win.
        var tracking = settings.Trainer.Tracking ?? new SharpnessTrackerOptions();
        settings = settings with
        {
            Trainer = settings.Trainer with { Tracking = AnalysisOptions.IsGiven(parse, _net.HvpPrecision) ? tracking : tracking with { Precision = ScalarType.Float32 } },
        };
        settings = settings with
        {
            TrainSize = AnalysisOptions.IsGiven(parse, _net.TrainSize) ? settings.TrainSize : DefaultTrainSize,
            TestSize = 0,
            OptimizerName = AnalysisOptions.IsGiven(parse, _net.Optimizer) ? settings.OptimizerName : "gd",
            Trainer = AnalysisOptions.IsGiven(parse, _net.Optimizer) ? settings.Trainer : settings.Trainer with { Optimizer = OptimizerKind.GradientDescent },
        };
        int[] depths = NetOptions.ParseIntList(parse.GetValue(_depths)!, 1, "--depths");
        int[] widths = NetOptions.ParseIntList(parse.GetValue(_widths)!, 1, "--widths");
        string[] variants = ParseVariants(parse.GetValue(_variants)!);
        if (settings.Initialisation == Initialisation.Torch && variants.FirstOrDefault(v => Variant(v).Parameterisation is not (NetworkParameterisation.Sp or NetworkParameterisation.MuPOutput)) is { } undefined)
        {
            throw new UsageException("--init", $"torch (PyTorch's default for the standard parameterisation) is not defined for the variant {undefined}: use --init normal.");
        }

        int seedCount = OptionValues.AtLeast(parse.GetValue(_seeds), 1, "--seeds");
        ResourceLimits.RequireAtMost("--seeds", seedCount, MaxSeeds, "the initialisations per configuration a phase diagram can use");
        Array.ForEach(depths, depth => Array.ForEach(widths, width => (settings with { Depth = depth, Width = width }).CheckLimits("--widths", "--depths")));
        var (cMin, cMax) = OptionValues.Range(OptionValues.Positive(parse.GetValue(_cMin), "--c-min"), parse.GetValue(_cMax), "--c-min", "--c-max");
        double xStep = OptionValues.Positive(parse.GetValue(_xStep), "--x-step");
        LearningRateConstantGrid grid;
        try
        {
            grid = LearningRateConstantGrid.Create(cMin, cMax, xStep);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new UsageException("--x-step", e.Message.Split(Environment.NewLine)[0]);
        }

        int earlySteps = OptionValues.AtLeast(parse.GetValue(_earlySteps), 1, "--early-steps");
        string searchName = parse.GetValue(_search)!.ToLowerInvariant();
        var search = searchName switch
        {
            "bisect" => GridSearchMode.Bisect,
            "scan" => GridSearchMode.Scan,
            _ => throw new UsageException("--search", $"expected bisect or scan, got '{searchName}'."),
        };
        bool measureSharpness = !parse.GetValue(_noSharpness);
        int decideBelowAfter = OptionValues.AtLeast(parse.GetValue(_decideBelowAfter), 0, "--decide-below-after");
        CheckProbeLimits(settings, depths, widths, variants.Length * seedCount, grid.Count * (measureSharpness ? 2.0 : 1.0), earlySteps);
        ulong firstSeed = settings.Seed;
        ulong[] seeds = Enumerable.Range(0, seedCount).Select(i => firstSeed + (ulong)i).ToArray();

        var output = RunOutput.Prepare(parse.GetValue(_out)!, [PointsFile, CriticalFile, SummaryFile, "phase.png", "phase.svg"]);
        using var scope = NewDisposeScope();
        var splits = settings.LoadData();
        var (train, _) = settings.ExampleSets(splits);
        var measurement = settings.Trainer.Tracking ?? new SharpnessTrackerOptions();
        var runs = new List<(EarlyPhaseRow Row, EarlyPhaseResult Result)>();
        int total = variants.Length * depths.Length * widths.Length * seeds.Length, done = 0;
        foreach (string variant in variants)
        {
            foreach (int depth in depths)
            {
                foreach (int width in widths)
                {
                    foreach (ulong seed in seeds)
                    {
                        var (parameterisation, zeroReadout) = Variant(variant);
                        var run = settings with { Depth = depth, Width = width, Parameterisation = parameterisation, ZeroReadout = zeroReadout, Seed = seed };
                        string label = FormattableString.Invariant($"[{++done}/{total}] {variant} depth {depth} width {width} seed {seed}");
                        using NetworkModule model = run.BuildModel(splits.Train);
                        var options = new EarlyPhaseOptions
                        {
                            Grid = grid,
                            Steps = earlySteps,
                            Search = search,
                            MeasureSharpness = measureSharpness,
                            DecideBelowAfter = decideBelowAfter == 0 ? null : decideBelowAfter,
                            Trainer = run.Trainer with { Seed = seed },
                            Measurement = measurement with { Seed = seed },
                        };
                        context.Error.WriteLine($"{label}: measuring lambda_H(0) and lambda_NTK(0)");
                        var result = EarlyPhaseExperiment.Run(model, train, options, probe => context.Error.WriteLine($"{label}: {Describe(probe)}"));
                        var row = new EarlyPhaseRow(depth, width, variant, seed, result.InitialSharpness, result.InitialNtk, result.LossConstant, result.SharpnessConstant, result.MaxConstant)
                        {
                            FirstStepConstant = result.FirstStepConstant,
                        };
                        context.Error.WriteLine(FormattableString.Invariant(
                            $"{label}: lambda_H(0) = {result.InitialSharpness:G5}, lambda_NTK(0) = {result.InitialNtk:G5}; c_loss {result.LossConstant}, c_sharp {result.SharpnessConstant?.ToString() ?? "not measured"}, c_max {result.MaxConstant} ({result.Probes.Count} runs, {result.Seconds:F1} s)"));
                        runs.Add((row, result));
                    }
                }
            }
        }

        var groups = EarlyPhaseSummary.Summarise(runs.Select(r => r.Row));
        WritePoints(output, runs);
        WriteCritical(output, runs);
        double seconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
        var configuration = Configuration(settings, splits, depths, widths, variants, seeds, grid, earlySteps, searchName, measureSharpness);
        configuration["decide_below_after"] = decideBelowAfter;
        output.WriteText(SummaryFile, Summary(context, configuration, groups, runs, seconds));
        var files = new List<string> { PointsFile, CriticalFile, SummaryFile };
        var results = Results(groups, runs, seconds);

        // Drawn from the manifest's values, as sharpness plot redraws it.
        files.AddRange(output.WriteFigures(NetEarlyPhaseFigures.Render(SavedRun.Writing(output.Path, "net early-phase", configuration, results))));
        output.Complete("net early-phase", context, configuration, firstSeed, started, results, files);

        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = configuration.DeepClone(), ["results"] = results.DeepClone(), ["out"] = output.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            context.Output.Write(EarlyPhaseSummary.ToMarkdown(groups));
            context.Output.WriteLine(FormattableString.Invariant($"{Words.Count(runs.Count, "initialisation")}, {Words.Count(runs.Sum(r => r.Result.Probes.Count), "training run")} in {seconds:F0} s; wrote {string.Join(", ", files)} and manifest.json in {output.Path}"));
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Refuses probes whose per-step losses (kept for every probe of every configuration) exceed the
    /// memory budget, or whose training exceeds the work limit: at most <paramref name="probes"/>
    /// probes per configuration, each <paramref name="earlySteps"/> steps of full-batch GD.
    /// </summary>
    private static void CheckProbeLimits(NetSettings settings, int[] depths, int[] widths, double runsPerShape, double probes, int earlySteps)
    {
        var (features, outputs, _) = settings.DataShape();
        double configurations = runsPerShape * depths.Length * widths.Length;
        double parameters = depths.Max(depth => widths.Max(width => NetworkSize.FullyConnected(features, outputs, depth, width, settings.Bias)));
        string value = $"{earlySteps:N0} steps for up to {ResourceLimits.Count(probes)} probes of each of {ResourceLimits.Count(configurations)} configurations";
        ResourceLimits.RequireMemory("--early-steps", value, 16.0 * earlySteps * probes * configurations, "the probes' per-step losses");
        ResourceLimits.RequireOperations("--early-steps", value, 6.0 * earlySteps * probes * configurations * parameters * Math.Max(settings.TrainSize, 1), "multiply-adds");
    }

    private static string[] ParseVariants(string text)
    {
        string[] variants = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => v.ToLowerInvariant()).Distinct().ToArray();
        if (variants.Length == 0)
        {
            throw new UsageException("--variants", $"expected a comma-separated list of {string.Join(", ", KnownVariants)}, got nothing.");
        }

        foreach (string v in variants)
        {
            if (!KnownVariants.Contains(v))
            {
                throw new UsageException("--variants", v == "mup"
                    ? "mup is ambiguous: give mup-abc (Yang & Hu's abc form) or mup-out (Kalra & Barkeshli's fcn_mup)."
                    : $"expected {string.Join(", ", KnownVariants)}, got '{v}'.");
            }
        }

        return variants;
    }

    private static (NetworkParameterisation Parameterisation, bool ZeroReadout) Variant(string name) =>
        name == "zero-readout" ? (NetworkParameterisation.Sp, true) : (NetOptions.ParseParameterisation(name, "--variants"), false);

    private static string Describe(EarlyProbe probe)
    {
        string outcome = probe.Diverged ? $"diverged at step {probe.DivergedAtStep}"
            : probe.LossRose ? "loss rose" : "loss fell";
        string sharpness = probe.SharpnessRose is bool rose
            ? FormattableString.Invariant($", sharpness {(rose ? "rose" : "did not rise")} (max lambda_H/lambda_H(0) {probe.MaxSharpnessRatio:G4}, {probe.Matvecs} products)")
            : string.Empty;
        return FormattableString.Invariant($"{probe.Kind.ToString().ToLowerInvariant()} run c = {probe.C:G4}: {outcome}, max L/L0 {probe.MaxLossRatio:G4}{sharpness} ({probe.Seconds:F1} s)");
    }

    private static string Text(double x) => CsvTable.Format(x);

    private static string Trajectory(IEnumerable<double> values) => string.Join(';', values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));

    private static void WritePoints(RunOutput output, List<(EarlyPhaseRow Row, EarlyPhaseResult Result)> runs)
    {
        string[] columns =
        [
            "variant", "depth", "width", "seed", "kind", "grid_index", "x", "c", "c_ntk", "lr", "lambda_h0", "lambda_ntk0",
            "steps_run", "loss0", "loss_final", "max_loss_ratio", "loss_rose", "diverged", "diverged_at_step",
            "max_sharpness_ratio", "sharpness_rose", "sharpness_lower_bound", "matvecs", "seconds", "losses", "sharpness", "sharpness_residuals",
        ];
        output.WriteCsv(PointsFile, columns, writer =>
        {
            foreach (var (row, result) in runs)
            {
                foreach (var p in result.Probes)
                {
                    writer.WriteRow(
                    [
                        row.Variant, I(row.Depth), I(row.Width), row.Seed.ToString(CultureInfo.InvariantCulture), p.Kind.ToString().ToLowerInvariant(),
                        I(p.GridIndex), Text(Math.Round(Math.Log2(p.C), 10)), Text(p.C), Text(p.C * result.NtkRatio), Text(p.LearningRate), Text(result.InitialSharpness), Text(result.InitialNtk),
                        I(p.StepsRun), Text(p.Losses[0]), Text(p.Losses[^1]), Text(p.MaxLossRatio), B(p.LossRose), B(p.Diverged), p.DivergedAtStep is int s ? I(s) : string.Empty,
                        Text(p.MaxSharpnessRatio), p.SharpnessRose is bool r ? B(r) : string.Empty, B(p.SharpnessLowerBound.Any(x => x)), I(p.Matvecs), Text(p.Seconds),
                        Trajectory(p.Losses), p.Kind == EarlyProbeKind.Sharpness ? Trajectory(p.Sharpness) : string.Empty,
                        p.Kind == EarlyProbeKind.Sharpness ? Trajectory(p.SharpnessResiduals) : string.Empty,
                    ]);
                }
            }
        });
    }

    private static void WriteCritical(RunOutput output, List<(EarlyPhaseRow Row, EarlyPhaseResult Result)> runs)
    {
        string[] columns =
        [
            "variant", "depth", "width", "seed", "depth_over_width", "lambda_h0", "lambda_ntk0", "ntk_ratio", "output_ratio", "loss0",
            "c_loss", "c_loss_bound", "c_sharp", "c_sharp_bound", "c_max", "c_max_bound", "c_loss_ntk", "c_sharp_ntk", "c_max_ntk", "c_first_step", "c_first_step_ntk",
            "ordering", "monotonicity_violations", "runs", "matvecs", "initial_converged", "seconds",
        ];
        output.WriteCsv(CriticalFile, columns, writer =>
        {
            foreach (var (row, result) in runs)
            {
                var sharp = row.SharpnessConstant;
                writer.WriteRow(
                [
                    row.Variant, I(row.Depth), I(row.Width), row.Seed.ToString(CultureInfo.InvariantCulture), Text(row.DepthOverWidth),
                    Text(result.InitialSharpness), Text(result.InitialNtk), Text(result.NtkRatio), Text(result.OutputRatio), Text(result.InitialLoss),
                    Text(row.LossConstant.Value), row.LossConstant.Relation, sharp is null ? "nan" : Text(sharp.Value), sharp?.Relation ?? string.Empty,
                    Text(row.MaxConstant.Value), row.MaxConstant.Relation,
                    Text(row.LossConstant.Value * result.NtkRatio), sharp is null ? "nan" : Text(sharp.Value * result.NtkRatio), Text(row.MaxConstant.Value * result.NtkRatio),
                    Text(result.FirstStepConstant), Text(result.FirstStepConstant * result.NtkRatio),
                    OrderingName(row.Ordering), string.Join("; ", result.MonotonicityViolations), I(result.Probes.Count),
                    I(result.InitialMatvecs + result.Probes.Sum(p => p.Matvecs)), B(result.InitialConverged), Text(result.Seconds),
                ]);
            }
        });
    }

    private static string OrderingName(OrderingStatus status) => status switch
    {
        OrderingStatus.Holds => "holds",
        OrderingStatus.HoldsWithinGridStep => "holds-within-grid-step",
        OrderingStatus.Fails => "fails",
        _ => "undetermined",
    };

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string B(bool value) => value ? "true" : "false";

    private const int MaxSeeds = 100_000;

    private static JsonObject Configuration(NetSettings settings, DatasetSplits splits, int[] depths, int[] widths, string[] variants, ulong[] seeds,
        LearningRateConstantGrid grid, int earlySteps, string search, bool sharpness)
    {
        var configuration = settings.Configuration(splits, null);
        foreach (string key in new[] { "model", "depth", "width", "param", "zero_readout", "lr", "lr_constant", "steps", "accuracy_goal", "loss_goal", "sharpness_every", "top_k", "test_size" })
        {
            configuration.Remove(key);
        }

        configuration["depths"] = new JsonArray(depths.Select(d => (JsonNode?)d).ToArray());
        configuration["widths"] = new JsonArray(widths.Select(w => (JsonNode?)w).ToArray());
        configuration["variants"] = new JsonArray(variants.Select(v => (JsonNode?)v).ToArray());
        configuration["seeds"] = new JsonArray(seeds.Select(s => (JsonNode?)s).ToArray());
        configuration["c_min"] = grid[0];
        configuration["c_max"] = grid[grid.Count - 1];
        configuration["x_step"] = grid.ExponentStep;
        configuration["grid_points"] = grid.Count;
        configuration["early_steps"] = earlySteps;
        configuration["search"] = search;
        configuration["c_sharp_measured"] = sharpness;
        configuration["definitions"] = "eta = c/lambda_H(0); c_loss: smallest grid c whose training loss at some step 1..T exceeds the initial loss; c_sharp: smallest grid c whose lambda_H at some step 1..T exceeds lambda_H(0); c_max: largest grid c whose loss stays finite and <= 1e5 for T steps; c_NTK = eta*lambda_NTK(0) = c*lambda_NTK(0)/lambda_H(0), lambda_NTK(0) the top eigenvalue of the Gauss-Newton matrix on the loss's scale";
        return configuration;
    }

    private static JsonObject Results(IReadOnlyList<EarlyPhaseGroup> groups, List<(EarlyPhaseRow Row, EarlyPhaseResult Result)> runs, double seconds)
    {
        JsonObject Spread(SeedSpread s) => new() { ["mean"] = JsonOutput.Number(s.Mean), ["min"] = JsonOutput.Number(s.Min), ["max"] = JsonOutput.Number(s.Max), ["bound"] = s.Relation };
        JsonObject Constants((SeedSpread Loss, SeedSpread Sharpness, SeedSpread Max) c) => new() { ["c_loss"] = Spread(c.Loss), ["c_sharp"] = Spread(c.Sharpness), ["c_max"] = Spread(c.Max) };
        return new JsonObject
        {
            ["initialisations"] = runs.Count,
            ["training_runs"] = runs.Sum(r => r.Result.Probes.Count),
            ["matvecs"] = runs.Sum(r => r.Result.InitialMatvecs + r.Result.Probes.Sum(p => p.Matvecs)),
            ["seconds"] = seconds,
            ["ordering_holds"] = runs.Count(r => r.Row.Ordering == OrderingStatus.Holds),
            ["ordering_within_grid_step"] = runs.Count(r => r.Row.Ordering == OrderingStatus.HoldsWithinGridStep),
            ["ordering_fails"] = runs.Count(r => r.Row.Ordering == OrderingStatus.Fails),
            ["ordering_undetermined"] = runs.Count(r => r.Row.Ordering == OrderingStatus.Undetermined),
            ["monotonicity_violations"] = runs.Sum(r => r.Result.MonotonicityViolations.Count),
            ["groups"] = new JsonArray(groups.Select(g => (JsonNode?)new JsonObject
            {
                ["variant"] = g.Variant,
                ["depth"] = g.Depth,
                ["width"] = g.Width,
                ["seeds"] = g.Seeds,
                ["lambda_h0"] = Spread(g.InitialSharpness),
                ["ntk_ratio"] = Spread(g.NtkRatio),
                ["against_lambda_h"] = Constants(g.AgainstHessian),
                ["against_ntk"] = Constants(g.AgainstNtk),
                ["c_first_step_ntk"] = Spread(g.FirstStepNtk),
                ["ordering_holds"] = g.Ordering.Holds,
                ["ordering_within_grid_step"] = g.Ordering.WithinGridStep,
                ["ordering_fails"] = g.Ordering.Fails,
                ["ordering_undetermined"] = g.Ordering.Undetermined,
            }).ToArray()),
        };
    }

    private static string Summary(CliContext context, JsonObject configuration, IReadOnlyList<EarlyPhaseGroup> groups, List<(EarlyPhaseRow Row, EarlyPhaseResult Result)> runs, double seconds)
    {
        string Value(string key) => configuration[key]?.ToString() ?? "null";
        var text = new StringBuilder();
        text.AppendLine("# Early-training phase diagram");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine("sharpness " + string.Join(' ', context.Arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)));
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{Value("dataset")}, {Value("train_size")} training examples, {Value("optimizer")}{(Value("optimizer") == "sgd" ? $" (batch {Value("batch_size")})" : " (full batch)")}, loss {Value("loss")} ({Value("loss_convention")}), {Value("activation")}, bias {Value("bias")}, training in {Value("dtype")}, Hessian products in {Value("hvp_precision")} on the first {Math.Min((int)configuration["measure_size"]!, (int)configuration["train_size"]!)} training examples."));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"η = c/λ_H(0), c = 2^x from {Value("c_min")} to {Value("c_max")} in steps of {Value("x_step")} in x ({Value("grid_points")} values), T = {Value("early_steps")} steps, search {Value("search")}."));
        text.AppendLine("λ_H(0): top Hessian eigenvalue of the training loss; λ_NTK(0): top eigenvalue of the Gauss–Newton matrix (the NTK on the loss's scale), both by Lanczos on the measurement set. "
            + "c_loss: smallest c whose loss at some step 1..T exceeds the initial loss; c_sharp: smallest c whose λ_H at some step 1..T exceeds λ_H(0); c_max: largest c that does not diverge (loss > 1e5 or not finite). "
            + "Against the NTK, c_NTK = η λ_NTK(0) = c λ_NTK(0)/λ_H(0). c₁ = 2λ_H(0)|g|²/gᵀHg: where the second-order model of the first step starts to raise the loss (exact for a zero readout; not on the grid). "
            + "Entries are mean [min, max] over seeds; `<=`/`>=` mark values bounded by the end of the grid.");
        text.AppendLine();
        text.Append(EarlyPhaseSummary.ToMarkdown(groups));
        text.AppendLine();
        int Count(OrderingStatus status) => runs.Count(r => r.Row.Ordering == status);
        int violations = runs.Sum(r => r.Result.MonotonicityViolations.Count);
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"c_loss ≤ c_sharp ≤ c_max holds for {Count(OrderingStatus.Holds)} of {runs.Count} initialisations, within one grid step (a factor 2^{Value("x_step")}) for {Count(OrderingStatus.HoldsWithinGridStep)}, "
            + $"fails for {Count(OrderingStatus.Fails)}, undecided (a constant outside the grid) for {Count(OrderingStatus.Undetermined)}. "
            + $"Probes contradicting monotonicity: {violations}. {runs.Sum(r => r.Result.Probes.Count)} training runs, "
            + $"{runs.Sum(r => r.Result.InitialMatvecs + r.Result.Probes.Sum(p => p.Matvecs))} Hessian/Gauss–Newton products, {seconds:F0} s."));
        return text.ToString();
    }
}
