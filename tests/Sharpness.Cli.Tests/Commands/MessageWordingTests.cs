using System.Text.RegularExpressions;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>
/// What the commands print is read by people: counted nouns agree with their numbers, reasons are
/// sentences rather than the names of enumeration members, and a value measured at an earlier step
/// says so.
/// </summary>
public partial class MessageWordingTests
{
    [Fact]
    public void NetTrainSaysWhyItStoppedAndMarksAStaleSharpness()
    {
        string dir = CliRunner.NewTemporaryFolder();

        var (code, output, error) = CliRunner.Run(["net", "train", "--dataset", "synthetic", "--train-size", "40", "--width", "8", "--lr", "0.05", "--steps", "4", "--sharpness-every", "2", "--max-matvecs", "30", "--out", dir]);

        Assert.True(code == 0, error);
        Assert.Contains("stopped after 4 steps (the step budget (--steps) was used up)", output);
        Assert.DoesNotContain("StepBudget", output + error);
        // A progress line per step (the run is short): steps 2 and 4 measure the sharpness, steps 1 and 3 repeat the last measurement and say from when.
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(MeasuredHere(), Assert.Single(lines, l => l.StartsWith("step 2/4:", StringComparison.Ordinal)));
        Assert.Matches(MeasuredAtStep2(), Assert.Single(lines, l => l.StartsWith("step 3/4:", StringComparison.Ordinal)));
        Assert.Matches(MeasuredHere(), Assert.Single(lines, l => l.StartsWith("step 4/4:", StringComparison.Ordinal)));
    }

    [Fact]
    public void CountsAgreeWithTheirNouns()
    {
        string run = CliRunner.NewTemporaryFolder();
        Assert.Equal(0, CliRunner.Run("uv", "lyapunov", "--r-min", "1", "--r-max", "1.5", "--points", "5", "--steps", "200", "--transient", "50", "--quiet", "--out", run).ExitCode);
        string copy = CliRunner.NewTemporaryFolder();

        var (code, output, error) = CliRunner.Run("plot", run, "--out", copy, "--quiet");

        Assert.True(code == 0, error);
        Assert.StartsWith("redrew 2 files of the uv lyapunov run", output, StringComparison.Ordinal);
        // r = 1.2 and 1.3 stay bounded; r = 3 is beyond the end of bounded dynamics.
        var bounded = CliRunner.Run("uv", "orbit", "--points", "2", "--r-min", "1.2", "--r-max", "1.3", "--transient", "10", "--keep", "2", "--quiet", "--out", CliRunner.NewTemporaryFolder());
        Assert.Contains("; 0 values diverged;", bounded.Output);
        var diverging = CliRunner.Run("uv", "orbit", "--points", "2", "--r-min", "1.2", "--r-max", "3", "--transient", "10", "--keep", "2", "--quiet", "--out", CliRunner.NewTemporaryFolder());
        Assert.Contains("; 1 value diverged;", diverging.Output);
    }

    [GeneratedRegex(@", sharpness [0-9.eE+-]+, 2/eta = [0-9.eE+-]+$")]
    private static partial Regex MeasuredHere();

    [GeneratedRegex(@", sharpness [0-9.eE+-]+ \(at step 2\), 2/eta = [0-9.eE+-]+$")]
    private static partial Regex MeasuredAtStep2();
}
