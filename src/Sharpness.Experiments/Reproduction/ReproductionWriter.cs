using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Experiments.Reproduction;

/// <summary>
/// The files of a reproduction's own folder (its experiments write their run folders inside it): plan.json and the
/// initialisation files the experiments read, written first (<see cref="Prepare"/>); claims.json, report.md, a
/// self-contained index.html and manifest.json, last (<see cref="Write"/>).
/// </summary>
public static class ReproductionWriter
{
    /// <summary>The command the manifest records; <c>sharpness plot</c> redraws the folder by it.</summary>
    public const string Command = "reproduce";

    /// <summary>The files of the reproduction's folder besides the manifest and the run folders.</summary>
    public static IReadOnlyList<string> Files { get; } =
        [ReproductionPlan.PlanFile, ExperimentList.Tv3InitFile, ExperimentList.LargeOutputInitFile, ClaimsDocument.FileName, ReproductionReport.MarkdownFile, ReproductionReport.HtmlFile];

    /// <summary>
    /// Claims the folder (new or empty, or the interrupted reproduction of this plan), checks that a new
    /// reproduction's run folders can take their runs, and writes plan.json and the initialisation files.
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="resuming">Whether the folder holds an interrupted reproduction of this plan (<see cref="ReproductionPlan.CheckResumable"/>).</param>
    /// <exception cref="InvalidOptionException">The folder or a run folder cannot be used (<c>--out</c>).</exception>
    public static RunFolder Prepare(ReproductionPlan plan, bool resuming)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var output = RunFolder.Prepare(plan.Options.Folder, [.. Files, .. plan.Runs.Select(r => r.Experiment.Name)]);
        try
        {
            if (!resuming)
            {
                foreach (var run in plan.Runs)
                {
                    if (RunDirectory.CheckUsable(run.Folder, []) is { } problem)
                    {
                        throw new InvalidOptionException("--out", $"run folder {run.Experiment.Name}: {problem}");
                    }
                }
            }

            output.WriteText(ReproductionPlan.PlanFile, plan.ToJson().ToJsonString(JsonOutput.Options) + "\n");
            output.WriteText(ExperimentList.Tv3InitFile, ExperimentList.Tv3Init);
            output.WriteText(ExperimentList.LargeOutputInitFile, ExperimentList.LargeOutputInit);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>Writes claims.json, report.md, index.html and the manifest of a complete reproduction.</summary>
    /// <param name="output">The folder <see cref="Prepare"/> claimed.</param>
    /// <param name="result">The reproduction, complete (<see cref="ReproductionResult.Complete"/>).</param>
    /// <param name="arguments">The command-line arguments the manifest records (none for a reproduction from code).</param>
    public static void Write(RunFolder output, ReproductionResult result, IReadOnlyList<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Complete)
        {
            throw new ArgumentException("The reproduction did not complete; it has no claims to write.", nameof(result));
        }

        var plan = result.Plan;
        var options = plan.Options;
        string folder = options.Folder;
        output.WriteText(ClaimsDocument.FileName, ClaimsDocument.Text(result.Claims, options.Quick));
        var results = new JsonObject
        {
            ["experiment_list_version"] = ExperimentList.Version,
            ["runs"] = new JsonArray([.. result.Runs.Select(r => (JsonNode)new JsonObject
            {
                ["name"] = r.Run.Experiment.Name,
                ["title"] = r.Run.Experiment.Title,
                ["command"] = r.Run.Command(folder),
                ["seconds"] = r.Seconds,
                ["kept_from_earlier_attempt"] = r.Status == ReproductionRunStatus.Kept,
            })]),
            ["claims"] = ClaimsDocument.ToJson(result.Claims, options.Quick)["claims"]!.DeepClone(),
            ["claim_counts"] = ClaimsDocument.Counts(result.Claims),
            ["net"] = plan.NetSkipReason is null ? "run" : "skipped: " + plan.NetSkipReason,
            ["resumed"] = result.Resumed,
            ["seconds"] = result.Elapsed.TotalSeconds,
        };
        var configuration = new JsonObject { ["quick"] = options.Quick, ["no_net"] = options.NoNet, ["data_dir"] = options.DataDir };
        foreach (var report in Reports(SavedRun.Writing(folder, Command, configuration, results), path => BoundedFile.ReadAllBytes(Path.Combine(folder, path), FileKindLimit.Figure)))
        {
            output.WriteBytes(report.Path, report.Content);
        }

        output.Complete(new RunRecord(Command, arguments ?? [], configuration, 0, result.StartedUtc, results, result.Jobs.ToJson()), Files);
    }

    /// <summary>report.md and index.html of a reproduction's folder.</summary>
    /// <param name="run">The folder: configuration quick, results runs (name, title, command), net and experiment_list_version, and claims.json.</param>
    /// <param name="figure">The bytes of a figure, by its path relative to the folder (for index.html, which embeds them).</param>
    /// <exception cref="RunDataException">The manifest or claims.json lacks what the reports need.</exception>
    public static IReadOnlyList<RenderedFile> Reports(SavedRun run, Func<string, byte[]> figure)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(figure);
        bool quick = run.Configuration.Flag("quick");
        string net = run.Results.Text("net");
        string? netSkipReason = net == "run" ? null : net;
        var runs = run.Results.Array("runs").Select(n =>
        {
            string name = RunText(run, n, "name");
            var sub = SavedRun.Load(run.SubFolder(name, "results.runs[].name"));
            var figures = sub.Files.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).Select(f => name + "/" + f).ToArray();
            return new ReportRun(name, RunText(run, n, "title"), RunText(run, n, "command"), figures);
        }).ToList();
        IReadOnlyList<ClaimRecord> claims;
        try
        {
            claims = ClaimsDocument.Read(run.DataFile(ClaimsDocument.FileName));
        }
        catch (InvalidDataException e)
        {
            throw new RunDataException(e.Message);
        }

        int version = run.Results.Integer("experiment_list_version");
        var utf8 = new UTF8Encoding(false);
        return
        [
            new RenderedFile(ReproductionReport.MarkdownFile, utf8.GetBytes(ReproductionReport.Markdown(version, quick, netSkipReason, claims, runs))),
            new RenderedFile(ReproductionReport.HtmlFile, utf8.GetBytes(ReproductionReport.Html(version, quick, netSkipReason, claims, runs, figure))),
        ];
    }

    /// <summary>The names of the runs a reproduction's manifest lists, in order.</summary>
    /// <param name="run">The reproduction's folder.</param>
    /// <exception cref="RunDataException">An entry has no name.</exception>
    public static IEnumerable<string> RunNames(SavedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Results.Array("runs").Select(n => RunText(run, n, "name"));
    }

    /// <summary>The wall time a complete run's manifest records (finished minus started).</summary>
    /// <param name="runFolder">The run folder.</param>
    internal static double RecordedSeconds(string runFolder)
    {
        var manifest = JsonNode.Parse(BoundedFile.ReadAllText(Path.Combine(runFolder, RunDirectory.ManifestFileName), FileKindLimit.Manifest))!;
        var started = DateTimeOffset.Parse(manifest["started_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var finished = DateTimeOffset.Parse(manifest["finished_utc"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        return (finished - started).TotalSeconds;
    }

    private static string RunText(SavedRun run, JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw new RunDataException($"'{SavedRun.ManifestPath(run.Folder)}': an entry of results.runs has no \"{key}\".");
}
