using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Reproduction;

namespace Sharpness.Experiments.Tests.Reproduction;

/// <summary>A temporary reproduction folder in which tests write the manifests and tables a claim reads, by hand.</summary>
internal sealed class RunFolders : IDisposable
{
    public RunFolders()
    {
        Folder = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public ReproductionRuns Runs(IReadOnlyDictionary<string, string>? skipped = null) => new(Folder, skipped);

    public void Manifest(string run, JsonObject results, JsonObject? configuration = null)
    {
        Directory.CreateDirectory(Path.Combine(Folder, run));
        var manifest = new JsonObject { ["configuration"] = configuration ?? new JsonObject(), ["results"] = results, ["complete"] = true };
        File.WriteAllText(Path.Combine(Folder, run, "manifest.json"), manifest.ToJsonString());
    }

    public void Table(string run, string file, string[] columns, IEnumerable<IEnumerable<object>> rows)
    {
        string path = Path.Combine(Folder, run, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, [string.Join(',', columns), .. rows.Select(r => string.Join(',', r.Select(Cell)))]);
    }

    private static string Cell(object value) => value switch
    {
        double d => double.IsNaN(d) ? "nan" : d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
