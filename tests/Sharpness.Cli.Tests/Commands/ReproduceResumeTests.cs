using System.Diagnostics;
using System.Text.Json.Nodes;
using Sharpness.Runs;

namespace Sharpness.Cli.Tests.Commands;

[Collection(QuickReproductionCollection.Name)]
[Trait("Category", "EndToEnd")]
public class ReproduceResumeTests(QuickReproduction reproduction)
{
    private static string[] Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    private static int CompleteRuns(string folder) =>
        Directory.Exists(folder) ? Directory.GetDirectories(folder).Count(RunDirectory.HoldsCompleteRun) : 0;

    [Fact]
    public void KilledMidwayAndRerunGivesTheUninterruptedReproduction()
    {
        string folder = CliRunner.NewTemporaryFolder();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "sharpness.dll"), "reproduce", "--quick", "--no-net", "--out", folder })
        {
            info.ArgumentList.Add(arg);
        }

        using (var process = Process.Start(info)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (CompleteRuns(folder) < 3 && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.Sleep(5);
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        int kept = CompleteRuns(folder);
        Assert.False(File.Exists(Path.Combine(folder, "manifest.json")), "the reproduction finished before it could be killed");
        Assert.InRange(kept, 3, 13);

        // What an attempt killed while writing leaves in a run folder it had not finished: its lock
        // file, a finished table and a half-written figure.
        Directory.CreateDirectory(Path.Combine(folder, "field-eos"));
        Runs.Safety.FolderLock.Mark(Path.Combine(folder, "field-eos"));
        File.WriteAllText(Path.Combine(folder, "field-eos", "trajectories.csv"), "half a table");
        File.WriteAllText(Path.Combine(folder, "field-eos", "field.png.partial"), "half a figure");

        var (code, output, error) = CliRunner.Run("reproduce", "--quick", "--no-net", "--out", folder);

        Assert.True(code == 0, error);
        Assert.Contains($"resuming the interrupted reproduction in {folder}: {kept} of 14 runs complete, kept", error, StringComparison.Ordinal);
        Assert.Contains("claims", output, StringComparison.Ordinal);
        Assert.Equal(kept, JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!["results"]!["runs"]!.AsArray().Count(r => r!["kept_from_earlier_attempt"]!.GetValue<bool>()));

        // Everything but the manifests' times is what the uninterrupted reproduction wrote.
        string[] files = Files(reproduction.Folder);
        Assert.Equal(files, Files(folder));
        foreach (string file in files.Where(f => !f.EndsWith("manifest.json", StringComparison.Ordinal)))
        {
            Assert.True(File.ReadAllBytes(Path.Combine(reproduction.Folder, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder, file))), $"{file} differs from the uninterrupted reproduction's");
        }

        Assert.Equal(File.ReadAllText(Path.Combine(reproduction.Folder, "claims.json")), File.ReadAllText(Path.Combine(folder, "claims.json")));
    }

    [Fact]
    public void AFinishedReproductionIsRefusedAndLeftAlone()
    {
        string[] before = Files(reproduction.Folder);
        byte[] manifest = File.ReadAllBytes(Path.Combine(reproduction.Folder, "manifest.json"));

        var (code, _, error) = CliRunner.Run("reproduce", "--quick", "--no-net", "--out", reproduction.Folder);

        Assert.Equal(2, code);
        Assert.Contains("already holds a finished reproduction", error, StringComparison.Ordinal);
        Assert.Contains("sharpness plot", error, StringComparison.Ordinal);
        Assert.Equal(before, Files(reproduction.Folder));
        Assert.Equal(manifest, File.ReadAllBytes(Path.Combine(reproduction.Folder, "manifest.json")));
    }

    [Theory]
    [InlineData("quick", "--no-net")]
    [InlineData("no_net", "--quick", "--data-dir", "/nonexistent/fashion-mnist")]
    public void AnInterruptedReproductionWithOtherOptionsIsRefused(string difference, params string[] options)
    {
        // An interrupted `reproduce --quick --no-net`: its plan and its first run.
        string folder = CliRunner.NewTemporaryFolder();
        Directory.CreateDirectory(Path.Combine(folder, "uv-default"));
        File.Copy(Path.Combine(reproduction.Folder, "plan.json"), Path.Combine(folder, "plan.json"));
        foreach (string file in Directory.GetFiles(Path.Combine(reproduction.Folder, "uv-default")))
        {
            File.Copy(file, Path.Combine(folder, "uv-default", Path.GetFileName(file)));
        }

        string[] before = Files(folder);
        var (code, _, error) = CliRunner.Run(["reproduce", .. options, "--out", folder]);

        Assert.Equal(2, code);
        Assert.Contains("holds an interrupted reproduction with other settings", error, StringComparison.Ordinal);
        Assert.Contains($"({difference}", error, StringComparison.Ordinal);
        Assert.Equal(before, Files(folder));
    }

    [Fact]
    public void AFolderWithoutAPlanIsNotResumed()
    {
        string folder = CliRunner.NewTemporaryFolder();
        Directory.CreateDirectory(Path.Combine(folder, "uv-default"));
        File.WriteAllText(Path.Combine(folder, "uv-default", "trajectory.csv"), "step\n0\n");

        var (code, _, error) = CliRunner.Run("reproduce", "--quick", "--no-net", "--out", folder);

        Assert.Equal(2, code);
        Assert.Contains("holds no plan.json", error, StringComparison.Ordinal);
        Assert.Equal(["uv-default/trajectory.csv"], Files(folder));
    }
}
