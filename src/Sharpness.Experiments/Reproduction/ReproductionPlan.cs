using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Runs;

namespace Sharpness.Experiments.Reproduction;

/// <summary>The options of a reproduction.</summary>
public sealed record ReproductionOptions
{
    /// <summary>Default dataset folder of the real-network part.</summary>
    public const string DefaultDataDir = "/usr/share/datasets/fashion-mnist";

    /// <summary>The reproduction's folder: new or empty, or an interrupted reproduction with the same plan (resumed).</summary>
    public required string Folder { get; init; }

    /// <summary>Quick sizes (every claim decided in a few minutes on two cores) instead of the full ones (about 13 minutes on two cores, 20 with one job).</summary>
    public bool Quick { get; init; }

    /// <summary>Skip the real-network part even when the dataset is installed.</summary>
    public bool NoNet { get; init; }

    /// <summary>Fashion-MNIST folder of the real-network part; the part is skipped when it does not exist.</summary>
    public string DataDir { get; init; } = DefaultDataDir;

    /// <summary>
    /// Experiments running side by side, each single-threaded (1: one after another); null (the default) for the
    /// cores available to the process. Lowered to the experiments left to run and to what fits in memory (see
    /// <see cref="Jobs.JobPlan"/>). Not part of the plan: every file is the same whatever the jobs.
    /// </summary>
    public int? Jobs { get; init; }
}

/// <summary>
/// What a reproduction will run: the experiments of <see cref="ExperimentList"/> at the chosen size,
/// their command lines, and the real-network part's status. Written first as plan.json; a later
/// attempt on the same folder resumes only when its plan is the same.
/// </summary>
public sealed class ReproductionPlan
{
    /// <summary>The plan file.</summary>
    public const string PlanFile = "plan.json";

    private ReproductionPlan(ReproductionOptions options, string? netSkipReason, IReadOnlyList<PlannedRun> runs)
    {
        Options = options;
        NetSkipReason = netSkipReason;
        Runs = runs;
    }

    /// <summary>The options.</summary>
    public ReproductionOptions Options { get; }

    /// <summary>Why the real-network part is skipped ("--no-net", "install dataset-fashion-mnist"), or null when it runs.</summary>
    public string? NetSkipReason { get; }

    /// <summary>The experiments that run, in order, with their arguments.</summary>
    public IReadOnlyList<PlannedRun> Runs { get; }

    /// <summary>The experiments that do not run, each with the reason.</summary>
    public IReadOnlyDictionary<string, string> Skipped =>
        NetSkipReason is null
            ? new Dictionary<string, string>()
            : ExperimentList.All.Where(e => e.RealNetwork).ToDictionary(e => e.Name, _ => NetSkipReason);

    /// <summary>Plans a reproduction.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="InvalidOptionException">The data folder is a file, a device, a pipe or a dangling link (a folder that does not exist skips the real-network part).</exception>
    public static ReproductionPlan Create(ReproductionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.NoNet && !Directory.Exists(options.DataDir) && (File.Exists(options.DataDir) || new FileInfo(options.DataDir).LinkTarget is not null))
        {
            // Only a folder that does not exist means "dataset not installed"; a file, device, pipe or dangling link there is a mistake.
            throw new InvalidOptionException("--data-dir", $"'{options.DataDir}' is not a folder (expected the Fashion-MNIST folder, or a path that does not exist to skip the real-network part).");
        }

        string? netSkipReason = options.NoNet ? "--no-net" : Directory.Exists(options.DataDir) ? null : "install dataset-fashion-mnist";
        var runs = ExperimentList.All
            .Where(e => !e.RealNetwork || netSkipReason is null)
            .Select(e => new PlannedRun(e, Path.Combine(options.Folder, e.Name), e.Arguments(options.Quick, options.Folder, options.DataDir)))
            .ToArray();
        return new ReproductionPlan(options, netSkipReason, runs);
    }

    /// <summary>A command line as shown in plan.json and the reports: paths inside the folder as $out/..., arguments with spaces quoted.</summary>
    /// <param name="arguments">The arguments, after <c>sharpness</c>.</param>
    /// <param name="folder">The reproduction's folder.</param>
    public static string Display(IEnumerable<string> arguments, string folder) =>
        "sharpness " + string.Join(' ', arguments
            .Select(a => a.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? Path.Combine(ReproductionExperiment.OutPlaceholder, Path.GetRelativePath(folder, a)) : a)
            .Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));

    /// <summary>
    /// The order in which the given runs start: the longest expected first
    /// (<see cref="ReproductionExperiment.ExpectedSeconds"/> at this plan's size), ties in the list's order. On
    /// several jobs this is the longest-processing-time rule: the long runs start at once and the short ones fill
    /// the jobs around them, so the wall time is close to the longest run's or to the total over the jobs,
    /// whichever is larger. With one job only the order changes; every file is the same.
    /// </summary>
    /// <param name="indices">Indices into <see cref="Runs"/>.</param>
    public IReadOnlyList<int> StartOrder(IEnumerable<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return [.. indices.OrderByDescending(i => Runs[i].Experiment.ExpectedSeconds(Options.Quick)).ThenBy(i => i)];
    }

    /// <summary>The plan as JSON: what must match for a later attempt to resume (version, options and the command lines, which hold the dataset folder when the network runs).</summary>
    public JsonObject ToJson() => new()
    {
        ["experiment_list_version"] = ExperimentList.Version,
        ["quick"] = Options.Quick,
        ["no_net"] = Options.NoNet,
        ["net"] = NetSkipReason is null ? "run" : "skipped: " + NetSkipReason,
        ["experiments"] = new JsonArray(Runs.Select(r => (JsonNode?)new JsonObject
        {
            ["name"] = r.Experiment.Name,
            ["command"] = r.Command(Options.Folder),
            ["parts"] = r.Experiment.Shards(Options.Quick),
        }).ToArray()),
    };

    /// <summary>
    /// Whether the folder is new (false), an interrupted reproduction with this plan (true), or
    /// neither (<see cref="ReproductionFolderException"/>, before anything is written).
    /// </summary>
    /// <exception cref="ReproductionFolderException">The folder holds a finished reproduction, one with another plan, or something else.</exception>
    public bool CheckResumable()
    {
        string folder = Options.Folder;
        if (!Directory.Exists(folder))
        {
            return false;
        }

        if (File.Exists(Path.Combine(folder, RunDirectory.ManifestFileName)))
        {
            throw new ReproductionFolderException($"'{folder}' already holds a finished reproduction ({RunDirectory.ManifestFileName} exists); choose another folder or delete it ('sharpness plot {folder}' redraws its figures and reports).");
        }

        string planPath = Path.Combine(folder, PlanFile);
        if (!File.Exists(planPath))
        {
            // A folder with nothing but temporary files has not started any experiment.
            bool started = Directory.EnumerateFileSystemEntries(folder).Any(entry => !entry.EndsWith(Sharpness.Runs.Safety.SafeFile.TemporarySuffix, StringComparison.Ordinal) && Path.GetFileName(entry) != Sharpness.Runs.Safety.FolderLock.FileName);
            return started
                ? throw new ReproductionFolderException($"'{folder}' is not empty and holds no {PlanFile}, so it is not a reproduction this version can resume; choose an empty or new folder.")
                : false;
        }

        JsonNode? earlier;
        try
        {
            earlier = JsonNode.Parse(Sharpness.Runs.Safety.BoundedFile.ReadAllText(planPath, Sharpness.Runs.Safety.FileKindLimit.Manifest));
        }
        catch (Exception e) when (e is JsonException or Sharpness.Runs.Safety.InputFileException)
        {
            throw new ReproductionFolderException($"'{planPath}' is not valid JSON ({e.Message}); choose another folder or delete it.");
        }

        var plan = ToJson();
        if (!JsonNode.DeepEquals(earlier, plan))
        {
            string key = plan.Select(p => p.Key).FirstOrDefault(k => !JsonNode.DeepEquals(earlier?[k], plan[k])) ?? "(other keys)";
            string Show(JsonNode? value) => value is JsonArray ? "a different list" : value?.ToJsonString() ?? "none";
            throw new ReproductionFolderException($"'{folder}' holds an interrupted reproduction with other settings ({key}: {Show(earlier?[key])} there, {Show(plan[key])} now); rerun with the same options to resume it, or choose another folder.");
        }

        foreach (var run in Runs)
        {
            if (File.Exists(run.Folder) || (Directory.Exists(run.Folder) && new DirectoryInfo(run.Folder).LinkTarget is not null))
            {
                throw new ReproductionFolderException($"'{run.Folder}' is a file or a link, not a run folder of the interrupted reproduction; remove it to resume.");
            }
        }

        return true;
    }
}

/// <summary>An experiment as planned: where it runs and with which arguments.</summary>
/// <param name="Experiment">The experiment.</param>
/// <param name="Folder">Its run folder.</param>
/// <param name="Arguments">Its arguments after <c>sharpness</c>, without <c>--out</c>.</param>
public sealed record PlannedRun(ReproductionExperiment Experiment, string Folder, IReadOnlyList<string> Arguments)
{
    /// <summary>
    /// For one part of an experiment that splits into parts (<see cref="ReproductionExperiment.Shards"/>), its index and the
    /// count: the run trains that part into the folder (<c>--shard i/N</c>) and leaves it incomplete; null for the experiment itself.
    /// </summary>
    public (int Index, int Count)? Shard { get; init; }

    /// <summary>The full arguments, with <c>--shard i/N</c> for a part and <c>--out</c>.</summary>
    public string[] ArgumentsWithOut => Shard is { } part
        ? [.. Arguments, "--shard", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{part.Index}/{part.Count}"), "--out", Folder]
        : [.. Arguments, "--out", Folder];

    /// <summary>The parts of this experiment at the plan's size, or none when it does not split.</summary>
    /// <param name="quick">Quick sizes.</param>
    public IReadOnlyList<PlannedRun> Parts(bool quick)
    {
        int count = Experiment.Shards(quick);
        return count <= 1 ? [] : [.. Enumerable.Range(0, count).Select(i => this with { Shard = (i, count) })];
    }

    /// <summary>The command line as shown (<see cref="ReproductionPlan.Display"/>).</summary>
    /// <param name="folder">The reproduction's folder.</param>
    public string Command(string folder) => ReproductionPlan.Display(ArgumentsWithOut, folder);
}

/// <summary>The reproduction's folder cannot be used (finished, another plan, not a reproduction); nothing was written.</summary>
/// <param name="message">What is wrong and what to do.</param>
public sealed class ReproductionFolderException(string message) : Exception(message);
