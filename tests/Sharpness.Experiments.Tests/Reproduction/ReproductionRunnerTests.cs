using System.Text.Json.Nodes;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Reproduction;
using Sharpness.Experiments.Runs;
using Sharpness.Experiments.Tests.TestSupport;
using Sharpness.Runs;

namespace Sharpness.Experiments.Tests.Reproduction;

/// <summary>
/// The reproduction as a library call, its experiments run by a scripted runner (no command line): what runs and in
/// which order, the folder a cancelled or failed attempt leaves and its resumption, and the claims measured from the
/// runs' outputs, each checked against a computation of its own.
/// </summary>
public sealed class ReproductionRunnerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));

    private ReproductionOptions Options => new() { Folder = Path.Combine(_root, "out"), Quick = true, NoNet = true, Jobs = 1 };

    // The UV experiments of the list, longest expected first at the quick sizes, ties in the list's order (ReproductionPlan.StartOrder's rule).
    private static string[] ExpectedOrder =>
        [.. ExperimentList.All.Where(e => !e.RealNetwork).Select((e, i) => (e, i)).OrderBy(p => -p.e.ExpectedSeconds(true)).ThenBy(p => p.i).Select(p => p.e.Name)];

    [Fact]
    public void RunsEveryUvExperimentLongestFirstMeasuresTheClaimsAndWritesTheFolder()
    {
        var experiments = new ScriptedExperiments();
        var recorder = new Recorder<ExperimentProgress>();

        var result = new ReproductionRunner(experiments).Run(Options, recorder);

        Assert.True(result.Complete);
        Assert.False(result.Resumed);
        Assert.Equal(ExpectedOrder, experiments.Calls);
        Assert.Equal(ExperimentList.All.Where(e => !e.RealNetwork).Select(e => e.Name), result.Runs.Select(r => r.Run.Experiment.Name));
        Assert.All(result.Runs, r => Assert.Equal(ReproductionRunStatus.Done, r.Status));
        Assert.All(result.Runs, r => Assert.Equal([.. r.Run.Arguments, "--out", Path.Combine(Options.Folder, r.Run.Experiment.Name)], experiments.Arguments[r.Run.Experiment.Name]));

        // The claims: the chaos claim from the exponent the scripted Lyapunov run recorded, the real-network ones skipped.
        var byId = result.Claims.ToDictionary(c => c.Id);
        Assert.Equal(ClaimCatalog.All.Select(c => c.Id), result.Claims.Select(c => c.Id));
        Assert.Equal((Verdict.Reproduced, 0.336), (byId["uv-chaos"].Verdict, byId["uv-chaos"].Measured!.GetValue<double>()));
        Assert.All(result.Claims.Where(c => c.Id.StartsWith("net-", StringComparison.Ordinal)), c => Assert.Equal((Verdict.NotDecided, "experiment skipped: --no-net"), (c.Verdict, c.Reason)));

        // claims.json is what the catalogue measures on the folder directly; plan.json the plan's.
        string folder = Options.Folder;
        var skipped = ExperimentList.All.Where(e => e.RealNetwork).ToDictionary(e => e.Name, _ => "--no-net");
        var direct = ClaimCatalog.Evaluate(new ReproductionRuns(folder, skipped)).Select(ClaimRecord.From).ToArray();
        Assert.Equal(ClaimsDocument.Text(direct, quick: true), File.ReadAllText(Path.Combine(folder, ClaimsDocument.FileName)));
        Assert.Equal(ReproductionPlan.Create(Options).ToJson().ToJsonString(JsonOutput.Options) + "\n", File.ReadAllText(Path.Combine(folder, ReproductionPlan.PlanFile)));
        Assert.True(RunDirectory.HoldsCompleteRun(folder));
        foreach (string file in ReproductionWriter.Files)
        {
            Assert.True(File.Exists(Path.Combine(folder, file)), file);
        }

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, RunDirectory.ManifestFileName)))!;
        Assert.Equal(result.Runs.Select(r => r.Run.Experiment.Name), manifest["results"]!["runs"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
        var overall = recorder.Items.Where(s => s.Task == ReproductionRunner.Task).ToArray();
        Assert.Equal((14L, 14L, "experiments"), (overall[^1].Completed, overall[^1].Total!.Value, overall[^1].Unit));
        Assert.Contains(recorder.Items, s => s.Task == "reproduce/orbit/scripted");
    }

    [Fact]
    public void ACancelledReproductionKeepsItsFinishedRunsAndAResumeRunsOnlyTheRest()
    {
        using var cancellation = new CancellationTokenSource();
        var experiments = new ScriptedExperiments { CancelAt = (4, cancellation) };

        var interrupted = new ReproductionRunner(experiments).Run(Options, null, cancellation.Token);

        Assert.True(interrupted.Interrupted);
        Assert.Empty(interrupted.Claims);
        string[] order = ExpectedOrder;
        var status = interrupted.Runs.ToDictionary(r => r.Run.Experiment.Name, r => r.Status);
        Assert.Equal(order.Select((name, k) => k < 3 ? ReproductionRunStatus.Done : k == 3 ? ReproductionRunStatus.Interrupted : ReproductionRunStatus.NotStarted), order.Select(n => status[n]));
        Assert.False(File.Exists(Path.Combine(Options.Folder, RunDirectory.ManifestFileName)));
        Assert.False(File.Exists(Path.Combine(Options.Folder, ClaimsDocument.FileName)));
        Assert.Equal(order.Take(3).Order(), Directory.GetDirectories(Options.Folder).Where(RunDirectory.HoldsCompleteRun).Select(Path.GetFileName).Order());

        var resumedRuns = new ScriptedExperiments();
        var notices = new List<ReproductionNotice>();
        var runner = new ReproductionRunner(resumedRuns);
        runner.Notice += (_, n) => notices.Add(n);
        var resumed = runner.Run(Options);

        Assert.True(resumed.Complete && resumed.Resumed);
        Assert.Equal(order.Skip(3), resumedRuns.Calls);
        Assert.Equal($"resuming the interrupted reproduction in {Options.Folder}: 3 of 14 runs complete, kept", notices[0].Message);
        Assert.Equal(order.Take(3).Order(), resumed.Runs.Where(r => r.Status == ReproductionRunStatus.Kept).Select(r => r.Run.Experiment.Name).Order());
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Options.Folder, RunDirectory.ManifestFileName)))!;
        Assert.Equal(3, manifest["results"]!["runs"]!.AsArray().Count(r => r!["kept_from_earlier_attempt"]!.GetValue<bool>()));
    }

    [Fact]
    public void AFailedExperimentStopsTheReproductionBeforeTheClaims()
    {
        string failing = ExpectedOrder[5];
        var experiments = new ScriptedExperiments { FailAt = failing };

        var result = new ReproductionRunner(experiments).Run(Options);

        Assert.False(result.Complete);
        Assert.Equal((failing, 7, "scripted failure"), (result.Failure!.Run.Experiment.Name, result.Failure.Failure!.Code, result.Failure.Failure.Reason));
        Assert.Equal(ExpectedOrder.Take(6), experiments.Calls);
        Assert.Empty(result.Claims);
        Assert.False(File.Exists(Path.Combine(Options.Folder, ClaimsDocument.FileName)));

        var again = Assert.Throws<InvalidOptionException>(() => new ReproductionRunner(new ScriptedExperiments()).Run(Options with { Quick = false }));
        Assert.Equal("--out", again.Option);
        Assert.Contains("holds an interrupted reproduction with other settings (quick", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExperimentInPartsRunsEachPartAsAUnitThenItselfAfterTheLastInTheSameJob()
    {
        var options = FullWithNetworks(jobs: 1);
        var experiments = new ScriptedExperiments();
        var notices = new List<ReproductionNotice>();
        var runner = new ReproductionRunner(experiments);
        runner.Notice += (_, n) => notices.Add(n);

        var result = runner.Run(options);

        Assert.True(result.Complete);
        var eos = ExperimentList.Named(ExperimentList.NetEos);
        Assert.Equal(2, eos.FullShards);
        // Each part carries half of the experiment's time: they start after net predict and before net fit-uv, and the
        // experiment itself runs right after its last part (one job: in that order).
        var (predict, fitUv) = (ExperimentList.Named(ExperimentList.NetPredict), ExperimentList.Named(ExperimentList.NetFitUv));
        Assert.True(predict.FullSeconds > eos.FullSeconds / 2 && eos.FullSeconds / 2 > fitUv.FullSeconds);
        string[] first = [ExperimentList.NetPredict, "net-eos (part 0/2)", "net-eos (part 1/2)", "net-eos", ExperimentList.NetFitUv];
        Assert.Equal(first, experiments.Calls.Take(5));
        Assert.Equal(ExperimentList.All.Count + 2, experiments.Calls.Count);
        string folder = Path.Combine(options.Folder, ExperimentList.NetEos);
        var planned = result.Runs.Single(r => r.Run.Experiment.Name == ExperimentList.NetEos).Run;
        Assert.Null(planned.Shard);
        Assert.Equal([.. planned.Arguments, "--shard", "0/2", "--out", folder], experiments.Arguments["net-eos (part 0/2)"]);
        Assert.Equal([.. planned.Arguments, "--shard", "1/2", "--out", folder], experiments.Arguments["net-eos (part 1/2)"]);
        Assert.Equal([.. planned.Arguments, "--out", folder], experiments.Arguments["net-eos"]);
        Assert.Contains(notices, n => n.Kind == ReproductionNoticeKind.PartDone && n.Message.Contains("net-eos, part 1 of 2: done in ", StringComparison.Ordinal));
        Assert.Single(notices, n => n.Kind == ReproductionNoticeKind.Done && n.Message.Contains(" net-eos: done in ", StringComparison.Ordinal));

        // The experiment's seconds count its parts' too; plan.json records the parts.
        var outcome = result.Runs.Single(r => r.Run.Experiment.Name == ExperimentList.NetEos);
        Assert.Equal(ReproductionRunStatus.Done, outcome.Status);
        Assert.True(outcome.Seconds >= 3 * ScriptedExperiments.Pause.TotalSeconds, $"{outcome.Seconds} s");
        var plan = JsonNode.Parse(File.ReadAllText(Path.Combine(options.Folder, ReproductionPlan.PlanFile)))!;
        Assert.Equal(2, plan["experiments"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == ExperimentList.NetEos)!["parts"]!.GetValue<int>());
        Assert.True(RunDirectory.HoldsCompleteRun(Path.Combine(folder, "part-0")) && RunDirectory.HoldsCompleteRun(Path.Combine(folder, "part-1")));
    }

    [Fact]
    public void OnTwoJobsThePartsRunSideBySideAndTheExperimentAfterBoth()
    {
        // The two parts meet at a barrier: they pass it only when both run at once.
        using var barrier = new Barrier(2);
        var experiments = new ScriptedExperiments { PartBarrier = barrier };

        var result = new ReproductionRunner(experiments).Run(FullWithNetworks(jobs: 2));

        Assert.True(result.Complete);
        Assert.Equal(2, result.Jobs.Used);
        int whole = experiments.Calls.IndexOf(ExperimentList.NetEos);
        Assert.True(experiments.Ended.IndexOf("net-eos (part 0/2)") < experiments.Started.IndexOf(ExperimentList.NetEos));
        Assert.True(experiments.Ended.IndexOf("net-eos (part 1/2)") < experiments.Started.IndexOf(ExperimentList.NetEos));
        Assert.True(whole > 1);
    }

    [Fact]
    public void AnInterruptedPartLeavesTheExperimentIncompleteAndAResumeRunsItsPartsAgain()
    {
        using var cancellation = new CancellationTokenSource();
        var options = FullWithNetworks(jobs: 1);
        // net predict runs first, then net eos's first part, and the second part is cancelled.
        var experiments = new ScriptedExperiments { CancelAt = (3, cancellation) };

        var interrupted = new ReproductionRunner(experiments).Run(options, null, cancellation.Token);

        Assert.True(interrupted.Interrupted);
        Assert.Equal([ExperimentList.NetPredict, "net-eos (part 0/2)", "net-eos (part 1/2)"], experiments.Calls);
        Assert.Equal(ReproductionRunStatus.Interrupted, interrupted.Runs.Single(r => r.Run.Experiment.Name == ExperimentList.NetEos).Status);
        string folder = Path.Combine(options.Folder, ExperimentList.NetEos);
        Assert.False(RunDirectory.HoldsCompleteRun(folder));
        Assert.True(RunDirectory.HoldsCompleteRun(Path.Combine(folder, "part-0")));

        // The experiment's folder is the toolkit's own, left in place: its finished part is there for the command to reuse;
        // net predict is kept.
        var again = new ScriptedExperiments();
        var resumed = new ReproductionRunner(again).Run(options);

        Assert.True(resumed.Complete && resumed.Resumed);
        Assert.Equal(["net-eos (part 0/2)", "net-eos (part 1/2)", "net-eos"], again.Calls.Take(3));
        Assert.Equal(1, again.PartsReused);
        Assert.DoesNotContain(Directory.GetDirectories(options.Folder), d => RunDirectory.IsSetAside(Path.GetFileName(d)));
    }

    // The full sizes with the real-network part (its experiments scripted too; only the dataset's headers are read).
    private ReproductionOptions FullWithNetworks(int jobs)
    {
        Assert.True(Directory.Exists(ReproductionOptions.DefaultDataDir), "Fashion-MNIST is not installed; scripts/setup.sh installs it (apt-get install dataset-fashion-mnist).");
        return Options with { Quick = false, NoNet = false, Jobs = jobs };
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Writes each experiment's run folder by hand: a manifest, and for the Lyapunov runs the exponents the chaos claim reads.</summary>
    private sealed class ScriptedExperiments : IReproductionExperimentRunner
    {
        public List<string> Calls { get; } = [];

        public Dictionary<string, string[]> Arguments { get; } = [];

        public (int Call, CancellationTokenSource Source)? CancelAt { get; init; }

        public string? FailAt { get; init; }

        /// <summary>How long each net-eos call takes, so that its seconds are measurable.</summary>
        public static TimeSpan Pause { get; } = TimeSpan.FromMilliseconds(50);

        public List<string> Started { get; } = [];

        public List<string> Ended { get; } = [];

        public Barrier? PartBarrier { get; init; }

        public int PartsReused { get; private set; }

        public ReproductionExperimentFailure? Run(PlannedRun run, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
        {
            string name = run.Shard is { } part ? $"{run.Experiment.Name} (part {part.Index}/{part.Count})" : run.Experiment.Name;
            lock (Calls)
            {
                Calls.Add(name);
                Started.Add(name);
                Arguments[name] = run.ArgumentsWithOut;
            }

            try
            {
                return RunScripted(run, name, progress, cancellationToken);
            }
            finally
            {
                lock (Calls)
                {
                    Ended.Add(name);
                }
            }
        }

        // A part writes its own complete sub-folder under a shared claim (as net eos --shard does) and reuses a complete one.
        private ReproductionExperimentFailure? RunPart(PlannedRun run, (int Index, int Count) part, CancellationToken cancellationToken)
        {
            Thread.Sleep(Pause);
            using var shared = RunFolder.PrepareShared(run.Folder, ["lyapunov.csv", "part-0", "part-1"]);
            string sub = Path.Combine(run.Folder, $"part-{part.Index}");
            if (RunDirectory.HoldsCompleteRun(sub))
            {
                PartsReused++;
                return null;
            }

            if (PartBarrier is { } barrier && !barrier.SignalAndWait(TimeSpan.FromSeconds(60), cancellationToken))
            {
                return new ReproductionExperimentFailure(8, "the other part did not run at the same time");
            }

            if (CancelAt is { } cancel && Calls.Count == cancel.Call)
            {
                cancel.Source.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }

            using var folder = RunFolder.Prepare(sub, []);
            folder.Complete(new RunRecord("scripted part", [], new JsonObject(), 0, DateTimeOffset.UtcNow, new JsonObject()), []);
            return null;
        }

        private ReproductionExperimentFailure? RunScripted(PlannedRun run, string name, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
        {
            if (run.Shard is { } part)
            {
                return RunPart(run, part, cancellationToken);
            }

            if (name == ExperimentList.NetEos)
            {
                Thread.Sleep(Pause);
            }

            progress?.Report(new ExperimentProgress { Task = "scripted", Completed = 1, Total = 1, Unit = "steps" });
            using var folder = RunFolder.Prepare(run.Folder, ["lyapunov.csv", "part-0", "part-1"]);
            if (CancelAt is { } cancel && Calls.Count == cancel.Call)
            {
                folder.WriteText("lyapunov.csv", "half a table");
                cancel.Source.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (name == FailAt)
            {
                return new ReproductionExperimentFailure(7, "scripted failure");
            }

            var results = new JsonObject();
            var files = new List<string>();
            if (name == ExperimentList.LyapunovChaos)
            {
                results["values"] = new JsonArray(new JsonObject
                {
                    ["r"] = 1.4, ["exponents"] = new JsonArray(0.336, -1.1), ["uncertainties"] = new JsonArray(0.0056, 0.01), ["period"] = null, ["label"] = "chaos",
                });
            }
            else if (name == ExperimentList.Lyapunov)
            {
                folder.WriteText("lyapunov.csv", "r,lambda1,lambda2,period,label\n1.2,-0.1,-0.5,2,period-2\n1.31,0.05,-0.9,,chaos\n1.4,0.33,-1.1,,chaos\n");
                files.Add("lyapunov.csv");
            }

            folder.Complete(new RunRecord("scripted", [], new JsonObject(), 0, DateTimeOffset.UtcNow, results), files);
            return null;
        }
    }
}
