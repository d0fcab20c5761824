using System.Diagnostics;

namespace Sharpness.Cli.Tests.Safety;

/// <summary>What a child process of the sharpness command did.</summary>
/// <param name="Code">Exit code (-1 when it was killed for running too long).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="TimedOut">Whether it was killed at the time limit.</param>
/// <param name="Arguments">The command line, for messages.</param>
internal sealed record ChildResult(int Code, string Output, string Error, bool TimedOut, string Arguments)
{
    /// <summary>The non-empty lines of standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"sharpness {Arguments} -> exit {Code}{(TimedOut ? " (timed out)" : string.Empty)}; stderr: {Error.Trim()}";
}

/// <summary>
/// Runs the sharpness command in a child process with a time limit and a memory limit, so that a
/// case that would abort, exhaust memory or hang fails its test instead of the test run: the heap
/// is capped by DOTNET_GCHeapHardLimit (1 GiB; the toolkit's memory budget is then half of it),
/// the process tree is killed at the time limit.
/// </summary>
internal static class HostileRun
{
    /// <summary>Heap limit of the child processes.</summary>
    public const long HeapLimit = 1L << 30;

    public static ChildResult Run(params string[] args) => Run(TimeSpan.FromSeconds(90), null, args);

    public static ChildResult Run(TimeSpan limit, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Finish(StartIn(null, environment, args), limit, args);

    /// <summary>Runs the command with <paramref name="workingDirectory"/> as its current folder, so that relative paths land there.</summary>
    public static ChildResult RunIn(string workingDirectory, TimeSpan limit, params string[] args) =>
        Finish(StartIn(workingDirectory, null, args), limit, args);

    /// <summary>Starts the command without waiting (for concurrency tests).</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args) => StartIn(null, environment, args);

    /// <summary>Starts the command without waiting, in <paramref name="workingDirectory"/> (null: the tests' own).</summary>
    public static Process StartIn(string? workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sharpness.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_GCHeapHardLimit"] = "0x" + HeapLimit.ToString("X", System.Globalization.CultureInfo.InvariantCulture);
        info.Environment.Remove("SHARPNESS_MEMORY_LIMIT");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return Process.Start(info)!;
    }

    /// <summary>Waits for a started command, killing its process tree at the time limit.</summary>
    private static ChildResult Finish(Process started, TimeSpan limit, string[] args)
    {
        using var process = started;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        bool finished = process.WaitForExit(limit);
        if (!finished)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        return new ChildResult(finished ? process.ExitCode : -1, output.Result, error.Result, !finished, string.Join(' ', args));
    }
}
