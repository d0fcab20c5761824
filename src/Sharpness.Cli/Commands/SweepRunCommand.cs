using System.CommandLine;
using System.Globalization;
using Sharpness.Runs;
using Sharpness.Runs.Safety;
using Sharpness.Runs.Sweeps;
using Spectre.Console;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness sweep run SPEC</c>: runs every point of a sweep (or one shard's slice) in its own
/// deterministic run folder, skipping complete runs and redoing incomplete ones.
/// </summary>
public sealed class SweepRunCommand
{
    private readonly Argument<FileInfo> _spec = new("spec") { Description = "Sweep specification (JSON, TOML or YAML): command, base, grid, zip, out." };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Results folder (one sub-folder per point). Default: the spec's \"out\"." };
    private readonly Option<string?> _shard = new("--shard") { Description = "Run only shard i of N (0-based, i/N). Default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX (with --shards), else all points." };
    private readonly Option<int?> _shards = new("--shards") { Description = "Number of shards when the index comes from JOB_COMPLETION_INDEX (Kubernetes indexed jobs)." };
    private readonly Option<bool> _dryRun = new("--dry-run") { Description = "List the points of this shard and their folders without running them." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new SweepRunCommand();
        var command = new Command("run", "Run a sweep: every point in its own run folder; complete runs are skipped, so rerunning resumes.");
        command.Arguments.Add(definition._spec);
        foreach (Option option in new Option[] { definition._out, definition._shard, definition._shards, definition._dryRun })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        using var interrupt = new SweepInterrupt();
        var specFile = parse.GetValue(_spec)!;
        SweepSpec spec;
        long count;
        try
        {
            spec = SweepSpec.Load(specFile.FullName);
            count = SweepPlan.Count(spec);
        }
        catch (SweepSpecException e)
        {
            throw new UsageException("spec", e.Message);
        }

        string results = parse.GetValue(_out)?.FullName
            ?? (spec.Out is { } specOut ? Path.GetFullPath(specOut) : throw new UsageException("--out", "give the results folder with --out or the spec's \"out\"."));
        if (File.Exists(results))
        {
            throw new UsageException("--out", $"'{results}' is a file, not a folder.");
        }

        var (shard, shards) = ShardOf(parse);
        var target = FindCommand(spec.Command, context);
        if (!target.Options.Any(o => o.Name == "--out"))
        {
            throw new UsageException("spec", $"'{spec.Command}' writes no run folder (it has no --out), so it cannot be swept.");
        }

        // Every point of this shard is checked by the command's own validation (a dry run that
        // stops where the command would claim its folder) before anything runs.
        int planned = 0;
        foreach (var point in SweepPlan.ShardOf(spec, shard, shards))
        {
            if (interrupt.Requested)
            {
                context.Output.WriteLine("interrupted: stopped while checking the points; nothing was run");
                return ExitCodes.Interrupted;
            }

            string[] args = Arguments(spec, specFile, target, results, point);
            var error = new StringWriter(CultureInfo.InvariantCulture);
            if (Program.Run(args, TextWriter.Null, error, dryRun: true) != ExitCodes.Success)
            {
                string reason = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Replace("error: ", string.Empty, StringComparison.Ordinal) ?? "refused";
                throw new UsageException("spec", $"point {point.Index} ({point.Directory}): {reason}");
            }

            planned++;
        }

        context.Output.WriteLine($"sweep '{spec.Command}': {count} points, shard {shard}/{shards}: {planned} points, results in {results}");
        if (parse.GetValue(_dryRun))
        {
            foreach (var point in SweepPlan.ShardOf(spec, shard, shards))
            {
                context.Output.WriteLine($"{point.Index,6} {point.Directory}  {string.Join(' ', Arguments(spec, specFile, target, results, point))}");
            }

            return ExitCodes.Success;
        }

        // One unsharded sweep per results folder; shards share it (each run folder has its own lock).
        FolderLock sweepLock;
        try
        {
            sweepLock = RunDirectory.CreateAndLock(results, shared: shards > 1).Lock;
        }
        catch (FolderInUseException e)
        {
            throw new UsageException("--out", e.Message + (shards > 1 ? string.Empty : " (shards of one sweep share a folder: give each --shard i/N)"));
        }

        using var heldSweep = sweepLock;
        var plans = SweepPlan.ShardOf(spec, shard, shards).Select(point => (point, Arguments(spec, specFile, target, results, point)));
        var outcome = Console.IsOutputRedirected || !ReferenceEquals(context.Output, Console.Out)
            ? RunAll(plans, planned, results, interrupt, context.Output.WriteLine, _ => { })
            : RunWithProgressBar(plans, planned, results, interrupt);
        var (done, skipped, failures) = outcome;
        if (interrupt.Requested)
        {
            context.Output.WriteLine($"interrupted: stopped after the current run (rerun to resume)");
        }

        context.Output.WriteLine($"summary: {done} done, {skipped} skipped, {failures.Count} failed");
        foreach (var (folder, reason) in failures)
        {
            context.Output.WriteLine($"  failed {folder}: {reason}");
        }

        return interrupt.Requested ? ExitCodes.Interrupted : failures.Count > 0 ? ExitCodes.InternalError : ExitCodes.Success;
    }

    private static string[] Arguments(SweepSpec spec, FileInfo specFile, Command target, string results, SweepPoint point)
    {
        var tokens = ConfigArguments.FromSettings(point.Settings, specFile.FullName, target, [], blame: "spec");
        return [.. spec.Command.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. tokens, "--out", Path.Combine(results, point.Directory)];
    }

    private static (int Done, int Skipped, List<(string Directory, string Reason)> Failures) RunWithProgressBar(IEnumerable<(SweepPoint Point, string[] Args)> plans, int count, string results, SweepInterrupt interrupt)
    {
        (int, int, List<(string, string)>) outcome = default;
        AnsiConsole.Progress()
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask("sweep", maxValue: count);
                outcome = RunAll(plans, count, results, interrupt, line => AnsiConsole.MarkupLine(Markup.Escape(line)), _ => task.Increment(1));
            });
        return outcome;
    }

    private static (int Done, int Skipped, List<(string Directory, string Reason)> Failures) RunAll(IEnumerable<(SweepPoint Point, string[] Args)> plans, int count, string results, SweepInterrupt interrupt, Action<string> report, Action<int> advance)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int done = 0, skipped = 0, ran = 0, k = 0;
        var failures = new List<(string Directory, string Reason)>();
        foreach (var (point, args) in plans)
        {
            string folder = Path.Combine(results, point.Directory);
            string status;
            if (RunDirectory.HoldsCompleteRun(folder))
            {
                skipped++;
                status = "skipped (complete)";
            }
            else
            {
                string? setAside = null;
                string? problem = null;
                try
                {
                    setAside = RunDirectory.PrepareRedo(folder);
                }
                catch (FolderInUseException e)
                {
                    problem = e.Message;
                }

                int code = ExitCodes.InvalidInput;
                var error = new StringWriter(CultureInfo.InvariantCulture);
                if (problem is null)
                {
                    code = Program.Run(args, new StringWriter(CultureInfo.InvariantCulture), error);
                    ran++;
                }

                string moved = setAside is null ? string.Empty : $" (the earlier incomplete attempt is kept as {Path.GetFileName(setAside)})";
                if (code == ExitCodes.Success)
                {
                    done++;
                    status = "done" + moved;
                }
                else
                {
                    string reason = problem ?? error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? $"exit code {code}";
                    failures.Add((point.Directory, reason + moved));
                    status = "failed: " + reason + moved;
                }
            }

            k++;
            int left = count - k;
            string eta = ran > 0 && left > 0 ? $" (eta {TimeSpan.FromSeconds(Math.Ceiling(clock.Elapsed.TotalSeconds / ran * left)):c})" : string.Empty;
            report(string.Create(CultureInfo.InvariantCulture, $"[{k}/{count}] {point.Directory}: {status}{eta}"));
            advance(1);
            if (interrupt.Requested)
            {
                break;
            }
        }

        return (done, skipped, failures);
    }

    private (int Shard, int Shards) ShardOf(ParseResult parse)
    {
        if (parse.GetValue(_shards) is int given && given < 1)
        {
            throw new UsageException("--shards", $"must be at least 1 (got {given}).");
        }

        if (parse.GetValue(_shard) is { } text)
        {
            string[] parts = text.Split('/');
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                || n < 1 || i >= n)
            {
                throw new UsageException("--shard", $"expected i/N with 0 <= i < N, got '{text}'.");
            }

            if (parse.GetValue(_shards) is int total && total != n)
            {
                throw new UsageException("--shards", $"is {total} but --shard says {n} shards; give one of them.");
            }

            return (i, n);
        }

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
            int? total = parse.GetValue(_shards);
            if (!int.TryParse(jobIndex, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || total is not int n || n < 1 || index >= n)
            {
                throw new UsageException("--shards", $"JOB_COMPLETION_INDEX={jobIndex} needs --shards N (the job's completions) with the index below N.");
            }

            return (index, n);
        }

        if (parse.GetValue(_shards) is not null)
        {
            throw new UsageException("--shards", "is used with JOB_COMPLETION_INDEX (Kubernetes indexed jobs), which is not set; give --shard i/N instead.");
        }

        return (0, 1);
    }

    private static Command FindCommand(string path, CliContext context)
    {
        Command current = Program.BuildRoot(context);
        foreach (string name in path.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current.Subcommands.FirstOrDefault(c => c.Name == name)
                ?? throw new UsageException("spec", $"unknown command '{path}'; expected for example \"uv simulate\" or \"uv phase\".");
        }

        if (current.Subcommands.Count > 0 || current.Name == "sweep" || path.StartsWith("sweep", StringComparison.Ordinal))
        {
            throw new UsageException("spec", $"'{path}' is not a command that can be swept.");
        }

        return current;
    }

    private sealed class SweepInterrupt : IDisposable
    {
        private volatile bool _requested;

        public SweepInterrupt() => Console.CancelKeyPress += OnCancel;

        public bool Requested => _requested;

        public void Dispose() => Console.CancelKeyPress -= OnCancel;

        private void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            e.Cancel = true;
            _requested = true;
        }
    }
}
