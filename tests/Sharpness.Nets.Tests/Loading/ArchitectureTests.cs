using System.Reflection;

namespace Sharpness.Nets.Tests.Loading;

/// <summary>Sharpness.Nets sits above Core and Uv and does no console output.</summary>
public sealed class ArchitectureTests
{
    [Fact]
    public void NetsReferencesOnlyCoreUvAndTorchSharp()
    {
        string[] allowed = ["Sharpness.Core", "Sharpness.Uv", "TorchSharp"];

        var references = typeof(Sharpness.Nets.Hessian.AutogradHessianOperator).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => !name.StartsWith("System", StringComparison.Ordinal) && name != "netstandard" && name != "mscorlib");

        Assert.All(references, name => Assert.Contains(name, allowed));
    }

    [Fact]
    public void CoreAndUvDoNotReferenceTorchSharp()
    {
        foreach (var assembly in new[] { typeof(Sharpness.Core.LinearAlgebra.ILinearOperator).Assembly, typeof(Sharpness.Uv.Model.UvNetwork).Assembly })
        {
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), a => a.Name == "TorchSharp");
        }
    }

    [Fact]
    public void NetsDoesNotWriteToTheConsole()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sharpness.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        string source = Path.Combine(directory.FullName, "src", "Sharpness.Nets");
        var files = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.DoesNotContain("Console.", File.ReadAllText(f), StringComparison.Ordinal));
    }
}
