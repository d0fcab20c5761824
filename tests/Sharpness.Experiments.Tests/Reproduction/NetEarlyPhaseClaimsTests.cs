using System.Text.Json.Nodes;
using Sharpness.Experiments.Reproduction;
using Sharpness.Experiments.Reproduction.Claims;

namespace Sharpness.Experiments.Tests.Reproduction;

public class NetEarlyPhaseClaimsTests
{
    private static readonly string[] Columns =
        ["variant", "depth", "width", "seed", "output_ratio", "lambda_h0", "ntk_ratio", "c_loss", "c_loss_bound", "c_sharp", "c_sharp_bound", "c_max", "c_max_bound", "c_loss_ntk", "c_first_step_ntk", "ordering"];

    private static object[] Row(string variant, double cLoss, string cLossBound, double ntkRatio, string ordering, double cSharp = 3, double cMax = 4) =>
        [variant, 2, 64, 0, variant == "zero-readout" ? 0 : 3.1, 10.0, ntkRatio, cLoss, cLossBound, cSharp, "=", cMax, "=", cLoss * ntkRatio, 2.5, ordering];

    private static RunFolders Write(double step, params object[][] rows)
    {
        var runs = new RunFolders();
        runs.Manifest(ExperimentList.NetEarlyPhase, new JsonObject(), new JsonObject { ["x_step"] = step });
        runs.Table(ExperimentList.NetEarlyPhase, "critical.csv", Columns, rows);
        return runs;
    }

    [Fact]
    public void ZeroReadoutCLossJustAboveTwoAgainstTheNtkIsReproduced()
    {
        // 2.144 is the first grid value above 2 with steps of 2^0.1: the bracket (2.0005, 2.144] holds 2.
        using var runs = Write(0.1, Row("zero-readout", 2.144, "=", 1.0, "fails"), Row("zero-readout", 2.297, "=", 0.99, "fails"));

        var result = new NetZeroReadoutCLoss().Evaluate(runs.Runs());

        Assert.Equal(Verdict.Reproduced, result.Verdict);
        Assert.Equal("c_loss against the NTK: 2.144, 2.274; against lambda_H(0): 2.144, 2.297", result.Measured.GetValue<string>());
    }

    [Fact]
    public void ZeroReadoutCLossFarFromTwoIsNotReproduced()
    {
        // 3.0 on a grid of 2^0.1: the bracket (2.80, 3.0] misses [2/2^0.25, 2*2^0.25] = [1.68, 2.38].
        using var runs = Write(0.1, Row("zero-readout", 3.0, "=", 1.0, "fails"));

        Assert.Equal(Verdict.NotReproduced, new NetZeroReadoutCLoss().Evaluate(runs.Runs()).Verdict);
    }

    [Fact]
    public void ACoarseGridOrABoundCannotDecideTheZeroReadoutClaim()
    {
        // The old quick size: steps of 2^0.5, wider than the tolerance 2^0.25.
        using var coarse = Write(0.5, Row("zero-readout", 2.828, "=", 0.93, "fails"));
        using var bound = Write(0.1, Row("zero-readout", 0.5, "<=", 1.0, "fails"));

        var coarseResult = new NetZeroReadoutCLoss().Evaluate(coarse.Runs());
        var boundResult = new NetZeroReadoutCLoss().Evaluate(bound.Runs());

        Assert.Equal(Verdict.NotDecided, coarseResult.Verdict);
        Assert.Equal("grid too coarse: neighbouring c are 2^0.5 apart, more than the tolerance 2^0.25", coarseResult.Reason);
        Assert.Equal(Verdict.NotDecided, boundResult.Verdict);
    }

    [Fact]
    public void TheOrderingIsDecidedOnStandardInitialisationsOnly()
    {
        using var holds = Write(0.2, Row("sp", 3.9, "=", 1.0, "holds"), Row("sp", 4.6, "=", 1.0, "holds-within-grid-step"), Row("zero-readout", 2.1, "=", 1.0, "fails"));
        using var fails = Write(0.2, Row("sp", 3.9, "=", 1.0, "holds"), Row("sp", 4.6, "=", 1.0, "fails"));
        using var undetermined = Write(0.2, Row("sp", 64, ">=", 1.0, "undetermined"), Row("zero-readout", 2.1, "=", 1.0, "fails"));
        using var withinAStep = Write(0.2, Row("sp", 3.5, "=", 1.0, "holds-within-grid-step", cSharp: 4.59, cMax: 4), Row("zero-readout", 2.1, "=", 1.0, "fails"));

        var held = new NetCriticalOrdering().Evaluate(holds.Runs());

        Assert.Equal(Verdict.Reproduced, held.Verdict);
        Assert.Equal("holds for 2 initialisations (1 on the grid, 1 within a grid step), fails for 0, undetermined for 0; zero readout, predicted to fail: holds 0, fails 1", held.Measured.GetValue<string>());
        Assert.Equal(Verdict.NotReproduced, new NetCriticalOrdering().Evaluate(fails.Runs()).Verdict);
        Assert.Equal(Verdict.NotDecided, new NetCriticalOrdering().Evaluate(undetermined.Runs()).Verdict);

        // c_sharp one grid step above c_max on the only initialisation: consistent within the resolution, not shown.
        var within = new NetCriticalOrdering().Evaluate(withinAStep.Runs());
        Assert.Equal(Verdict.NotDecided, within.Verdict);
        Assert.Contains("only within a grid step", within.Reason, StringComparison.Ordinal);
    }
}
