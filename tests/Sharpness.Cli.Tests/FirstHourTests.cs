using System.Diagnostics;

namespace Sharpness.Cli.Tests;

/// <summary>
/// What a new user meets first: the <c>sharpness</c> command the set-up puts on PATH, and commands
/// whose output is only their own (nothing from a native library on standard error or output).
/// </summary>
public class FirstHourTests
{
    private static readonly string Root = RepositoryRoot();

    [Fact]
    public void TheLauncherRunsThisCheckoutsBuildAndIsInstalledOnce()
    {
        string bin = CliRunner.NewTemporaryFolder();

        var first = RunProcess("bash", Path.Combine(Root, "scripts", "install-launcher.sh"), bin);
        var again = RunProcess("bash", Path.Combine(Root, "scripts", "install-launcher.sh"), bin);
        var command = RunProcess(Path.Combine(bin, "sharpness"), "uv", "fixed-points", "--r", "0.5");

        Assert.Equal(0, first.Code);
        Assert.Contains($"installed {bin}/sharpness (runs the build in {Root})", first.Output, StringComparison.Ordinal);
        Assert.Equal((0, string.Empty), (again.Code, again.Output));
        Assert.True(command.Code == 0, command.Error);
        Assert.StartsWith("scaled map at r = 0.5", command.Output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, command.Error);
    }

    [Theory]
    [InlineData("uv", "field", "--r", "1.1", "--trajectory", "0.2,1.0")]
    [InlineData("uv", "orbit", "--points", "200", "--transient", "500", "--keep", "20")]
    [InlineData("uv", "phase", "--c-points", "12", "--r-points", "10", "--steps", "200")]
    [InlineData("uv", "simulate", "--steps", "50")]
    public void ACommandWritingFiguresPrintsOnlyItsSummary(params string[] args)
    {
        string folder = CliRunner.NewTemporaryFolder();

        // A separate process: Skia writes its warnings to the process's own standard error, which an in-process run would not see.
        var run = RunProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "sharpness.dll"), .. args, "--out", folder, "--quiet"]);

        Assert.True(run.Code == 0, run.Error);
        Assert.Equal(string.Empty, run.Error);
        Assert.EndsWith($"manifest.json in {folder}\n", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unsupported", run.Output, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) RunProcess(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), $"{file} did not finish in two minutes");
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sharpness.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Sharpness.sln not found above the test binaries.");
    }
}
