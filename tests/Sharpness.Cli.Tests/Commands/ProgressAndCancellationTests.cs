using System.Text.Json.Nodes;
using Sharpness.Cli.Tests.TestSupport;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Uv;
using Sharpness.Runs;

namespace Sharpness.Cli.Tests.Commands;

/// <summary>The commands as thin shells: progress reaches an outer reporter, cancellation stops at a step boundary with exit 130 and nothing written, and the library call writes what the command writes.</summary>
public class ProgressAndCancellationTests
{
    [Fact]
    public void ACommandRunInsideAnotherReportsToItsProgressAndDrawsNothing()
    {
        var recorder = new Recorder();
        var output = new StringWriter();
        var error = new StringWriter();

        int code = Program.Run(["uv", "phase", "--c-points", "5", "--r-points", "4", "--steps", "50", "--out", CliRunner.NewTemporaryFolder()], output, error, recorder, CancellationToken.None);

        Assert.True(code == 0, error.ToString());
        Assert.Equal(string.Empty, error.ToString());
        var last = recorder.Items[^1];
        Assert.Equal(("uv phase", "cells", 20L, 20L), (last.Task, last.Unit, last.Completed, last.Total!.Value));
    }

    [Fact]
    public void QuietReportsNothing()
    {
        var recorder = new Recorder();

        int code = Program.Run(["uv", "simulate", "--steps", "20", "--quiet"], new StringWriter(), new StringWriter(), recorder, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Empty(recorder.Items);
    }

    [Fact]
    public void ACancelledRunExitsWith130AndWritesNothing()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        string folder = CliRunner.NewTemporaryFolder();
        var error = new StringWriter();

        int code = Program.Run(["uv", "orbit", "--points", "50", "--out", folder], new StringWriter(), error, null, cancellation.Token);

        Assert.Equal(130, code);
        Assert.StartsWith("interrupted:", error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void ASweepCancelledDuringARunStopsThereAndTheRerunCompletesIt()
    {
        string spec = Path.Combine(Path.GetTempPath(), $"sweep-{Guid.NewGuid():N}.toml");
        File.WriteAllText(spec, "command = \"uv simulate\"\n[base]\nsteps = 200000\nwidth = 500\n[grid]\nlr = [0.001, 0.002, 0.003]\n");
        string results = CliRunner.NewTemporaryFolder();
        using var cancellation = new CancellationTokenSource();
        // The first snapshot of a run is always sent (at step 0, from inside the run), so cancelling on
        // any snapshot before the last stops the run mid-way however fast the machine is.
        var recorder = new Recorder(s =>
        {
            if (s.Task.StartsWith("sweep/", StringComparison.Ordinal) && s.Task.EndsWith("/uv simulate", StringComparison.Ordinal) && s.Completed < s.Total)
            {
                cancellation.Cancel();
            }
        });
        var output = new StringWriter();

        int code = Program.Run(["sweep", "run", spec, "--out", results], output, new StringWriter(), recorder, cancellation.Token);

        Assert.Equal(130, code);
        Assert.Contains("interrupted: stopped the running points at a step boundary", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("summary: 0 done, 0 skipped, 0 failed", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetDirectories(results), RunDirectory.HoldsCompleteRun);

        File.WriteAllText(spec, "command = \"uv simulate\"\n[base]\nsteps = 200\nwidth = 500\n[grid]\nlr = [0.001, 0.002, 0.003]\n");
        var rerun = CliRunner.Run("sweep", "run", spec, "--out", results);
        Assert.Contains("summary: 3 done, 0 skipped, 0 failed", rerun.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCommandWritesWhatTheLibraryCallAndItsWriterWrite()
    {
        string command = CliRunner.NewTemporaryFolder();
        string library = CliRunner.NewTemporaryFolder();
        var (code, _, error) = CliRunner.Run("uv", "orbit", "--axis", "c", "--r-min", "1", "--r-max", "4", "--points", "60", "--transient", "100", "--keep", "20", "--width", "12", "--param", "mup", "--warm-start", "--direction", "both", "--out", command);
        Assert.True(code == 0, error);

        var options = new UvOrbitOptions { Axis = OrbitAxis.C, Min = 1, Max = 4, Points = 60, Transient = 100, Keep = 20, WarmStart = true, Direction = Sharpness.Uv.Dynamics.SweepDirection.Both, Model = new UvModelOptions { Width = 12, Param = Sharpness.Uv.Model.Parameterisation.MuP } };
        UvOrbitWriter.Write(UvOrbitWriter.Prepare(library), UvOrbitExperiment.Run(options));

        foreach (string file in new[] { "orbit.csv", "orbit.png" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(command, file)), File.ReadAllBytes(Path.Combine(library, file)));
        }

        JsonNode Manifest(string folder) => JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")))!;
        Assert.True(JsonNode.DeepEquals(Manifest(command)["configuration"], Manifest(library)["configuration"]));
        Assert.Equal(Manifest(command)["results"]!["rows"]!.GetValue<long>(), Manifest(library)["results"]!["rows"]!.GetValue<long>());
    }
}
