using System.CommandLine;
using Sharpness.Cli.Figures;
using Sharpness.Runs;
using Sharpness.Runs.Safety;

namespace Sharpness.Cli.Commands;

/// <summary>
/// <c>sharpness plot RUN_DIR</c>: redraws a run's figures (and a reproduction's reports) from its
/// saved CSV and manifest, with the renderer registered for the command that made it
/// (<see cref="RunFigures"/>); nothing is recomputed.
/// </summary>
public sealed class PlotCommand
{
    private readonly Argument<DirectoryInfo> _run = new("RUN_DIR") { Description = "A complete run folder (it has manifest.json): of uv simulate, uv orbit, uv lyapunov, uv phase, uv field, net train or reproduce." };
    private readonly Option<DirectoryInfo?> _out = new("--out") { Description = "Folder for the figures (created when missing; it must not hold another run). Default: RUN_DIR itself, whose figures are replaced atomically." };

    /// <summary>Builds the command.</summary>
    /// <param name="context">Writers and raw arguments.</param>
    public static Command Create(CliContext context)
    {
        var definition = new PlotCommand();
        var command = new Command("plot", "Redraw a run's figures (and a reproduction's report.md and index.html) from its saved CSV and manifest.json, without recomputing anything.");
        command.Arguments.Add(definition._run);
        command.Options.Add(definition._out);
        command.SetAction(parse => definition.Execute(parse, context));
        return command;
    }

    private int Execute(ParseResult parse, CliContext context)
    {
        string runFolder = parse.GetValue(_run)!.FullName;
        string target = parse.GetValue(_out)?.FullName ?? runFolder;
        if (File.Exists(target))
        {
            throw new UsageException("--out", $"'{target}' is a file, not a folder.");
        }

        if (!SamePath(target, runFolder) && File.Exists(Path.Combine(target, RunDirectory.ManifestFileName)))
        {
            throw new UsageException("--out", $"'{target}' holds another run ({RunDirectory.ManifestFileName} exists); give a folder without a run, or omit --out to redraw in RUN_DIR.");
        }

        SavedRun run;
        IReadOnlyList<RenderedFile> files;
        try
        {
            run = SavedRun.Load(runFolder);
            files = RunFigures.Render(run);
        }
        catch (RunDataException e)
        {
            throw new UsageException("RUN_DIR", e.Message);
        }

        if (files.Count == 0)
        {
            context.Output.WriteLine($"nothing to draw: this {run.Command} run has no figures ({runFolder})");
            return ExitCodes.Success;
        }

        if (files.FirstOrDefault(f => f.Path.Split('/').Any(part => !PathSegment.IsSafe(part))) is { } escaping)
        {
            throw new UsageException("RUN_DIR", $"the figure path '{PathSegment.Printable(escaping.Path)}' would leave the output folder; nothing is written.");
        }

        bool inPlace = SamePath(target, runFolder);
        if (!inPlace && Directory.Exists(target) && !FolderLock.IsMarked(target)
            && files.FirstOrDefault(f => FileEntry.Exists(Path.Combine(target, f.Path))) is { } foreign)
        {
            throw new UsageException("--out", $"'{Path.Combine(target, foreign.Path)}' exists and was not written by the toolkit (no {FolderLock.FileName} in '{target}'); give a new or empty folder.");
        }

        RunDirectory root;
        try
        {
            root = RunDirectory.Open(target);
        }
        catch (Exception e) when (e is RunFolderException or FolderInUseException)
        {
            throw new UsageException(inPlace ? "RUN_DIR" : "--out", e.Message);
        }

        var folders = new Dictionary<string, RunDirectory>(StringComparer.Ordinal) { [string.Empty] = root };
        foreach (var file in files)
        {
            int slash = file.Path.LastIndexOf('/');
            string sub = slash < 0 ? string.Empty : file.Path[..slash];
            if (!folders.TryGetValue(sub, out var directory))
            {
                directory = RunDirectory.Open(Path.Combine(target, sub), locked: false);
                folders[sub] = directory;
            }

            directory.WriteBytesAtomic(file.Path[(slash + 1)..], file.Content);
        }

        context.Output.WriteLine($"redrew {files.Count} files of the {run.Command} run in {target} from its data:");
        foreach (var file in files)
        {
            context.Output.WriteLine($"  {file.Path}");
        }

        return ExitCodes.Success;
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}
