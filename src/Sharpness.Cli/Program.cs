using System.CommandLine;
using Sharpness.Cli.Commands;
using Sharpness.Experiments;
using Sharpness.Experiments.Progress;

namespace Sharpness.Cli;

/// <summary>Entry point of the <c>sharpness</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line against the console and returns the process exit code.</summary>
    /// <param name="args">Command-line arguments.</param>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the command line with the given writers (used by tests) and returns the exit code.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        Run(args, output, error, null, CancellationToken.None);

    /// <summary>
    /// Runs the command line inside another command of this process (a sweep's point): progress goes
    /// to <paramref name="progress"/> instead of a display, and <paramref name="cancellationToken"/>
    /// stops the run at a step boundary (exit code 130, nothing written).
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="progress">The outer command's progress, or null to show progress as a command of its own.</param>
    /// <param name="cancellationToken">The outer command's cancellation.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string[] effective = args;
        string? configPath = null;
        try
        {
            var first = BuildRoot(new CliContext(output, error, args)).Parse(args);
            if (first.GetResult(ConfigOptionName) is System.CommandLine.Parsing.OptionResult { Implicit: false } configResult && configResult.Tokens.Count > 0)
            {
                configPath = configResult.Tokens[0].Value;
                effective = [.. args, .. ConfigArguments.FromFile(configPath, first.CommandResult.Command, args)];
            }
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Option}: {e.Message}");
            return ExitCodes.InvalidInput;
        }

        var root = BuildRoot(new CliContext(output, error, effective)
        {
            Progress = progress,
            Cancellation = cancellationToken,
            OwnsConsole = ReferenceEquals(output, Console.Out) && ReferenceEquals(error, Console.Error),
        });
        ParseResult parsed = root.Parse(effective);
        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                error.WriteLine($"error: {Readable(parseError.Message)}" + (configPath is null ? string.Empty : $" (settings from --config '{configPath}' included)"));
            }

            error.WriteLine("Run 'sharpness --help' (or '<command> --help') for the options.");
            return ExitCodes.InvalidInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Option}: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (InvalidOptionException e)
        {
            error.WriteLine($"error: {e.Option}: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("interrupted: the run stopped before it finished; nothing was written (run the command again to start it over)");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error.WriteLine($"error: internal failure ({e.GetType().Name}): {e.Message}");
            error.WriteLine("This is a bug in sharpness; please report it with the command line above.");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>Name of the option, available on every command, that reads settings from a file.</summary>
    internal const string ConfigOptionName = "--config";

    /// <summary>The command tree: <c>sharpness uv simulate|orbit|cascade|lyapunov|fixed-points|phase|field</c> <c>sharpness net train</c>, <c>sharpness sweep run|merge</c>, <c>sharpness reproduce</c> and <c>sharpness plot</c>.</summary>
    /// <param name="context">Writers and raw arguments the commands use.</param>
    internal static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("Sharpness: curvature (Hessian sharpness) dynamics of neural-network training, exact for the UV model.");
        root.Options.Add(new Option<FileInfo?>(ConfigOptionName)
        {
            Description = "Settings file (JSON, TOML or YAML) whose keys are the command's option names; options given on the command line override it.",
            Recursive = true,
        });
        var uv = new Command("uv", "The UV model: two-layer linear network on one example, exact dynamics and sharpness.");
        uv.Subcommands.Add(UvSimulateCommand.Create(context));
        uv.Subcommands.Add(UvOrbitCommand.Create(context));
        uv.Subcommands.Add(UvCascadeCommand.Create(context));
        uv.Subcommands.Add(UvLyapunovCommand.Create(context));
        uv.Subcommands.Add(UvFixedPointsCommand.Create(context));
        uv.Subcommands.Add(UvPhaseCommand.Create(context));
        uv.Subcommands.Add(UvFieldCommand.Create(context));
        root.Subcommands.Add(uv);
        var net = new Command("net", "Real networks on TorchSharp: training with the Hessian sharpness tracked from exact Hessian-vector products.");
        net.Subcommands.Add(NetTrainCommand.Create(context));
        net.Subcommands.Add(NetEosCommand.Create(context));
        net.Subcommands.Add(NetFitUvCommand.Create(context));
        net.Subcommands.Add(NetPredictCommand.Create(context));
        net.Subcommands.Add(NetEarlyPhaseCommand.Create(context));
        net.Subcommands.Add(NetSpectrumCommand.Create(context));
        net.Subcommands.Add(NetPackDataCommand.Create(context));
        root.Subcommands.Add(net);
        var sweep = new Command("sweep", "Sweeps over a grid of settings: run (resumable, shardable over a cluster) and merge (to Parquet and CSV).");
        sweep.Subcommands.Add(SweepRunCommand.Create(context));
        sweep.Subcommands.Add(SweepMergeCommand.Create(context));
        root.Subcommands.Add(sweep);
        root.Subcommands.Add(ReproduceCommand.Create(context));
        root.Subcommands.Add(PlotCommand.Create(context));
        root.Subcommands.Add(ServeCommand.Create(context));
        return root;
    }

    // The parser names CLR types ("System.Nullable`1[System.Int32]"); users think in numbers.
    private static string Readable(string message) => message
        .Replace("System.Nullable`1[System.Int32]", "integer", StringComparison.Ordinal)
        .Replace("System.Nullable`1[System.Double]", "number", StringComparison.Ordinal)
        .Replace("System.Int32", "integer", StringComparison.Ordinal)
        .Replace("System.UInt64", "non-negative integer", StringComparison.Ordinal)
        .Replace("System.Double", "number", StringComparison.Ordinal);
}

/// <summary>Where a command writes and what it was called with.</summary>
/// <param name="Output">Standard output (results, JSON).</param>
/// <param name="Error">Standard error (errors, progress).</param>
/// <param name="Arguments">The raw arguments, recorded in manifests.</param>
public sealed record CliContext(TextWriter Output, TextWriter Error, IReadOnlyList<string> Arguments)
{
    /// <summary>The progress of an outer command of this process (a sweep) that runs this one; null for a command of its own.</summary>
    public IProgress<ExperimentProgress>? Progress { get; init; }

    /// <summary>The cancellation of an outer command of this process; none for a command of its own.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Whether the writers are the process's own console, so that Ctrl-C and a live display belong to this command.</summary>
    public bool OwnsConsole { get; init; }
}
