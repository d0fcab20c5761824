using System.Text.Json.Nodes;
using Sharpness.Runs;

namespace Sharpness.Web.Tests.TestSupport;

/// <summary>Writes run folders as the commands write them (CSV by <see cref="CsvTable"/>, manifest by <see cref="RunDirectory"/>).</summary>
public static class RunFolders
{
    public static string Write(string root, string relative, string command, string csvName, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<double>> rows, JsonObject? configuration = null, JsonObject? results = null, bool complete = true)
    {
        string folder = Path.Combine(root, relative);
        var run = RunDirectory.Create(folder, [csvName]);
        run.WriteAtomic(csvName, stream => CsvTable.Write(stream, columns, rows));
        if (complete)
        {
            run.WriteManifest(new RunManifest
            {
                Command = command,
                Arguments = [.. command.Split(' ')],
                Configuration = configuration ?? new JsonObject(),
                Seed = 0,
                StartedUtc = DateTimeOffset.UtcNow,
                FinishedUtc = DateTimeOffset.UtcNow,
                Results = results ?? new JsonObject(),
                Files = [csvName],
            });
        }

        return folder;
    }
}
