using System.CommandLine;
using System.Globalization;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Sweeps;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness sweep run SPEC</c>: the command line of <see cref="SweepRunner"/>, whose points run as
/// commands of this process (<see cref="CommandSweepPoints"/>).
/// </summary>
public sealed class SweepRunCommand
{
    private readonly Argument<FileInfo> _spec = new("spec") { Description = "Sweep specification (JSON, TOML or YAML): command, base, grid, zip, out." };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Results folder (one sub-folder per point). Default: the spec's \"out\"." };
    private readonly Option<string?> _shard = new("--shard") { Description = "Run only shard i of N (0-based, i/N). Default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX (with --shards), else all points." };
    private readonly Option<int?> _shards = new("--shards") { Description = "Number of shards when the index comes from JOB_COMPLETION_INDEX (Kubernetes indexed jobs)." };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "List the points of this shard and their folders without running them." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new SweepRunCommand();
        var command = new Command("run", "Run a sweep: every point in its own run folder; complete runs are skipped, so rerunning resumes.");
        command.Arguments.Add(definition._spec);
        foreach (Option option in new Option[] { definition._out, definition._shard, definition._shards, definition._dryRun, definition._quiet })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        if (parse.GetValue(_shards) is int given && given < 1)
        {
            throw new UsageException("--shards", $"must be at least 1 (got {given}).");
        }

        var (shard, shards) = parse.GetValue(_shard) is { } text ? SweepRunOptions.ParseShard(text) : ShardFromEnvironment(parse.GetValue(_shards));
        if (parse.GetValue(_shards) is int total && total != shards)
        {
            throw new UsageException("--shards", $"is {total} but the shard is {shard}/{shards}; give one of --shard and --shards (with JOB_COMPLETION_INDEX).");
        }
        var options = new SweepRunOptions { Spec = parse.GetValue(_spec)!.FullName, Out = parse.GetValue(_out)?.FullName, Shard = shard, Shards = shards };
        var points = new CommandSweepPoints(options.Spec);
        var runner = new SweepRunner(points);
        // Checking every point takes a while on a large shard: Ctrl-C stops it too (exit 130, nothing run).
        var plan = CommandProgress.Run(context, quiet: true, run => runner.Plan(options, run.Cancellation));
        context.Output.WriteLine($"sweep '{plan.Spec.Command}': {plan.AllPoints} points, shard {plan.Shard}/{plan.Shards}: {plan.Points.Count} points, results in {plan.Results}");
        if (parse.GetValue(_dryRun))
        {
            foreach (var point in plan.Points)
            {
                context.Output.WriteLine($"{point.Point.Index,6} {point.Point.Directory}  {string.Join(' ', points.Arguments(plan.Spec.Command, point))}");
            }

            return ExitCodes.Success;
        }

        var result = CommandProgress.Run(context, parse.GetValue(_quiet), run =>
        {
            runner.PointFinished += (_, finished) => run.WriteLine(Line(finished));
            return runner.Run(plan, run.Progress, run.Cancellation);
        });
        if (result.Interrupted)
        {
            context.Output.WriteLine(result.Outcomes.Any(o => o.Status == SweepPointStatus.Interrupted)
                ? "interrupted: stopped the current run at a step boundary; it is redone when the sweep is run again (finished runs are kept)"
                : "interrupted: stopped after the current run (rerun to resume)");
        }

        context.Output.WriteLine($"summary: {result.Done} done, {result.Skipped} skipped, {result.Failures.Count} failed");
        foreach (var failure in result.Failures)
        {
            context.Output.WriteLine($"  failed {failure.Point.Point.Directory}: {failure.Reason}");
        }

        return result.Interrupted ? ExitCodes.Interrupted : result.Failures.Count > 0 ? ExitCodes.InternalError : ExitCodes.Success;
    }

    private static string Line(SweepPointFinished finished)
    {
        var outcome = finished.Outcome;
        string status = outcome.Status switch
        {
            SweepPointStatus.Skipped => "skipped (complete)",
            SweepPointStatus.Failed => "failed: " + outcome.Reason,
            SweepPointStatus.Interrupted => "interrupted",
            _ => outcome.Reason is null ? "done" : $"done {outcome.Reason}",
        };
        string eta = finished.Remaining is { } remaining ? $" (eta {remaining:c})" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"[{finished.Number}/{finished.Count}] {outcome.Point.Point.Directory}: {status}{eta}");
    }

    private static (int Shard, int Shards) ShardFromEnvironment(int? shards)
    {
        string? slurmId = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        string? slurmCount = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_COUNT");
        if (slurmId is not null && slurmCount is not null)
        {
            string? min = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_MIN");
            if (!int.TryParse(slurmId, NumberStyles.None, CultureInfo.InvariantCulture, out int id)
                || !int.TryParse(slurmCount, NumberStyles.None, CultureInfo.InvariantCulture, out int count)
                || !int.TryParse(min ?? "0", NumberStyles.None, CultureInfo.InvariantCulture, out int first)
                || count < 1 || id - first < 0 || id - first >= count)
            {
                throw new UsageException("--shard", $"SLURM_ARRAY_TASK_ID={slurmId}, SLURM_ARRAY_TASK_MIN={min ?? "unset"}, SLURM_ARRAY_TASK_COUNT={slurmCount} do not give a shard index in [0, count); use a contiguous array such as --array=0-N.");
            }

            return (id - first, count);
        }

        if (Environment.GetEnvironmentVariable("JOB_COMPLETION_INDEX") is { } jobIndex)
        {
            if (!int.TryParse(jobIndex, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || shards is not int n || n < 1 || index >= n)
            {
                throw new UsageException("--shards", $"JOB_COMPLETION_INDEX={jobIndex} needs --shards N (the job's completions) with the index below N.");
            }

            return (index, n);
        }

        return (0, 1);
    }
}
