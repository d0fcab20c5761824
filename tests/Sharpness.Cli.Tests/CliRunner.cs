using System.Diagnostics;

namespace Sharpness.Cli.Tests;

/// <summary>Runs the sharpness command in-process, or in a process of its own, and captures its output.</summary>
internal static class CliRunner
{
    /// <summary>Starts <c>dotnet sharpness.dll ARGS</c> with standard output and standard error redirected; the caller reads both (or drains them), or the child may block on a full pipe.</summary>
    /// <param name="environment">Variables to set (a null value removes one) in the new process.</param>
    /// <param name="args">The arguments.</param>
    public static Process Start(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "sharpness.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        return Process.Start(info)!;
    }

    /// <summary>Runs <c>dotnet sharpness.dll ARGS</c> to its end (at most five minutes).</summary>
    /// <param name="environment">Variables to set (a null value removes one) in the new process.</param>
    /// <param name="args">The arguments.</param>
    public static (int ExitCode, string Output, string Error) RunProcess(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        using var process = Start(environment, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(300_000), "the command did not finish in five minutes");
        return (process.ExitCode, output.Result, error.Result);
    }

    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public static string NewTemporaryFolder()
    {
        string path = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
