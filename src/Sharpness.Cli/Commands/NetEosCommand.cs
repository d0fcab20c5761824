using System.CommandLine;
using System.Text.Json.Nodes;
using Sharpness.Cli.Progress;
using Sharpness.Experiments.Nets;
using Sharpness.Nets.Experiments;
using Sharpness.Runs;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness net eos</c>: the edge-of-stability experiment of Cohen et al. — full-batch GD at several
/// learning rates, the sharpness measured every few steps, and for each η when λ_H reaches 2/η, how it
/// hovers there, whether the loss keeps falling, and the early regime.
/// </summary>
/// <remarks>
/// Each η trains in its own sub-folder (a complete training run folder: metrics.csv, figures,
/// manifest.json). Re-running the same command on a folder an interrupted run left behind reuses the
/// η whose sub-folder is complete (after checking its settings match) and redoes the others.
/// </remarks>
public sealed class NetEosCommand
{
    private readonly NetOptions _net = new();
    private readonly CheckpointOptions _checkpoints = new();
    private readonly Option<string> _lrs = new("--lrs") { Description = "Comma-separated learning rates; each may be a number or a fraction such as 2/30.", DefaultValueFactory = _ => "2/30,2/60" };
    private readonly Option<double> _reachFraction = new("--reach-fraction") { Description = "lambda_H counts as having reached 2/eta when it is at least this fraction of it.", DefaultValueFactory = _ => 0.9 };
    private readonly Option<double> _bandLow = new("--band-low") { Description = "Lower edge of the band lambda_H/(2/eta) is expected to stay in after reaching it.", DefaultValueFactory = _ => 0.9 };
    private readonly Option<double> _bandHigh = new("--band-high") { Description = "Upper edge of that band.", DefaultValueFactory = _ => 1.3 };
    private readonly Option<DirectoryInfo> _out = new("--out") { Description = "Folder (new, empty, or left by an interrupted run of the same command) for one sub-folder per eta, eos.csv, summary.md, eos.png and manifest.json.", Required = true };
    private readonly Option<bool> _json = new("--json") { Description = "Print a JSON summary instead of the human one." };
    private readonly Option<bool> _quiet = AnalysisOptions.Quiet();
    private readonly Option<int?> _jobs = AnalysisOptions.Jobs("Learning rates (each a complete run)");
    private readonly Option<string?> _shard = new("--shard") { Description = "Train only part i of N (0-based, i/N) of the learning rates (those whose index in --lrs is i mod N), each in its sub-folder, beside the other parts (processes, Slurm array tasks) on the same --out; then the same command without --shard reuses them and writes the summary." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var d = new NetEosCommand();
        var command = new Command("eos", "Edge of stability (Cohen et al.): full-batch GD at several learning rates with the sharpness tracked; when and how lambda_H settles at 2/eta. Defaults are those of --preset eos.");
        d._net.Add(command, d._net.Preset, d._net.Lr, d._net.LrConstant);
        d._net.TorchScript.Add(command);
        foreach (Option option in new Option[] { d._lrs, d._reachFraction, d._bandLow, d._bandHigh }.Concat(d._checkpoints.All).Concat([d._jobs, d._shard, d._out, d._json, d._quiet]))
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => d.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        var (shard, shards) = parse.GetValue(_shard) is { } part ? Sharpness.Experiments.Sweeps.SweepRunOptions.ParseShard(part) : (0, 1);
        var options = new NetEosOptions
        {
            Network = _net.Resolve(parse, "eos"),
            LearningRates = NetEosOptions.ParseRates(parse.GetValue(_lrs)!),
            Criteria = new EdgeOfStabilityCriteria
            {
                ReachFraction = parse.GetValue(_reachFraction),
                BandLow = parse.GetValue(_bandLow),
                BandHigh = parse.GetValue(_bandHigh),
            },
            Checkpoints = _checkpoints.Resolve(parse),
            Jobs = parse.GetValue(_jobs),
            Shard = shard,
            Shards = shards,
        };
        options.Validate();
        if (options.Network.TorchScript is not null && !options.Checkpoints.IsEmpty)
        {
            throw new UsageException(parse.GetValue(_checkpoints.Final) ? "--checkpoint" : "--checkpoint-steps", "net eos does not save TorchScript modules; train the learning rate of interest with net train --torchscript --checkpoint.");
        }

        var folder = NetEosWriter.Prepare(parse.GetValue(_out)!.FullName, options);
        var (result, written) = CommandProgress.Run(
            context,
            parse.GetValue(_quiet),
            progress => NetEosWriter.Run(folder, options, progress.Progress, progress.Cancellation, context.Arguments),
            log => new NetStepLines(log));
        if (parse.GetValue(_json))
        {
            context.Output.WriteLine(new JsonObject { ["configuration"] = result.Configuration.DeepClone(), ["results"] = result.Results.DeepClone(), ["out"] = folder.Path }.ToJsonString(JsonOutput.Options));
        }
        else
        {
            if (result.Runs.Count > 0)
            {
                // A shard with no learning rate of its own has no table to show.
                context.Output.Write(result.Markdown);
            }

            context.Output.WriteLine($"jobs: {result.Jobs!.Used} ({result.Jobs.Reason})");
            context.Output.WriteLine(options.IsShard
                ? $"shard {shard}/{shards}: {(result.Runs.Count == 0 ? "no learning rate (--lrs has fewer than the shards)" : string.Join(", ", result.Runs.Select(r => r.Folder)))} in {folder.Path}; once every shard is done, the same command without --shard writes the summary"
                : $"wrote {string.Join(", ", written)} and manifest.json in {folder.Path}");
        }

        return ExitCodes.Success;
    }
}
