using System.Text.Json.Nodes;
using Sharpness.Experiments.Runs;
using Sharpness.Experiments.Uv;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Tests.Uv;

/// <summary>
/// The streaming path of <c>uv orbit</c> (UvOrbitWriter.Run: iterates written to orbit.csv as they are
/// computed and then dropped, the figure drawn from the numbers written) against the in-memory path
/// (UvOrbitExperiment.Run, then UvOrbitWriter.Write): the same files, byte for byte.
/// </summary>
public class UvOrbitStreamingTests
{
    public static TheoryData<string> Sweeps => new()
    {
        "r",       // cold starts over r, some values diverging
        "warm",    // warm starts up and down (the pass column)
        "eta",     // the physical learning-rate axis (an extra column)
    };

    private static UvOrbitOptions Options(string kind) => kind switch
    {
        "r" => new UvOrbitOptions { Min = 0.8, Max = 3.2, Points = 150, Transient = 300, Keep = 12 },
        "warm" => new UvOrbitOptions { Min = 0.9, Max = 1.4, Points = 40, Transient = 200, Keep = 8, WarmStart = true, Direction = SweepDirection.Both },
        _ => new UvOrbitOptions { Axis = OrbitAxis.Eta, Min = 0.2, Max = 1.2, Points = 70, Transient = 100, Keep = 5, Model = new UvModelOptions { Width = 8 } },
    };

    [Theory]
    [MemberData(nameof(Sweeps))]
    public void StreamingWritesTheFilesOfTheInMemoryPath(string kind)
    {
        var options = Options(kind);
        string kept = Folder(), streamed = Folder();

        UvOrbitWriter.Write(UvOrbitWriter.Prepare(kept), UvOrbitExperiment.Run(options));
        var (result, files) = UvOrbitWriter.Run(UvOrbitWriter.Prepare(streamed), options);

        Assert.Empty(result.Samples);
        Assert.Equal(["orbit.csv", "orbit.png"], files);
        Assert.Equal(File.ReadAllBytes(Path.Combine(kept, "orbit.csv")), File.ReadAllBytes(Path.Combine(streamed, "orbit.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(kept, "orbit.png")), File.ReadAllBytes(Path.Combine(streamed, "orbit.png")));
        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(kept, "manifest.json")))!;
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(streamed, "manifest.json")))!;
        Assert.Equal(a["configuration"]!.ToJsonString(), b["configuration"]!.ToJsonString());
        foreach (string key in new[] { "rows", "diverged_values", "map_steps", "plotted_points", "flip_points_marked", "model_initial" })
        {
            Assert.Equal(a["results"]![key]?.ToJsonString(), b["results"]![key]?.ToJsonString());
        }
    }

    [Fact]
    public void OnlyTheInMemoryPathNeedsMemoryForEverySample()
    {
        // 10^10 samples: 160 GB held at once, about 1.5 GB at most streamed (the values in flight).
        var options = new UvOrbitOptions { Min = 0.8, Max = 3.2, Points = 1_000_000, Transient = 0, Keep = 10_000 };
        options.Validate();
        var refused = Assert.Throws<InvalidOptionException>(options.CheckInMemory);
        Assert.Equal("--points", refused.Option);
        Assert.Contains("held in memory", refused.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOptionException>(() => UvOrbitExperiment.Run(options));
    }

    [Fact]
    public void TheCountsOfAStreamedRunAreThoseOfItsSamples()
    {
        var options = Options("r");
        var seen = new List<OrbitSamples>();

        var streamed = UvOrbitExperiment.Run(options, seen.Add);
        var kept = UvOrbitExperiment.Run(options);

        Assert.Empty(streamed.Samples);
        Assert.Equal(kept.Samples.Select(s => (s.Index, s.Pass)), seen.Select(s => (s.Index, s.Pass)));
        Assert.Equal(seen.Sum(s => (long)UvOrbitResult.FiniteCount(s)), streamed.Rows);
        Assert.Equal(seen.Count(s => s.DivergedAtStep is not null), streamed.DivergedValues);
        int stride = UvOrbitFigures.Stride(options.Points, options.Keep, options.TwoPasses);
        Assert.Equal(seen.Sum(s => (long)Enumerable.Range(0, UvOrbitResult.FiniteCount(s)).Count(k => k % stride == 0)), streamed.PlottedPoints);
        Assert.True(streamed.DivergedValues > 0, "the sweep reaches past the end of bounded dynamics");
        Assert.Equal((kept.Rows, kept.DivergedValues, kept.PlottedPoints), (streamed.Rows, streamed.DivergedValues, streamed.PlottedPoints));
    }

    [Fact]
    public void ACancelledStreamingRunLeavesNothingBehind()
    {
        string folder = Folder();
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        // The CSV writer starts with the sweep; the sweep stops at its first value.
        Assert.ThrowsAny<OperationCanceledException>(() => UvOrbitWriter.Run(UvOrbitWriter.Prepare(folder), Options("r"), null, cancel.Token));

        Assert.False(Directory.Exists(folder), "the cancelled run left its folder behind");
    }

    [Fact]
    public void AResultWithoutSamplesIsNotWrittenAsIfEmpty()
    {
        var (result, _) = UvOrbitWriter.Run(UvOrbitWriter.Prepare(Folder()), Options("r"));

        Assert.Throws<ArgumentException>(() => UvOrbitWriter.Write(UvOrbitWriter.Prepare(Folder()), result));
    }

    private static string Folder() => Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));
}
