using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Runs;
using Sharpness.Runs.Sweeps;
using Sharpness.Web.Security;

namespace Sharpness.Web.Runs;

/// <summary>One run folder found under the runs folder.</summary>
/// <param name="Path">Path relative to the runs folder, '/'-separated ("" for the runs folder itself).</param>
/// <param name="Parent">Path of the nearest listed folder above it (an EoS run above its η runs, a reproduction above its experiments, a sweep above its points), or null.</param>
/// <param name="Kind">uv, net, eos, early-phase, predict, fit-uv, reproduce, sweep or unknown.</param>
/// <param name="Command">The command that wrote it (from the manifest), or null.</param>
/// <param name="Status">complete (a manifest saying so), running (no complete manifest, a file written in the last two minutes) or incomplete.</param>
/// <param name="StartedUtc">Start time from the manifest, or null.</param>
/// <param name="FinishedUtc">End time from the manifest, or null.</param>
/// <param name="ModifiedUtc">Latest modification time of a file in the folder.</param>
/// <param name="Seed">Seed from the manifest, or null.</param>
/// <param name="Files">Files in the folder (not sub-folders), sorted.</param>
/// <param name="DataFiles">The CSV files among them.</param>
/// <param name="Configuration">The manifest's configuration values that are numbers, text or booleans.</param>
/// <param name="Results">The manifest's result values that are numbers, text or booleans.</param>
public sealed record RunEntry(
    string Path,
    string? Parent,
    string Kind,
    string? Command,
    string Status,
    string? StartedUtc,
    string? FinishedUtc,
    DateTime ModifiedUtc,
    ulong? Seed,
    IReadOnlyList<string> Files,
    IReadOnlyList<string> DataFiles,
    IReadOnlyDictionary<string, JsonNode?> Configuration,
    IReadOnlyDictionary<string, JsonNode?> Results);

/// <summary>The listing of the runs folder.</summary>
/// <param name="Root">The runs folder (absolute).</param>
/// <param name="Runs">The runs, in path order.</param>
/// <param name="Truncated">Whether the listing stopped at <see cref="ExplorerLimits.MaxRunsListed"/>.</param>
public sealed record RunListing(string Root, IReadOnlyList<RunEntry> Runs, bool Truncated);

/// <summary>
/// Finds the runs under the runs folder: every folder holding a <c>manifest.json</c>, a data file a run is
/// writing (<c>metrics.csv</c>, <c>metrics.csv.partial</c>, <c>trajectory.csv</c>) or a merged sweep
/// (<c>results.csv</c>), down to <see cref="ExplorerLimits.MaxScanDepth"/> levels. Symbolic links and
/// hidden folders are not entered, so the listing never leaves the runs folder.
/// </summary>
public sealed class RunCatalog
{
    /// <summary>Largest manifest read (bytes).</summary>
    public const int MaxManifestBytes = 4 << 20;

    private static readonly TimeSpan RunningWindow = TimeSpan.FromMinutes(2);
    private static readonly string[] DataMarkers = ["metrics.csv", "metrics.csv.partial", "trajectory.csv"];

    private readonly RunPaths _paths;
    private readonly ExplorerLimits _limits;

    /// <summary>Creates the catalogue of a runs folder.</summary>
    /// <param name="paths">The runs folder's resolver.</param>
    /// <param name="limits">Bounds.</param>
    public RunCatalog(RunPaths paths, ExplorerLimits limits)
    {
        _paths = paths ?? throw new ArgumentNullException(nameof(paths));
        _limits = limits ?? throw new ArgumentNullException(nameof(limits));
    }

    /// <summary>Lists the runs.</summary>
    public RunListing List()
    {
        var runs = new List<RunEntry>();
        bool truncated = false;
        var stack = new Stack<(string Folder, int Depth, string? Parent)>();
        stack.Push((_paths.Root, 0, null));
        var found = new List<(string Folder, int Depth, string? Parent)>();
        while (stack.Count > 0)
        {
            var (folder, depth, parent) = stack.Pop();
            string? listedParent = parent;
            if (IsRunFolder(folder))
            {
                if (runs.Count >= _limits.MaxRunsListed)
                {
                    truncated = true;
                    break;
                }

                var entry = Describe(folder, parent);
                if (entry is not null)
                {
                    runs.Add(entry);
                    listedParent = entry.Path;
                }
            }

            if (depth >= _limits.MaxScanDepth)
            {
                continue;
            }

            foreach (string child in SubFolders(folder).OrderByDescending(f => f, StringComparer.Ordinal))
            {
                stack.Push((child, depth + 1, listedParent));
            }
        }

        return new RunListing(_paths.Root, runs.OrderBy(r => r.Path, StringComparer.Ordinal).ToList(), truncated);
    }

    /// <summary>Describes one run folder (resolved inside the runs folder), or throws 404 when it holds no run.</summary>
    /// <param name="folder">Absolute path of the folder.</param>
    public RunEntry Get(string folder)
    {
        if (!Directory.Exists(folder) || !IsRunFolder(folder))
        {
            throw Api.ApiException.NotFound("no run there.");
        }

        return Describe(folder, null) ?? throw Api.ApiException.NotFound("no run there.");
    }

    /// <summary>Reads a run folder's manifest as JSON, or null when it has none (or an unreadable one).</summary>
    /// <param name="folder">Absolute path of the folder.</param>
    public static JsonObject? ReadManifest(string folder)
    {
        string path = System.IO.Path.Combine(folder, RunDirectory.ManifestFileName);
        try
        {
            // A named pipe or a device at the manifest's name would block the request or never end.
            if (Sharpness.Runs.Safety.FileEntry.KindOf(path) != Sharpness.Runs.Safety.FileKind.Regular || new FileInfo(path).Length > MaxManifestBytes)
            {
                return null;
            }

            return JsonNode.Parse(Sharpness.Runs.Safety.BoundedFile.ReadAllText(path, Sharpness.Runs.Safety.FileKindLimit.Manifest)) as JsonObject;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or Sharpness.Runs.Safety.InputFileException)
        {
            return null;
        }
    }

    private static bool IsRunFolder(string folder) =>
        File.Exists(System.IO.Path.Combine(folder, RunDirectory.ManifestFileName))
        || File.Exists(System.IO.Path.Combine(folder, SweepMerger.ResultsCsvFileName))
        || DataMarkers.Any(m => File.Exists(System.IO.Path.Combine(folder, m)));

    private static IEnumerable<string> SubFolders(string folder)
    {
        try
        {
            return Directory.EnumerateDirectories(folder)
                .Where(d => !System.IO.Path.GetFileName(d).StartsWith('.') && !RunPaths.IsLink(d))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private RunEntry? Describe(string folder, string? parent)
    {
        List<FileInfo> files;
        try
        {
            files = new DirectoryInfo(folder).EnumerateFiles()
                .Where(f => f.LinkTarget is null && !f.Name.StartsWith('.'))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var manifest = ReadManifest(folder);
        string? command = manifest?["command"]?.GetValueKind() == JsonValueKind.String ? manifest["command"]!.GetValue<string>() : null;
        bool complete = manifest?["complete"]?.GetValueKind() == JsonValueKind.True;
        DateTime modified = files.Count == 0 ? Directory.GetLastWriteTimeUtc(folder) : files.Max(f => f.LastWriteTimeUtc);
        string status = complete ? "complete"
            : DateTime.UtcNow - modified < RunningWindow ? "running"
            : "incomplete";
        bool sweep = manifest is null && files.Any(f => f.Name == SweepMerger.ResultsCsvFileName);
        string kind = sweep ? "sweep" : KindOf(command, files);
        return new RunEntry(
            _paths.Relative(folder),
            parent,
            kind,
            command,
            sweep ? "complete" : status,
            Text(manifest?["started_utc"]),
            Text(manifest?["finished_utc"]),
            modified,
            manifest?["seed"] is JsonValue seed && seed.TryGetValue(out ulong s) ? s : null,
            files.Select(f => f.Name).ToList(),
            files.Where(f => f.Name.EndsWith(".csv", StringComparison.Ordinal)).Select(f => f.Name).ToList(),
            Scalars(manifest?["configuration"] as JsonObject),
            Scalars(manifest?["results"] as JsonObject));
    }

    /// <summary>The kind of a run from the command that wrote it (or, without a manifest, from its files).</summary>
    /// <param name="command">The manifest's command, or null.</param>
    /// <param name="files">The folder's files.</param>
    private static string KindOf(string? command, List<FileInfo> files) => command switch
    {
        null when files.Any(f => f.Name.StartsWith("metrics.csv", StringComparison.Ordinal)) => "net",
        null when files.Any(f => f.Name == "trajectory.csv") => "uv",
        null => "unknown",
        "net train" => "net",
        "net eos" => "eos",
        "net early-phase" => "early-phase",
        "net predict" => "predict",
        "net fit-uv" => "fit-uv",
        "reproduce" => "reproduce",
        _ when command.StartsWith("uv ", StringComparison.Ordinal) => "uv",
        _ => "unknown",
    };

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    private static Dictionary<string, JsonNode?> Scalars(JsonObject? values)
    {
        var scalars = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (values is null)
        {
            return scalars;
        }

        foreach (var (key, value) in values)
        {
            if (value is null || value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                scalars[key] = value?.DeepClone();
            }
            else if (value is JsonArray array && array.Count <= 16 && array.All(v => v?.GetValueKind() is JsonValueKind.String))
            {
                // Regime labels and similar short lists read as one line.
                scalars[key] = string.Join(' ', array.Select(v => v!.GetValue<string>()));
            }
        }

        return scalars;
    }
}
