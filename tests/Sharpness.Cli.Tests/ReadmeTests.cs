using System.CommandLine;

namespace Sharpness.Cli.Tests;

public class ReadmeTests
{
    [Fact]
    public void EveryCommandAndOptionIsDocumentedInTheReadme()
    {
        string readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        var root = Program.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, []));
        var missing = new List<string>();
        foreach (var (path, command) in Leaves(root, "sharpness"))
        {
            if (!readme.Contains($"`{path}`", StringComparison.Ordinal))
            {
                missing.Add(path);
            }

            foreach (var option in command.Options.Where(o => o.Name is not ("--help" or "--version")))
            {
                if (!readme.Contains($"`{option.Name}", StringComparison.Ordinal))
                {
                    missing.Add($"{path} {option.Name}");
                }
            }
        }

        Assert.True(missing.Count == 0, "README.md does not document: " + string.Join(", ", missing));
    }

    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path)
    {
        if (command.Subcommands.Count == 0)
        {
            yield return (path, command);
        }

        foreach (var sub in command.Subcommands)
        {
            foreach (var leaf in Leaves(sub, $"{path} {sub.Name}"))
            {
                yield return leaf;
            }
        }
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
}
