using System.Reflection;
using System.Text.RegularExpressions;

namespace Sharpness.Cli.Tests;

/// <summary>
/// The dependency arrows point one way: math at the bottom, I/O and presentation at the top
/// (Core ← Uv ← Nets; Runs; Plots ← Experiments ← Cli), and only the command line talks to the console.
/// </summary>
public partial class ArchitectureTests
{
    [Theory]
    [InlineData("Sharpness.Core", new string[0])]
    [InlineData("Sharpness.Uv", new[] { "Sharpness.Core" })]
    [InlineData("Sharpness.Nets", new[] { "Sharpness.Core", "Sharpness.Uv", "TorchSharp" })]
    [InlineData("Sharpness.Runs", new[] { "Tomlyn", "YamlDotNet", "Parquet" })]
    [InlineData("Sharpness.Plots", new[] { "Sharpness.Core", "Sharpness.Uv", "ScottPlot", "SkiaSharp" })]
    // The real-network experiments pass TorchSharp's types (ScalarType, tensors) through to Nets, whose public API has them.
    [InlineData("Sharpness.Experiments", new[] { "Sharpness.Core", "Sharpness.Uv", "Sharpness.Nets", "Sharpness.Runs", "Sharpness.Plots", "TorchSharp" })]
    public void LibrariesReferenceOnlyTheLayersBelowThem(string assemblyName, string[] allowed)
    {
        var assembly = Assembly.Load(assemblyName);
        var references = assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => !name.StartsWith("System", StringComparison.Ordinal) && name != "netstandard" && name != "mscorlib")
            .ToArray();

        Assert.All(references, name => Assert.Contains(name, allowed));
    }

    [Theory]
    [InlineData("src/Sharpness.Core")]
    [InlineData("src/Sharpness.Uv")]
    public void MathLibrariesDoNoInputOutput(string folder)
    {
        foreach (var (file, text) in Sources(folder))
        {
            Assert.False(IoPattern().IsMatch(text), $"{file} does file or console I/O; keep it in Runs or Cli.");
        }
    }

    [Theory]
    [InlineData("src/Sharpness.Core")]
    [InlineData("src/Sharpness.Uv")]
    [InlineData("src/Sharpness.Nets")]
    [InlineData("src/Sharpness.Runs")]
    [InlineData("src/Sharpness.Plots")]
    [InlineData("src/Sharpness.Experiments")]
    [InlineData("src/Sharpness.Web")]
    public void OnlyTheCommandLineWritesToTheConsole(string folder)
    {
        foreach (var (file, text) in Sources(folder))
        {
            // A usage example in a documentation comment is not a console write.
            string code = string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal)));
            Assert.False(ConsolePattern().IsMatch(code), $"{file} uses the console; report through IProgress<ExperimentProgress> or return the text instead.");
        }
    }

    [Fact]
    public void TheConsoleCheckCatchesAConsoleWriteButNotADocumentationExample()
    {
        Assert.Matches(ConsolePattern(), "        Console.Error.WriteLine(\"x\");");
        Assert.Matches(ConsolePattern(), "var c = System.Console.Out;");
        Assert.DoesNotMatch(ConsolePattern(), "AnsiConsoleOutput is not used here; nor is ConsoleColor");
    }

    [Fact]
    public void NoLibraryReferencesTheCommandLineOrItsPackages()
    {
        foreach (string name in new[] { "Sharpness.Core", "Sharpness.Uv", "Sharpness.Nets", "Sharpness.Runs", "Sharpness.Plots", "Sharpness.Experiments", "Sharpness.Web" })
        {
            var references = Assembly.Load(name).GetReferencedAssemblies().Select(a => a.Name!).ToArray();
            Assert.DoesNotContain("sharpness", references);
            Assert.DoesNotContain("System.CommandLine", references);
            Assert.DoesNotContain("Spectre.Console", references);
        }
    }

    [Fact]
    public void TheCommandLineStaysAThinShell()
    {
        // The experiments live in Sharpness.Experiments; a command parses, calls the entry point and prints (wc -l's count).
        var files = Sources("src/Sharpness.Cli").Select(f => (f.File, Lines: f.Text.Count(c => c == '\n'))).ToArray();
        Assert.All(files, f => Assert.True(f.Lines <= 250, $"{f.File} has {f.Lines} lines (at most 250): move the experiment's logic into Sharpness.Experiments."));
        Assert.True(files.Sum(f => f.Lines) < 3500, $"src/Sharpness.Cli has {files.Sum(f => f.Lines)} lines (fewer than 3,500 expected).");
    }

    private static IEnumerable<(string File, string Text)> Sources(string folder)
    {
        string root = RepositoryRoot();
        string path = Path.Combine(root, folder);
        Assert.True(Directory.Exists(path), $"{path} not found");
        return Directory.EnumerateFiles(path, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path.GetRelativePath(root, f), File.ReadAllText(f)));
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

    [GeneratedRegex(@"\bSystem\.IO\b|\bFile\.|\bDirectory\.|\bFileStream\b|\bStreamWriter\b|\bConsole\.")]
    private static partial Regex IoPattern();

    [GeneratedRegex(@"(?<![A-Za-z])Console\.")]
    private static partial Regex ConsolePattern();
}
