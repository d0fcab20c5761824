using Sharpness.Experiments.Jobs;
using Sharpness.Nets.Data;
using Sharpness.Nets.Models;
using Sharpness.Nets.Training;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Tests.Jobs;

/// <summary>Networks trained side by side in one process give the bits of the same networks trained one after another.</summary>
public class LibTorchJobsTests
{
    // Loss at every step and every sharpness measurement (eigenvalue, residual, products), as bits.
    private static long[] Train(ulong seed)
    {
        using var splits = SyntheticDatasets.Create(new SyntheticDataOptions { TrainCount = 96, TestCount = 8, InputDimension = 12, OutputDimension = 3, Seed = seed });
        using var model = new FullyConnectedNetwork(new FullyConnectedConfig
        {
            InputDimension = 12,
            OutputDimension = 3,
            Depth = 3,
            Width = 48,
            Seed = seed,
            DType = TorchSharp.torch.ScalarType.Float64,
        });
        var config = new TrainerConfig
        {
            LearningRate = LearningRateSpec.RelativeToInitialSharpness(1.5),
            MaxSteps = 15,
            Threads = 1,
            Tracking = new SharpnessTrackerOptions { Interval = 5, MeasurementExamples = 96 },
        };
        var train = new ExampleSet(splits.Train.Inputs, splits.Train.TargetsFor(config.Loss));
        var result = Trainer.Run(model, config, train);
        return
        [
            .. result.Records.Select(r => BitConverter.DoubleToInt64Bits(r.Loss)),
            .. result.Measurements.SelectMany(m => new[] { BitConverter.DoubleToInt64Bits(m.Sharpness), BitConverter.DoubleToInt64Bits(m.Residuals[0]), m.Matvecs }),
        ];
    }

    [Fact]
    public void NetworksTrainedSideBySideGiveTheBitsOfSerialRuns()
    {
        ulong[] seeds = [1, 2, 3, 4, 5, 6];
        var serial = new long[seeds.Length][];
        var sideBySide = new long[seeds.Length][];

        new JobScheduler(JobPlan.Serial).Run(seeds.Length, (i, _, _) => serial[i] = Train(seeds[i]));
        new JobScheduler(JobPlan.Decide(3, seeds.Length, 0)).Run(seeds.Length, (i, _, _) => sideBySide[i] = Train(seeds[i]));

        for (int i = 0; i < seeds.Length; i++)
        {
            Assert.Equal(serial[i], sideBySide[i]);
        }

        Assert.NotEqual(serial[0], serial[1]);
    }
}
