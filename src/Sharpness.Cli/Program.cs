using System.CommandLine;
using System.Globalization;
using System.Text;
using Sharpness.Cli.Commands;
using Sharpness.Experiments;
using Sharpness.Experiments.Progress;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli;

/// <summary>Entry point of the <c>sharpness</c> command.</summary>
public static partial class Program
{
    /// <summary>What follows the one line of an environment failure (exit code 3).</summary>
    internal const string EnvironmentAdvice = " (nothing partial is kept but resumable state; rerun once the cause is removed)";

    /// <summary>
    /// Runs the command line against the console and returns the process exit code. LibTorch's freed memory is kept
    /// in the C heap for reuse (<see cref="Nets.NativeHeap"/>) before anything runs.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    public static int Main(string[] args)
    {
        Nets.NativeHeap.Apply();
        return Run(args, Console.Out, Console.Error);
    }

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
    public static int Run(string[] args, TextWriter output, TextWriter error, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken) =>
        Run(args, output, error, progress, cancellationToken, dryRun: false);

    /// <summary>
    /// Runs the command line; with <paramref name="dryRun"/> the command stops, successfully, where
    /// it would claim its output folder, after every check of its input (<see cref="ClaimScope"/>).
    /// Every folder the command claimed is released when it returns, and removed if it created the
    /// folder and wrote nothing into it. Whatever fails, standard error gets exactly one line.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="progress">The outer command's progress, or null.</param>
    /// <param name="cancellationToken">The outer command's cancellation.</param>
    /// <param name="dryRun">Validate only.</param>
    internal static int Run(string[] args, TextWriter output, TextWriter error, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, bool dryRun)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var claims = ClaimScope.Begin(dryRun);
        try
        {
            return Invoke(args, output, error, progress, cancellationToken);
        }
        catch (DryRunCompleteException)
        {
            return ExitCodes.Success;
        }
        catch (UsageException e)
        {
            return Fail(error, ExitCodes.InvalidInput, $"{e.Option}: {e.Message}");
        }
        catch (InvalidOptionException e)
        {
            return Fail(error, ExitCodes.InvalidInput, $"{e.Option}: {e.Message}");
        }
        catch (Runs.Limits.LimitException e)
        {
            return Fail(error, ExitCodes.InvalidInput, $"{e.Option}: {e.Message}");
        }
        catch (Nets.Training.InitialSharpnessException e)
        {
            return Fail(error, ExitCodes.InvalidInput, $"{RelativeRateOption(args)}: {e.Message}");
        }
        catch (FolderInUseException e)
        {
            return Fail(error, ExitCodes.InvalidInput, e.Message);
        }
        catch (Exception e) when (e is InputFileException or RunFolderException)
        {
            return Fail(error, ExitCodes.InvalidInput, e.Message);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("interrupted: the run stopped before it finished; nothing was written (run the command again to start it over)");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (EnvironmentFailure.Describe(e) is { } environment)
        {
            return Fail(error, ExitCodes.EnvironmentFailure, environment + EnvironmentAdvice);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Fail(error, ExitCodes.InternalError, $"internal failure ({e.GetType().Name}): {e.Message} This is a bug in sharpness; please report it with the command line above.");
        }
    }

    /// <summary>The option that sets a learning rate relative to λ_H(0): --lr-constant, or the command's own (net predict's --lr-factors, net early-phase's --c-min).</summary>
    private static string RelativeRateOption(string[] args)
    {
        int net = Array.IndexOf(args, "net");
        string command = net >= 0 && net + 1 < args.Length ? args[net + 1] : string.Empty;
        return args.Contains("--lr-constant") ? "--lr-constant" : command switch { "predict" => "--lr-factors", "early-phase" => "--c-min", _ => "--lr-constant" };
    }

    private static int Invoke(string[] args, TextWriter output, TextWriter error, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        string[] effective = args;
        string? configPath = null;

        // A first parse finds --config; most command lines (every sweep point) have none.
        bool mayHaveConfig = args.Any(a => a.StartsWith(ConfigOptionName, StringComparison.Ordinal));
        var first = mayHaveConfig ? BuildRoot(new CliContext(output, error, args)).Parse(args) : null;
        if (first?.GetResult(ConfigOptionName) is System.CommandLine.Parsing.OptionResult { Implicit: false } configResult && configResult.Tokens.Count > 0)
        {
            configPath = configResult.Tokens[0].Value;
            effective = [.. args, .. ConfigArguments.FromFile(configPath, first.CommandResult.Command, args)];
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
            string message = ParseErrorLine(parsed);
            string more = parsed.Errors.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" (and {parsed.Errors.Count - 1} more)") : string.Empty;
            string settings = configPath is null ? string.Empty : $" (settings from --config '{configPath}' included)";
            string help = "sharpness " + string.Join(' ', CommandPath(parsed.CommandResult.Command));
            return Fail(error, ExitCodes.InvalidInput, $"{message.TrimEnd('.')}{more}{settings}; see '{help.TrimEnd()} --help' for the options.");
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
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
}
