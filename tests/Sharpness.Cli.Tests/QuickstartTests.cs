using System.Text.RegularExpressions;
using Sharpness.Runs;

namespace Sharpness.Cli.Tests;

/// <summary>
/// README's Quickstart runs as written: its command prints the lines the README shows, and what its
/// text says about the run (the first steps, where the sharpness settles, the loss) is what the
/// run's own trajectory.csv holds.
/// </summary>
public partial class QuickstartTests
{
    [Fact]
    public void TheQuickstartCommandPrintsWhatTheReadmeShowsAndItsTextDescribesItsRun()
    {
        string readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        string section = readme[readme.IndexOf("## Quickstart", StringComparison.Ordinal)..readme.IndexOf("### From C#", StringComparison.Ordinal)];
        var blocks = CodeBlock().Matches(section).Select(m => m.Groups["body"].Value.Trim()).ToArray();
        string command = blocks[0];
        Assert.StartsWith("sharpness uv simulate ", command, StringComparison.Ordinal);
        string folder = CliRunner.NewTemporaryFolder();
        string[] args = [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]];
        args[Array.IndexOf(args, "--out") + 1] = folder;

        var (code, output, error) = CliRunner.Run([.. args, "--quiet"]);

        Assert.True(code == 0, error);
        string[] printed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(blocks[1].Split('\n'), printed[..^1]);
        Assert.StartsWith("wrote trajectory.csv, trajectory.png and manifest.json in ", printed[^1], StringComparison.Ordinal);

        var csv = CsvTableReader.ReadNumbers(Path.Combine(folder, "trajectory.csv"), "step", "loss", "sharpness");
        double[] loss = csv[1], sharpness = csv[2];
        double threshold = 2 / 0.737344;
        // "λ_H jumps from 2.44 past 2/η = 2.71 to 3.62 in the first step, falls to 1.09 in the next"
        Assert.Equal(2.44, sharpness[0], 2);
        Assert.Equal(3.62, sharpness[1], 2);
        Assert.True(sharpness[1] > threshold);
        Assert.Equal(1.09, sharpness[2], 2);
        // "oscillates about its final value with an amplitude that shrinks step by step"
        double final = sharpness[^1];
        for (int t = 2; t < 12; t++)
        {
            Assert.True(Math.Sign(sharpness[t] - final) == -Math.Sign(sharpness[t + 1] - final), $"no oscillation about the final value at step {t}");
            Assert.True(Math.Abs(sharpness[t + 1] - final) < Math.Abs(sharpness[t] - final), $"the oscillation grows at step {t}");
        }

        // "settling within about ten steps at λ_H = 2.12, 78% of 2/η (ηλ_H = 1.57)"
        Assert.All(sharpness[10..], v => Assert.True(Math.Abs(v - final) < 0.005 * final));
        Assert.Equal(2.12, final, 2);
        Assert.Equal(0.78, final / threshold, 2);
        Assert.Equal(1.57, 0.737344 * final, 2);
        // "while the loss falls to zero (below 10⁻³⁰ by step 58)"
        Assert.True(loss[58] < 1e-30 && loss[^1] == 0);
        Assert.Contains("λ_H jumps from 2.44 past 2/η = 2.71", section, StringComparison.Ordinal);
        Assert.Contains("settling within about ten steps at λ_H = 2.12, 78% of 2/η", section, StringComparison.Ordinal);
    }

    private static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sharpness.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex("```[a-z]*\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
