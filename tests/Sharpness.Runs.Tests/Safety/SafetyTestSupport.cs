using System.Diagnostics;

namespace Sharpness.Runs.Tests.Safety;

/// <summary>Temporary folders and helper processes for the safety tests.</summary>
internal static class SafetyTestSupport
{
    public static string NewPath() => Path.Combine(Path.GetTempPath(), "sharpness-safety-tests", Guid.NewGuid().ToString("N"));

    public static string NewFolder()
    {
        string path = NewPath();
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs a program to completion and returns its exit code.</summary>
    public static int Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>
    /// Starts util-linux's flock(1) holding an exclusive lock on <paramref name="lockFile"/> while
    /// it sleeps: a second, independent implementation of the lock the toolkit takes.
    /// </summary>
    public static Process HoldWithFlock(string lockFile, bool shared = false)
    {
        var info = new ProcessStartInfo("flock") { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add("-o");
        info.ArgumentList.Add(shared ? "-s" : "-x");
        info.ArgumentList.Add(lockFile);
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("echo locked; exec sleep 60");
        var process = Process.Start(info)!;
        Assert.Equal("locked", process.StandardOutput.ReadLine());
        return process;
    }
}
