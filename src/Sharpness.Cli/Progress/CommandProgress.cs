using Sharpness.Experiments.Progress;
using Spectre.Console;

namespace Sharpness.Cli.Progress;

/// <summary>
/// Runs the experiment of a command with its progress shown on standard error and Ctrl-C turned into
/// cooperative cancellation. Every command that calls a library entry point goes through it:
/// <code>
/// var result = CommandProgress.Run(context, parse.GetValue(_quiet),
///     run => UvPhaseExperiment.Run(options, run.Progress, run.Cancellation));
/// </code>
/// </summary>
/// <remarks>
/// <para>How progress is shown: on a terminal (the process's own standard error, not redirected) a
/// live Spectre.Console display; otherwise (redirected to a file, or a writer in tests) one plain line
/// per task every few seconds (<see cref="PlainProgress"/>), nothing for runs shorter than that; with
/// <c>--quiet</c> nothing. A run started by another command in the same process (a sweep's point)
/// shows nothing itself: its snapshots go to the outer command's reporter
/// (<see cref="CliContext.Progress"/>), which nests them under its own task.</para>
/// <para>Cancellation: when the process owns the console, the first Ctrl-C cancels
/// <see cref="Cancellation"/> (the entry point stops at a step boundary and throws
/// <see cref="OperationCanceledException"/>, which <see cref="Program"/> turns into exit code 130 before
/// anything is written); a second Ctrl-C ends the process at once. The token also follows
/// <see cref="CliContext.Cancellation"/>, the outer command's.</para>
/// </remarks>
public sealed class CommandProgress
{
    private readonly Action<string> _writeLine;
    private readonly Action<string> _writeErrorLine;

    private CommandProgress(IProgress<ExperimentProgress>? progress, CancellationToken cancellation, Action<string> writeLine, Action<string> writeErrorLine)
    {
        Progress = progress;
        Cancellation = cancellation;
        _writeLine = writeLine;
        _writeErrorLine = writeErrorLine;
    }

    /// <summary>Where the entry point reports progress (null: nothing is shown).</summary>
    public IProgress<ExperimentProgress>? Progress { get; }

    /// <summary>The token the entry point honours: Ctrl-C, or the outer command's cancellation.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Writes a line of the command's standard output while the work runs (above a live display, which it would otherwise garble).</summary>
    /// <param name="line">The line.</param>
    public void WriteLine(string line) => _writeLine(line);

    /// <summary>Writes a status line on standard error while the work runs (above a live display, which it would otherwise garble).</summary>
    /// <param name="line">The line.</param>
    public void WriteErrorLine(string line) => _writeErrorLine(line);

    /// <summary>Runs <paramref name="work"/> with progress and cancellation set up as the remarks describe.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="context">The command's writers, outer progress and cancellation.</param>
    /// <param name="quiet">Show no progress (<c>--quiet</c>).</param>
    /// <param name="work">Calls the entry point.</param>
    /// <param name="log">The reporter for logs (standard error redirected), given standard error; null: <see cref="PlainProgress"/>.</param>
    public static T Run<T>(CliContext context, bool quiet, Func<CommandProgress, T> work, Func<TextWriter, IProgress<ExperimentProgress>>? log = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(work);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation);
        using var interrupt = context.OwnsConsole ? new CtrlC(cancellation, context.Error) : null;
        if (context.Progress is not null || quiet)
        {
            return work(new CommandProgress(quiet ? null : context.Progress, cancellation.Token, context.Output.WriteLine, context.Error.WriteLine));
        }

        if (!context.OwnsConsole || Console.IsErrorRedirected)
        {
            return work(new CommandProgress(log?.Invoke(context.Error) ?? new PlainProgress(context.Error), cancellation.Token, context.Output.WriteLine, context.Error.WriteLine));
        }

        // On a terminal: drawn on standard error, so that standard output stays clean for --json.
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        Action<string> writeLine = Console.IsOutputRedirected ? context.Output.WriteLine : line => console.WriteLine(line);
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(live => result = work(new CommandProgress(new LiveProgress(live), cancellation.Token, writeLine, line => console.WriteLine(line))));
        return result;
    }

    /// <summary>
    /// The first Ctrl-C (SIGINT) or SIGTERM cancels the work; a second Ctrl-C ends the process. SIGTERM is what a
    /// batch scheduler (Slurm at a time limit, Kubernetes) or <c>kill</c> sends, and what reaches a program started in
    /// the background by a script, where the shell makes it ignore SIGINT.
    /// </summary>
    private sealed class CtrlC : IDisposable
    {
        private readonly CancellationTokenSource _cancellation;
        private readonly TextWriter _error;
        private readonly System.Runtime.InteropServices.PosixSignalRegistration? _terminate;

        public CtrlC(CancellationTokenSource cancellation, TextWriter error)
        {
            _cancellation = cancellation;
            _error = error;
            Console.CancelKeyPress += OnCancel;
            if (!OperatingSystem.IsWindows())
            {
                // A second SIGTERM ends the process at once.
                _terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
                {
                    context.Cancel = !_cancellation.IsCancellationRequested;
                    Stop("terminate signal", "send it again");
                });
            }
        }

        public void Dispose()
        {
            Console.CancelKeyPress -= OnCancel;
            _terminate?.Dispose();
        }

        private void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            if (_cancellation.IsCancellationRequested)
            {
                return;
            }

            e.Cancel = true;
            Stop("interrupt", "Ctrl-C again");
        }

        private void Stop(string what, string again)
        {
            if (_cancellation.IsCancellationRequested)
            {
                return;
            }

            _error.WriteLine($"{what}: stopping at the next step boundary ({again} to end at once)");
            _cancellation.Cancel();
        }
    }
}
