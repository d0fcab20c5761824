using System.Text.Json.Nodes;
using Sharpness.Runs;

namespace Sharpness.Cli.Tests.Safety;

/// <summary>
/// Regression tests for what the fuzz properties of <see cref="NetCommandFuzzTests"/> and
/// <see cref="FolderCommandFuzzTests"/> found, and for the checks added with them: a learning rate
/// relative to an unusable λ_H(0), initial weights that round to zero, a file as the reproduction's
/// data folder, and run files (checkpoints, metrics, orbit tables) larger than the free space.
/// </summary>
public class FuzzFindingTests
{
    private static readonly string[] TinyNet = ["net", "train", "--dataset", "synthetic", "--train-size", "30", "--test-size", "0", "--steps", "2", "--width", "4"];

    [Theory]
    [InlineData("file")]
    [InlineData("/dev/zero")]
    [InlineData("fifo")]
    public void AFileAsTheDataFolderOfAReproductionIsRefused(string kind)
    {
        // Was: taken for a dataset that is not installed, and the reproduction ran without its networks.
        string root = Contract.NewFolder();
        string data = kind switch
        {
            "file" => Path.Combine(root, "data"),
            "fifo" => Path.Combine(root, "pipe"),
            _ => kind,
        };
        if (kind == "file")
        {
            File.WriteAllText(data, "not a folder");
        }
        else if (kind == "fifo")
        {
            Assert.Equal(0, ProcessHelper.Run("mkfifo", data));
        }

        string folder = Path.Combine(root, "reproduction");
        Contract.Refused(HostileRun.Run(TimeSpan.FromSeconds(60), null, "reproduce", "--quick", "--data-dir", data, "--out", folder), folder, "--data-dir", "not a folder");
    }

    [Fact]
    public void ALearningRateRelativeToAnInitialSharpnessThatIsNotFiniteIsRefusedNotABug()
    {
        // Was: "internal failure (InvalidOperationException) ... This is a bug". An output multiplier
        // of 1e200 makes f about 1e200, the loss and λ_H(0) beyond float64.
        string folder = Contract.NewPath();
        var refused = HostileRun.Run([.. TinyNet, "--dtype", "float64", "--output-multiplier", "1e200", "--lr-constant", "1", "--out", folder]);
        Contract.Refused(refused, folder, "--lr-constant", "lambda_H(0)", "not finite");

        // The same model with an absolute learning rate is a result: a run that diverged at step 0, labelled, with its data.
        string run = Contract.NewPath();
        var diverged = HostileRun.Run([.. TinyNet, "--dtype", "float64", "--output-multiplier", "1e200", "--lr", "0.01", "--out", run]);
        Contract.Holds(diverged, run);
        Assert.True(diverged.Code == 0, diverged.ToString());
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(run, RunDirectory.ManifestFileName)))!["results"]!;
        Assert.True(results["diverged"]!.GetValue<bool>());
        Assert.Equal(0, results["diverged_at_step"]!.GetValue<int>());
    }

    [Fact]
    public void AnOrbitRangeTooWideToDrawIsRefusedNotABug()
    {
        // Was: "internal failure (InvalidOperationException): limits returned by the autoscaler must always be
        // in a good state": the figure's axis padded a range about as wide as the largest double to infinity.
        string folder = Contract.NewPath();
        var refused = HostileRun.Run("uv", "orbit", "--points", "3", "--transient", "5", "--keep", "3", "--r-min", "2147483647", "--r-max", "1.7976931348623157e308", "--out", folder);
        Contract.Refused(refused, folder, "--r-max", "wider than a figure's axis can span");

        // A range a thousand times narrower is drawn.
        string drawn = Contract.NewPath();
        var result = HostileRun.Run("uv", "orbit", "--points", "3", "--transient", "5", "--keep", "3", "--r-min", "2147483647", "--r-max", "1e300", "--out", drawn);
        Contract.Holds(result, drawn);
        Assert.True(result.Code == 0, result.ToString());
    }

    [Fact]
    public void AnEarlyPhaseRunWhoseInitialSharpnessIsNotFiniteEndsWithAnErrorNotABug()
    {
        // λ_H(0) is measured after the configuration's progress line, so that line comes first; the error is the last.
        string folder = Contract.NewPath();
        var result = HostileRun.Run(TimeSpan.FromSeconds(90), null, "net", "early-phase", "--dataset", "synthetic", "--train-size", "20", "--depths", "2", "--widths", "4", "--seeds", "1",
            "--variants", "sp", "--c-min", "0.5", "--c-max", "4", "--x-step", "1", "--early-steps", "3", "--dtype", "float64", "--output-multiplier", "1e200", "--out", folder);
        Assert.True(result.Code == 2, result.ToString());
        Assert.StartsWith("error: --c-min: ", result.ErrorLines[^1], StringComparison.Ordinal);
        Assert.Contains("lambda_H(0)", result.ErrorLines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("This is a bug", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), result.ToString());
    }

    [Fact]
    public void ARelativeLearningRateBeyondFloat32IsADivergedRunNotABug()
    {
        // Was (early-phase --c-max 1e308, found by the fuzz suite): "internal failure (ExternalException): value
        // cannot be converted to type float without overflow". eta = c/lambda_H(0) beyond 3.4e38 makes a float32
        // step infinite: the probe or run diverges.
        string early = Contract.NewPath();
        var probes = HostileRun.Run(TimeSpan.FromSeconds(90), null, "net", "early-phase", "--dataset", "synthetic", "--train-size", "20", "--depths", "2", "--widths", "4", "--seeds", "1",
            "--variants", "sp", "--c-min", "0.5", "--c-max", "1e308", "--x-step", "256", "--early-steps", "3", "--out", early);
        Contract.Holds(probes, early);
        Assert.True(probes.Code == 0, probes.ToString());

        string run = Contract.NewPath();
        var trained = HostileRun.Run([.. TinyNet, "--lr-constant", "1e300", "--out", run]);
        Contract.Holds(trained, run);
        Assert.True(trained.Code == 0, trained.ToString());
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(run, RunDirectory.ManifestFileName)))!["results"]!;
        Assert.True(results["diverged"]!.GetValue<bool>());
        Assert.Equal(1, results["diverged_at_step"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("--init-scale", "net", "early-phase", "--dataset", "synthetic", "--train-size", "20", "--depths", "2", "--widths", "4", "--seeds", "1", "--variants", "sp", "--c-min", "0.5", "--c-max", "4", "--x-step", "1", "--early-steps", "3", "--init-scale", "1e-320")]
    [InlineData("--init-scale", "net", "early-phase", "--dataset", "synthetic", "--train-size", "20", "--depths", "2", "--widths", "4", "--seeds", "1", "--variants", "sp", "--c-min", "0.5", "--c-max", "4", "--x-step", "1", "--early-steps", "3", "--init-scale", "5e-324")]
    [InlineData("--init-scale", "net", "train", "--dataset", "synthetic", "--lr-constant", "1", "--init-scale", "1e-100")]
    [InlineData("--init-scales", "net", "predict", "--dataset", "synthetic", "--init-scales", "1,1e-320")]
    public void InitialWeightsThatRoundToZeroInFloat32AreRefusedBeforeTraining(string option, params string[] args)
    {
        // Was (early-phase, found by the fuzz suite): λ_H(0) = 0 and "internal failure ... This is a bug" after the first progress line.
        string folder = Contract.NewPath();
        Contract.Refused(HostileRun.Run([.. args, "--out", folder]), folder, option, "zero in single precision");
    }

    [Theory]
    [InlineData("--early-steps", "net", "early-phase", "--dataset", "synthetic", "--train-size", "2", "--depths", "2", "--widths", "4", "--seeds", "1", "--variants", "sp", "--c-min", "0.5", "--c-max", "4", "--x-step", "1", "--early-steps", "2147483647")]
    [InlineData("--steps", "net", "train", "--dataset", "synthetic", "--train-size", "2", "--test-size", "0", "--width", "1", "--sharpness-every", "0", "--steps", "2147483647")]
    public void StepCountsWhoseRecordsCannotFitAreRefusedBeforeTraining(string option, params string[] args)
    {
        // Was (early-phase, found by the fuzz suite): a run that never ended, its per-step losses growing without bound.
        string folder = Contract.NewPath();
        var result = HostileRun.Run(TimeSpan.FromSeconds(60), null, [.. args, "--out", folder]);
        Contract.Refused(result, folder, option);
        Assert.Matches("more than", result.ErrorLines[0]);
    }

    [MountFact]
    public void CheckpointsThatDoNotFitTheFreeSpaceAreRefusedBeforeTraining()
    {
        // A width-512 network: about 1.1 MB per checkpoint, 11 checkpoints.
        string[] args = [.. TinyNet[..^4], "--width", "512", "--depth", "3", "--steps", "10", "--sharpness-every", "0", "--checkpoint-steps", "0,1,2,3,4,5,6,7,8,9,final"];
        string reference = Contract.NewPath();
        var complete = HostileRun.Run([.. args, "--out", reference]);
        Assert.True(complete.Code == 0, complete.ToString());
        long checkpoints = Directory.GetFiles(reference, "*.safetensors").Sum(f => new FileInfo(f).Length);
        long all = Directory.GetFiles(reference).Sum(f => new FileInfo(f).Length);

        // Room for half the checkpoints: refused before training, nothing left, exit 3 naming the option.
        using var disk = TmpfsMount.Create($"{checkpoints / 2 / 1024}k");
        string folder = System.IO.Path.Combine(disk.Path, "run");
        var full = HostileRun.Run([.. args, "--out", folder]);
        Contract.Holds(full, folder);
        Assert.Equal(3, full.Code);
        Assert.StartsWith("error: not enough space left on device: --checkpoint-steps: 11 checkpoints of about ", full.ErrorLines.Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("step 0/", full.Error, StringComparison.Ordinal); // no training started

        // net eos counts the checkpoints of every learning rate still to run.
        string[] eos = ["net", "eos", .. NetCommandFuzzTests.Set(args, ("--sharpness-every", "5"))[2..], "--lrs", "0.01,0.02"];
        string eosFolder = System.IO.Path.Combine(disk.Path, "eos");
        var eosFull = HostileRun.Run([.. eos, "--out", eosFolder]);
        Contract.Holds(eosFull, eosFolder);
        Assert.Equal(3, eosFull.Code);
        Assert.Contains("for each of 2 runs", eosFull.ErrorLines.Single(), StringComparison.Ordinal);

        // The estimate exceeds what the run writes by at most the allowance for the figures and the manifest (1 MiB) and 64 KiB per checkpoint.
        disk.Resize($"{(all + (1L << 20) + (11 * 65536)) / 1024 + 64}k");
        var resumed = HostileRun.Run([.. args, "--out", folder]);
        Assert.True(resumed.Code == 0, resumed.ToString());
        Assert.True(RunDirectory.HoldsCompleteRun(folder));
    }

    [MountFact]
    public void AnOrbitTableLargerThanTheFreeSpaceIsAnEnvironmentFailure()
    {
        using var disk = TmpfsMount.Create("256k");
        string folder = System.IO.Path.Combine(disk.Path, "orbit");
        var result = HostileRun.Run("uv", "orbit", "--points", "2000", "--transient", "0", "--keep", "100", "--out", folder);
        Contract.Holds(result, folder);
        Assert.Equal(3, result.Code);
        Assert.StartsWith("error: not enough space left on device: --points: ", result.ErrorLines.Single(), StringComparison.Ordinal);
        Assert.Contains("orbit.csv", result.ErrorLines[0], StringComparison.Ordinal);
    }
}
