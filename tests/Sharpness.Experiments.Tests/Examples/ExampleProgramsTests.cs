using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Sharpness.Runs;

namespace Sharpness.Experiments.Tests.Examples;

/// <summary>
/// Every program of examples/ runs (<c>dotnet run FILE.cs</c>, as a user runs it) and prints the output
/// examples/README.md documents for it, so the examples and their documentation never rot.
/// </summary>
[Trait("Category", "EndToEnd")]
public partial class ExampleProgramsTests
{
    private static readonly string Root = RepositoryRoot();

    [Fact]
    public void TheUvRegimesExamplePrintsItsDocumentedOutput() => AssertDocumentedOutput("uv-regimes.cs", [], tolerance: 0);

    [Fact]
    public void TheCustomSweepExamplePrintsItsDocumentedOutput() => AssertDocumentedOutput("custom-sweep.cs", [], tolerance: 0);

    [Fact]
    public void TheOrbitDiagramExampleWritesACompleteRunFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));

        AssertDocumentedOutput("orbit-diagram.cs", [folder], tolerance: 0);

        Assert.True(RunDirectory.HoldsCompleteRun(folder));
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], File.ReadAllBytes(Path.Combine(folder, "orbit.png"))[..4]);
    }

    [Fact]
    public void TheNetworkExampleLoadsLibTorchFromAPlainProjectReferenceAndPrintsItsDocumentedOutput()
    {
        // The program references only src/Sharpness.Nets and imports no build targets: that LibTorch
        // loads at all shows that the patched native shim travels with the project reference.
        Assert.True(Directory.Exists("/usr/share/datasets/fashion-mnist"), "Fashion-MNIST is not installed; scripts/setup.sh installs it (apt-get install dataset-fashion-mnist).");

        AssertDocumentedOutput("track-sharpness.cs", [], tolerance: 0.05);
    }

    [Fact]
    public void TheSpectrumExampleMeasuresATorchScriptModuleAndPrintsItsDocumentedOutput() => AssertDocumentedOutput("hessian-spectrum.cs", [], tolerance: 0.001);

    [Fact]
    public void TheComparisonToleratesSmallNumericDifferencesOnlyWhereAllowed()
    {
        Assert.True(SameLine("step 10: loss 0.2011, sharpness 8.190", "step 10: loss 0.2012, sharpness 8.19", 0.05));
        Assert.False(SameLine("step 10: loss 0.2011, sharpness 8.190", "step 10: loss 0.3011, sharpness 8.190", 0.05));
        Assert.False(SameLine("step 60: loss 0.2011", "step 61: loss 0.2011", 0.05));
        Assert.False(SameLine("regimes: catapult", "regimes: chaos", 0.05));
        Assert.False(SameLine("eta*lambda_H 0.9265", "eta*lambda_H 0.9266", 0));
    }

    private static void AssertDocumentedOutput(string example, string[] arguments, double tolerance)
    {
        string[] expected = DocumentedOutput(example);
        string[] actual = Run(example, arguments);

        Assert.True(expected.Length == actual.Length, $"{example} printed {actual.Length} lines, examples/README.md documents {expected.Length}:\n{string.Join('\n', actual)}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(SameLine(expected[i], actual[i], tolerance), $"{example}, line {i + 1}:\n  documented: {expected[i]}\n  printed:    {actual[i]}");
        }
    }

    // The lines of the ```text block that follows the example's heading in examples/README.md.
    private static string[] DocumentedOutput(string example)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Root, "examples", "README.md"));
        int heading = Array.FindIndex(lines, l => l.StartsWith("## ", StringComparison.Ordinal) && l.Contains($"({example})", StringComparison.Ordinal));
        Assert.True(heading >= 0, $"examples/README.md has no section for {example}");
        int start = Array.FindIndex(lines, heading, l => l == "```text") + 1;
        int end = Array.FindIndex(lines, start, l => l == "```");
        return lines[start..end];
    }

    private static string[] Run(string example, string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["run", "-c", "Release", Path.Combine("examples", example), "--", .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(600_000), $"{example} did not finish in ten minutes");
        Assert.True(process.ExitCode == 0, $"{example} exited with {process.ExitCode}:\n{output.Result}\n{error.Result}");
        return output.Result.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
    }

    // Equal text between the numbers; integers equal; decimals equal as written (tolerance 0) or within a relative tolerance.
    private static bool SameLine(string expected, string actual, double tolerance)
    {
        if (tolerance == 0)
        {
            return expected == actual;
        }

        var a = Number().Split(expected);
        var b = Number().Split(actual);
        var x = Number().Matches(expected);
        var y = Number().Matches(actual);
        if (x.Count != y.Count || !a.SequenceEqual(b))
        {
            return false;
        }

        for (int i = 0; i < x.Count; i++)
        {
            bool integers = !x[i].Value.Contains('.', StringComparison.Ordinal) && !y[i].Value.Contains('.', StringComparison.Ordinal);
            double u = double.Parse(x[i].Value, CultureInfo.InvariantCulture), v = double.Parse(y[i].Value, CultureInfo.InvariantCulture);
            if (integers ? u != v : Math.Abs(u - v) > tolerance * Math.Max(Math.Abs(u), Math.Abs(v)))
            {
                return false;
            }
        }

        return true;
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

    [GeneratedRegex(@"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")]
    private static partial Regex Number();
}
