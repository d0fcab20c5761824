using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Sharpness.Experiments.Jobs;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Runs;
using Sharpness.Nets.Data;
using Sharpness.Nets.Experiments;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Runs;
using Sharpness.Runs.Limits;
using static TorchSharp.torch;

namespace Sharpness.Experiments.Nets;

/// <summary>
/// The options of <see cref="NetEarlyPhaseExperiment"/>: the network and training shared by every
/// configuration, and the grid of depths, widths, variants and seeds, the grid of c = ηλ_H(0), the
/// number of early steps and how the critical constants are searched.
/// </summary>
public sealed record NetEarlyPhaseOptions
{
    /// <summary>Default number of training examples of the command (instead of the early preset's 5,000).</summary>
    public const int DefaultTrainSize = 1000;

    private static readonly string[] KnownVariants = [.. NetworkParameterisationNames.All, "zero-readout"];

    /// <summary>
    /// The settings shared by every configuration; each sets its depth, width, parameterisation, readout and seed.
    /// (The command resolves them with the early preset, then full-batch GD, 1,000 examples, no test set and
    /// float32 Hessian products unless those options are typed.)
    /// </summary>
    public required NetworkSettings Network { get; init; }

    /// <summary>Depths (linear layers including the readout); default 2, 4, 6.</summary>
    public IReadOnlyList<int> Depths { get; init; } = [2, 4, 6];

    /// <summary>Hidden widths; default 64, 256, 1024.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [64, 256, 1024];

    /// <summary>Variants: parameterisations and zero-readout (<see cref="ParseVariants"/>); default sp.</summary>
    public IReadOnlyList<string> Variants { get; init; } = ["sp"];

    /// <summary>Initialisations per configuration: seeds <see cref="NetworkSettings.Seed"/>, +1, ...; default 2.</summary>
    public int Seeds { get; init; } = 2;

    /// <summary>Smallest c of the grid; default 0.5.</summary>
    public double CMin { get; init; } = 0.5;

    /// <summary>Largest c of the grid (the grid stops at the last 2^x not above it); default 64.</summary>
    public double CMax { get; init; } = 64;

    /// <summary>Step of x = log2 c; default 0.1.</summary>
    public double XStep { get; init; } = 0.1;

    /// <summary>Steps T per run; default 10.</summary>
    public int EarlySteps { get; init; } = 10;

    /// <summary>Bisect (default) or scan.</summary>
    public GridSearchMode Search { get; init; } = GridSearchMode.Bisect;

    /// <summary>Measure c_sharp (the only part that needs Hessian products during training); default true.</summary>
    public bool MeasureSharpness { get; init; } = true;

    /// <summary>A measurement concludes λ_H(t) ≤ λ_H(0) after at least this many products (0: only a converged one); default 8.</summary>
    public int DecideBelowAfter { get; init; } = 8;

    /// <summary>
    /// Why the Hessian products have the precision they have, as the manifest records it (<c>hvp_precision_reason</c>):
    /// the command says whether <c>--hvp-precision</c> was typed or float32 is its default; null records nothing.
    /// </summary>
    public string? HvpPrecisionReason { get; init; }

    /// <summary>
    /// Initialisations run side by side, each on one thread (<c>--jobs</c>); null (default): the cores available to the
    /// process, fewer when memory would not hold them; 1: one after another. Results are identical whatever the count.
    /// </summary>
    public int? Jobs { get; init; }

    /// <summary>The search's name, as the manifest records it.</summary>
    public string SearchName => Search == GridSearchMode.Scan ? "scan" : "bisect";

    /// <summary>Checks every value, naming the option as typed; returns the grid of c.</summary>
    /// <exception cref="InvalidOptionException">A value is invalid or a configuration exceeds the machine's limits.</exception>
    public LearningRateConstantGrid Validate()
    {
        if (Depths.Count == 0 || Widths.Count == 0)
        {
            throw new InvalidOptionException(Depths.Count == 0 ? "--depths" : "--widths", "expected a comma-separated list of integers, got nothing.");
        }

        foreach (int depth in Depths)
        {
            OptionChecks.AtLeast(depth, 1, "--depths");
        }

        foreach (int width in Widths)
        {
            OptionChecks.AtLeast(width, 1, "--widths");
        }

        if (Network.Initialisation == Initialisation.Torch && Variants.FirstOrDefault(v => Variant(v).Parameterisation is not (NetworkParameterisation.Sp or NetworkParameterisation.MuPOutput)) is { } undefined)
        {
            throw new InvalidOptionException("--init", $"torch (PyTorch's default for the standard parameterisation) is not defined for the variant {undefined}: use --init normal.");
        }

        OptionChecks.AtLeast(Seeds, 1, "--seeds");
        NetJobs.Check(Jobs, [Network]);
        OptionChecks.Count("--seeds", Seeds, MaxSeeds, "the initialisations per configuration a phase diagram can use");
        foreach (int depth in Depths)
        {
            foreach (int width in Widths)
            {
                (Network with { Depth = depth, Width = width }).CheckLimits("--widths", "--depths");
            }
        }

        var (cMin, cMax) = OptionChecks.Range(OptionChecks.Positive(CMin, "--c-min"), CMax, "--c-min", "--c-max");
        double xStep = OptionChecks.Positive(XStep, "--x-step");
        LearningRateConstantGrid grid;
        try
        {
            grid = LearningRateConstantGrid.Create(cMin, cMax, xStep);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidOptionException("--x-step", e.Message.Split(Environment.NewLine)[0]);
        }

        OptionChecks.AtLeast(EarlySteps, 1, "--early-steps");
        OptionChecks.AtLeast(DecideBelowAfter, 0, "--decide-below-after");
        CheckProbeLimits(grid.Count * (MeasureSharpness ? 2.0 : 1.0));
        return grid;
    }

    /// <summary>
    /// Refuses probes whose per-step losses (kept for every probe of every configuration) exceed the
    /// memory budget, or whose training exceeds the work limit: at most <paramref name="probes"/>
    /// probes per configuration, each <see cref="EarlySteps"/> steps of full-batch GD.
    /// </summary>
    private void CheckProbeLimits(double probes)
    {
        var (features, outputs, _) = Network.DataShape();
        double configurations = (double)Variants.Count * Seeds * Depths.Count * Widths.Count;
        double parameters = Depths.Max(depth => Widths.Max(width => NetworkSize.FullyConnected(features, outputs, depth, width, Network.Bias)));
        string value = $"{EarlySteps:N0} steps for up to {ResourceLimits.Count(probes)} probes of each of {ResourceLimits.Count(configurations)} configurations";
        OptionChecks.Memory("--early-steps", value, 16.0 * EarlySteps * probes * configurations, "the probes' per-step losses");
        OptionChecks.Operations("--early-steps", value, 6.0 * EarlySteps * probes * configurations * parameters * Math.Max(Network.TrainSize, 1), "multiply-adds");
    }

    /// <summary>Parses <c>--search</c>: bisect or scan.</summary>
    /// <param name="text">The name.</param>
    /// <exception cref="InvalidOptionException">Neither.</exception>
    public static GridSearchMode ParseSearch(string text) => OptionChecks.Choice(text, "--search", ("bisect", GridSearchMode.Bisect), ("scan", GridSearchMode.Scan));

    /// <summary>Parses <c>--variants</c>: a comma-separated list of parameterisations and zero-readout, lower-cased, without repeats.</summary>
    /// <param name="text">The list.</param>
    /// <exception cref="InvalidOptionException">A name is not a variant (<c>--variants</c>).</exception>
    public static string[] ParseVariants(string text)
    {
        string[] variants = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => v.ToLowerInvariant()).Distinct().ToArray();
        if (variants.Length == 0)
        {
            throw new InvalidOptionException("--variants", $"expected a comma-separated list of {string.Join(", ", KnownVariants)}, got nothing.");
        }

        foreach (string v in variants)
        {
            if (!KnownVariants.Contains(v))
            {
                throw new InvalidOptionException("--variants", v == "mup"
                    ? "mup is ambiguous: give mup-abc (Yang & Hu's abc form) or mup-out (Kalra & Barkeshli's fcn_mup)."
                    : $"expected {string.Join(", ", KnownVariants)}, got '{v}'.");
            }
        }

        return variants;
    }

    /// <summary>The parameterisation and readout of a variant.</summary>
    internal static (NetworkParameterisation Parameterisation, bool ZeroReadout) Variant(string name) =>
        name == "zero-readout" ? (NetworkParameterisation.Sp, true) : (NetworkNames.ParseParameterisation(name, "--variants"), false);

    internal static string Describe(EarlyProbe probe)
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

    internal static void WritePoints(RunFolder output, IReadOnlyList<NetEarlyPhaseRun> runs)
    {
        string[] columns =
        [
            "variant", "depth", "width", "seed", "kind", "grid_index", "x", "c", "c_ntk", "lr", "lambda_h0", "lambda_ntk0",
            "steps_run", "loss0", "loss_final", "max_loss_ratio", "loss_rose", "diverged", "diverged_at_step",
            "max_sharpness_ratio", "sharpness_rose", "sharpness_lower_bound", "matvecs", "seconds", "losses", "sharpness", "sharpness_residuals",
        ];
        output.WriteCsv(NetEarlyPhaseWriter.PointsFile, columns, writer =>
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

    internal static void WriteCritical(RunFolder output, IReadOnlyList<NetEarlyPhaseRun> runs)
    {
        string[] columns =
        [
            "variant", "depth", "width", "seed", "depth_over_width", "lambda_h0", "lambda_ntk0", "ntk_ratio", "output_ratio", "loss0",
            "c_loss", "c_loss_bound", "c_sharp", "c_sharp_bound", "c_max", "c_max_bound", "c_loss_ntk", "c_sharp_ntk", "c_max_ntk", "c_first_step", "c_first_step_ntk",
            "ordering", "monotonicity_violations", "runs", "matvecs", "initial_converged", "seconds",
        ];
        output.WriteCsv(NetEarlyPhaseWriter.CriticalFile, columns, writer =>
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

    internal const int MaxSeeds = 100_000;

    internal static JsonObject Configuration(NetworkSettings settings, DatasetSplits splits, int[] depths, int[] widths, string[] variants, ulong[] seeds,
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

    internal static JsonObject Results(IReadOnlyList<EarlyPhaseGroup> groups, IReadOnlyList<NetEarlyPhaseRun> runs, double seconds)
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


    internal static string Summary(IReadOnlyList<string> arguments, JsonObject configuration, IReadOnlyList<EarlyPhaseGroup> groups, IReadOnlyList<NetEarlyPhaseRun> runs, double seconds)
    {
        string Value(string key) => configuration[key]?.ToString() ?? "null";
        var text = new StringBuilder();
        text.AppendLine("# Early-training phase diagram");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine("sharpness " + string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a)));
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

/// <summary>One initialisation of a <see cref="NetEarlyPhaseExperiment"/> run: its row of the phase diagram and the searches that gave it.</summary>
/// <param name="Row">The configuration and its critical constants.</param>
/// <param name="Result">λ_H(0), λ_NTK(0), the probes and the constants.</param>
public sealed record NetEarlyPhaseRun(EarlyPhaseRow Row, EarlyPhaseResult Result);

/// <summary>A finished <see cref="NetEarlyPhaseExperiment"/> run.</summary>
/// <param name="Runs">One per initialisation, in the order variant, depth, width, seed.</param>
/// <param name="Groups">The constants' mean and spread over seeds, per configuration.</param>
/// <param name="Configuration">The manifest's configuration.</param>
/// <param name="Results">The manifest's results.</param>
/// <param name="Seed">The first seed.</param>
/// <param name="StartedUtc">When the run started.</param>
/// <param name="Seconds">Wall time of the whole run.</param>
public sealed record NetEarlyPhaseResult(IReadOnlyList<NetEarlyPhaseRun> Runs, IReadOnlyList<EarlyPhaseGroup> Groups, JsonObject Configuration, JsonObject Results, ulong Seed, DateTimeOffset StartedUtc, double Seconds)
{
    /// <summary>How many initialisations ran side by side, and why (the manifest's <c>execution</c>); null when not recorded.</summary>
    public JobPlan? Jobs { get; init; }

    /// <summary>Initialisations taken from the journal of an interrupted attempt instead of being computed.</summary>
    public int ResumedInitialisations { get; init; }

    /// <summary>The manifest's <c>execution</c>: the job plan and <c>resumed_initialisations</c>; null without a plan.</summary>
    public JsonObject? Execution()
    {
        if (Jobs is null)
        {
            return null;
        }

        var execution = Jobs.ToJson();
        execution["resumed_initialisations"] = ResumedInitialisations;
        return execution;
    }
}

/// <summary>
/// <c>net early-phase</c> as a library call: the early-training phase diagram of Kalra &amp; Barkeshli. For every
/// depth, width, variant and seed it measures λ_H(0) and λ_NTK(0) once, trains a few steps at η = c/λ_H(0) for the
/// grid values of c a search needs, and finds c_loss, c_sharp and c_max against both eigenvalues.
/// <see cref="NetEarlyPhaseWriter"/> writes it as a run folder.
/// </summary>
public static class NetEarlyPhaseExperiment
{
    /// <summary>The command, as manifests name it.</summary>
    public const string Command = "net early-phase";

    /// <summary>Runs every initialisation.</summary>
    /// <param name="options">What to run.</param>
    /// <param name="progress">
    /// Receives snapshots of task <c>net early-phase</c> in initialisations, with a message for each measurement and
    /// each probe ("[3/12] sp depth 4 width 64 seed 1: loss run c = 2.828: loss fell, ..."); null for none.
    /// </param>
    /// <param name="cancellationToken">Stops after the current probe (a few training steps).</param>
    /// <param name="journal">
    /// A journal file (<see cref="RunJournal"/>) that records every finished initialisation as it finishes, so that a
    /// run stopped part-way (Ctrl-C, SIGKILL) and started again with the same options and journal computes only the
    /// initialisations it had not finished (<see cref="NetEarlyPhaseResult.ResumedInitialisations"/>); null for none.
    /// </param>
    /// <returns>The phase diagram.</returns>
    /// <exception cref="InvalidOptionException">An option is invalid.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static NetEarlyPhaseResult Run(NetEarlyPhaseOptions options, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default, string? journal = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var grid = options.Validate();
        var started = DateTimeOffset.UtcNow;
        var settings = options.Network;
        ulong firstSeed = settings.Seed;
        ulong[] seeds = [.. Enumerable.Range(0, options.Seeds).Select(i => firstSeed + (ulong)i)];
        using var scope = NewDisposeScope();
        using var splits = settings.LoadData();
        var (train, _) = settings.ExampleSets(splits);
        var measurement = settings.Trainer.Tracking ?? new SharpnessTrackerOptions();
        var configuration = NetEarlyPhaseOptions.Configuration(settings, splits, [.. options.Depths], [.. options.Widths], [.. options.Variants], seeds, grid, options.EarlySteps, options.SearchName, options.MeasureSharpness);
        configuration["decide_below_after"] = options.DecideBelowAfter;
        if (options.HvpPrecisionReason is { } reason)
        {
            configuration["hvp_precision_reason"] = reason;
        }

        // The journal is identified by the complete configuration: another run's journal is started afresh.
        using var saved = new RunJournalFile(journal, configuration);
        var entries = saved.Entries;
        // The initialisations, in the order variant, depth, width, seed: each independent of the others, they run
        // side by side (--jobs) and are gathered by index.
        var work = (from variant in options.Variants
                    from depth in options.Depths
                    from width in options.Widths
                    from seed in seeds
                    select (Variant: variant, Depth: depth, Width: width, Seed: seed)).ToArray();
        int total = work.Length;
        var tracker = new ProgressTracker(progress, Command, total, "initialisations");
        var done = new NetEarlyPhaseRun[total];
        var toDo = new List<int>();
        for (int i = 0; i < total; i++)
        {
            if (entries.TryGetValue(i, out var entry) && ReadJournalEntry(entry) is { } earlier)
            {
                done[i] = Row(work[i], earlier);
                tracker.Advance();
            }
            else
            {
                toDo.Add(i);
            }
        }

        int resumed = total - toDo.Count;
        if (resumed > 0)
        {
            tracker.Announce(FormattableString.Invariant($"{resumed} of {total} initialisations resumed from an interrupted attempt"));
        }

        var jobs = NetJobs.Plan(options.Jobs, [.. options.Depths.SelectMany(d => options.Widths.Select(w => settings with { Depth = d, Width = w }))], toDo.Count);
        IReadOnlyList<JobRunState> states;
        try
        {
            states = new JobScheduler(jobs).Run(
                toDo.Count,
                (k, slot, token) =>
                {
                    token.ThrowIfCancellationRequested();
                    int i = toDo[k];
                    using var jobScope = NewDisposeScope();
                    var (variant, depth, width, seed) = work[i];
                    var (parameterisation, zeroReadout) = NetEarlyPhaseOptions.Variant(variant);
                    var run = settings with { Depth = depth, Width = width, Parameterisation = parameterisation, ZeroReadout = zeroReadout, Seed = seed };
                    string label = FormattableString.Invariant($"[{i + 1}/{total}] {variant} depth {depth} width {width} seed {seed}");

                    // One after another, the announcements go to the command's task; side by side, each initialisation
                    // has a task of its own under it, marked with its job, so that every running one shows.
                    var announce = slot.Job > 0 ? new ProgressTracker(slot.Progress(progress, Command), label, null, "probes") : tracker;
                    using NetworkModule model = run.BuildModel(splits.Train);
                    var experiment = new EarlyPhaseOptions
                    {
                        Grid = grid,
                        Steps = options.EarlySteps,
                        Search = options.Search,
                        MeasureSharpness = options.MeasureSharpness,
                        DecideBelowAfter = options.DecideBelowAfter == 0 ? null : options.DecideBelowAfter,
                        Trainer = run.Trainer with { Seed = seed },
                        Measurement = measurement with { Seed = seed },
                    };
                    announce.Announce($"{label}: measuring lambda_H(0) and lambda_NTK(0)");
                    var result = EarlyPhaseExperiment.Run(model, train, experiment, probe =>
                    {
                        announce.Announce($"{label}: {NetEarlyPhaseOptions.Describe(probe)}");
                        token.ThrowIfCancellationRequested();
                    });
                    announce.Announce(FormattableString.Invariant(
                        $"{label}: lambda_H(0) = {result.InitialSharpness:G5}, lambda_NTK(0) = {result.InitialNtk:G5}; c_loss {result.LossConstant}, c_sharp {result.SharpnessConstant?.ToString() ?? "not measured"}, c_max {result.MaxConstant} ({result.Probes.Count} runs, {result.Seconds:F1} s)"));
                    done[i] = Row(work[i], result);
                    saved.Append(i, WriteJournalEntry(result));
                },
                cancellationToken,
                finishedInOrder: (_, state) =>
                {
                    if (state == JobRunState.Completed)
                    {
                        tracker.Advance();
                    }
                });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An error repeats when run again: the journal this attempt began is not kept.
            saved.DiscardIfCreated();
            throw;
        }

        if (states.Any(s => s != JobRunState.Completed))
        {
            throw new OperationCanceledException(cancellationToken);
        }

        var runs = done.ToList();
        var groups = EarlyPhaseSummary.Summarise(runs.Select(r => r.Row));
        double seconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
        var results = NetEarlyPhaseOptions.Results(groups, runs, seconds);
        tracker.Complete();
        return new NetEarlyPhaseResult(runs, groups, configuration, results, firstSeed, started, seconds) { Jobs = jobs, ResumedInitialisations = resumed };
    }

    private static NetEarlyPhaseRun Row((string Variant, int Depth, int Width, ulong Seed) run, EarlyPhaseResult result) =>
        new(new EarlyPhaseRow(run.Depth, run.Width, run.Variant, run.Seed, result.InitialSharpness, result.InitialNtk, result.LossConstant, result.SharpnessConstant, result.MaxConstant)
        {
            FirstStepConstant = result.FirstStepConstant,
        }, result);

    // An initialisation's result as one journal value: its JSON (every double written so that it reads back to the
    // same bits, NaN and infinities by name) in base64, which holds no comma or line break.
    private static readonly JsonSerializerOptions JournalJson = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    internal static string WriteJournalEntry(EarlyPhaseResult result) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(result, JournalJson));

    internal static EarlyPhaseResult? ReadJournalEntry(string value)
    {
        try
        {
            return JsonSerializer.Deserialize<EarlyPhaseResult>(Convert.FromBase64String(value), JournalJson);
        }
        catch (Exception e) when (e is FormatException or JsonException or NotSupportedException)
        {
            return null; // not readable: the initialisation is computed again
        }
    }
}

/// <summary>Writes a <see cref="NetEarlyPhaseResult"/> as a run folder: points.csv, critical.csv, summary.md, phase.png/.svg and manifest.json, last.</summary>
public static class NetEarlyPhaseWriter
{
    /// <summary>One row per probe (a short training run at one c).</summary>
    public const string PointsFile = "points.csv";

    /// <summary>One row per initialisation: the critical constants against λ_H(0) and λ_NTK(0).</summary>
    public const string CriticalFile = "critical.csv";

    /// <summary>The Markdown summary (mean and spread over seeds).</summary>
    public const string SummaryFile = "summary.md";

    /// <summary>Claims the run folder (new, empty, or left by an interrupted attempt, whose journal then resumes it) before the work.</summary>
    /// <param name="path">The folder.</param>
    /// <exception cref="InvalidOptionException">It cannot take the run (<c>--out</c>).</exception>
    public static RunFolder Prepare(string path) => RunFolder.Prepare(path, [PointsFile, CriticalFile, SummaryFile, "phase.png", "phase.svg", JournalFile]);

    /// <summary>The journal of the finished initialisations while the run computes (see <see cref="NetEarlyPhaseExperiment.Run"/>); deleted before the manifest is written.</summary>
    public const string JournalFile = "early-phase.journal";

    /// <summary>The journal file in <paramref name="folder"/>, for <see cref="NetEarlyPhaseExperiment.Run"/>.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    public static string Journal(RunFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return Path.Combine(folder.Path, JournalFile);
    }

    /// <summary>Writes the run's files and its manifest; returns the files besides the manifest.</summary>
    /// <param name="folder">The folder <see cref="Prepare"/> accepted.</param>
    /// <param name="result">The phase diagram.</param>
    /// <param name="arguments">The command-line arguments the manifest and summary.md record (none for a run from code).</param>
    public static IReadOnlyList<string> Write(RunFolder folder, NetEarlyPhaseResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(result);
        arguments ??= [];
        NetEarlyPhaseOptions.WritePoints(folder, result.Runs);
        NetEarlyPhaseOptions.WriteCritical(folder, result.Runs);
        folder.WriteText(SummaryFile, NetEarlyPhaseOptions.Summary(arguments, result.Configuration, result.Groups, result.Runs, result.Seconds));
        var files = new List<string> { PointsFile, CriticalFile, SummaryFile };

        // Drawn from the manifest's values, as sharpness plot redraws it.
        files.AddRange(folder.WriteFigures(NetEarlyPhaseFigures.Render(SavedRun.Writing(folder.Path, NetEarlyPhaseExperiment.Command, result.Configuration, result.Results))));
        RunJournal.Delete(Journal(folder));
        folder.Complete(new RunRecord(NetEarlyPhaseExperiment.Command, arguments, result.Configuration, result.Seed, result.StartedUtc, result.Results, result.Execution()), files);
        return files;
    }
}
