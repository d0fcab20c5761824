using Sharpness.Experiments.Nets;
using Sharpness.Experiments.Progress;
using Sharpness.Nets.Experiments;
using Sharpness.Experiments.Tests.TestSupport;

namespace Sharpness.Experiments.Tests.Nets;

/// <summary><c>net early-phase</c> as a library call: one initialisation per configuration and seed, its progress in initialisations with a line per probe, cancellation after the current probe.</summary>
public sealed class NetEarlyPhaseExperimentTests
{
    private static NetEarlyPhaseOptions Small() => new()
    {
        Network = new NetworkOptions { Preset = "early", Dataset = "synthetic", TrainSize = 60, TestSize = 0, Optimizer = "gd", MaxMatvecs = 40 }.Resolve(checkSize: false),
        Depths = [2],
        Widths = [8, 16],
        Variants = ["sp", "zero-readout"],
        Seeds = 1,
        CMin = 1,
        CMax = 8,
        XStep = 0.5,
        EarlySteps = 3,
        Jobs = 1, // one after another: the tests follow the runs' order (NetJobsTests runs them side by side)
    };

    [Fact]
    public void EveryConfigurationIsOneInitialisationReportedWithItsProbes()
    {
        var progress = new Recorder<ExperimentProgress>();

        var result = NetEarlyPhaseExperiment.Run(Small(), progress);

        Assert.Equal([(8, "sp"), (16, "sp"), (8, "zero-readout"), (16, "zero-readout")], result.Runs.Select(r => (r.Row.Width, r.Row.Variant)));
        Assert.All(progress.Items, s => Assert.Equal(("net early-phase", "initialisations", 4L), (s.Task, s.Unit, s.Total!.Value)));
        Assert.Equal(4, progress.Items[^1].Completed);
        // A line for the initial measurement, one per probe and one with the constants, for each initialisation.
        int probes = result.Runs.Sum(r => r.Result.Probes.Count);
        Assert.Equal((2 * 4) + probes, progress.Items.Count(s => s.Message is not null));
        Assert.Equal(probes, result.Results["training_runs"]!.GetValue<int>());
        // Every constant is a grid value, and the ordering the summary counts is that of the rows.
        var grid = LearningRateConstantGrid.Create(1, 8, 0.5);
        Assert.All(result.Runs, r => Assert.Contains(r.Row.MaxConstant.Value, Enumerable.Range(0, grid.Count).Select(i => grid[i])));
    }

    [Fact]
    public void CancellingStopsAfterTheCurrentProbe()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new Recorder<ExperimentProgress>(s => { if (s.Message?.Contains(" run c = ", StringComparison.Ordinal) == true) { cancel.Cancel(); } });

        Assert.ThrowsAny<OperationCanceledException>(() => NetEarlyPhaseExperiment.Run(Small(), progress, cancel.Token));

        Assert.Single(progress.Items, s => s.Message?.Contains(" run c = ", StringComparison.Ordinal) == true);
        Assert.Equal(0, progress.Items[^1].Completed);
    }

    [Theory]
    [InlineData("--seeds")]
    [InlineData("--c-max")]
    [InlineData("--early-steps")]
    [InlineData("--variants")]
    public void AnInvalidOptionIsNamedAsTyped(string option)
    {
        var error = Assert.Throws<InvalidOptionException>(() => option switch
        {
            "--seeds" => (Small() with { Seeds = 0 }).Validate(),
            "--c-max" => (Small() with { CMax = 0.5 }).Validate(),
            "--early-steps" => (Small() with { EarlySteps = 0 }).Validate(),
            _ => (Small() with { Variants = NetEarlyPhaseOptions.ParseVariants("sp,mup") }).Validate(),
        });

        Assert.Equal(option, error.Option);
    }
}
