using System.Reflection;

namespace Sharpness.Web.Tests.TestSupport;

public static class Repository
{
    public static string Root
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Sharpness.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Sharpness.sln not found above the test binaries.");
        }
    }

    /// <summary>The build configuration of these tests (Debug or Release), so that the CLI of the same build is run.</summary>
    public static string Configuration => typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "Configuration").Value!;

    public static string CliAssembly => Path.Combine(Root, "src", "Sharpness.Cli", "bin", Configuration, "net10.0", "sharpness.dll");
}
