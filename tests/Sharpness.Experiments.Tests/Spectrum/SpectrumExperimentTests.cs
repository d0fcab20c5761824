using System.Globalization;
using System.Text.Json.Nodes;
using Sharpness.Core.Spectral;
using Sharpness.Experiments.Progress;
using Sharpness.Experiments.Spectrum;
using Sharpness.Nets.Hessian;

namespace Sharpness.Experiments.Tests.Spectrum;

/// <summary>
/// The spectrum experiment on TorchScript fixtures exported by PyTorch 1.13, against the reference values PyTorch
/// computed for them (tests/Fixtures/TorchScript/make_fixtures.py): the dense Hessian's spectrum and trace, the
/// Gauss–Newton matrix built from PyTorch's Jacobian, the loss and gradient norm.
/// </summary>
public sealed class SpectrumExperimentTests
{
    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "TorchScript", file);

    private static JsonNode Reference(string name) => JsonNode.Parse(File.ReadAllText(Fixture(name + ".json")))!;

    private static double[] Numbers(JsonNode reference, string key) => reference[key]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();

    private static SpectrumOptions Options(string name, LossFunction loss) => new()
    {
        TorchScriptFile = Fixture(name + ".pt"),
        DataFile = Fixture(name + ".safetensors"),
        Loss = loss,
        TopK = 2,
        BottomK = 1,
        Tolerance = 1e-10,
        Trace = new HutchinsonOptions { MinProbes = 5, MaxProbes = 30, Seed = 4 },
        Density = new SlqOptions { Probes = 2, Steps = 10, Seed = 4 },
        DensityPoints = 4000,
    };

    private static void Close(double expected, double actual, double relative = 1e-8) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void TheCnnsSpectrumLossAndGradientEqualPyTorchs()
    {
        JsonNode reference = Reference("cnn");
        var reports = new List<ExperimentProgress>();

        SpectrumResult result = SpectrumExperiment.Run(Options("cnn", LossFunction.CrossEntropy), new SynchronousProgress(reports.Add));

        double[] spectrum = Numbers(reference, "spectrum");
        Close(spectrum[^1], result.Top.Eigenvalues[0]);
        Close(spectrum[^2], result.Top.Eigenvalues[1]);
        Close(spectrum[0], result.Bottom!.Eigenvalues[0]);
        Close(reference["gauss_newton_top"]!.GetValue<double>(), result.GaussNewton!.Eigenvalues[0]);
        Close(reference["loss"]!.GetValue<double>(), result.LossValue, 1e-12);
        Close(reference["gradient_norm"]!.GetValue<double>(), result.GradientNorm, 1e-10);
        Assert.Equal(reference["parameter_count"]!.GetValue<int>(), result.Parameters);
        Assert.Equal(16, result.Examples);
        Assert.Equal([1, 8, 8], result.InputShape);
        Assert.Equal(30, result.Trace!.Estimate.Probes);
        double trace = reference["trace"]!.GetValue<double>();
        Assert.InRange(trace, result.Trace.Estimate.Estimate - 5 * result.Trace.Estimate.StandardError, result.Trace.Estimate.Estimate + 5 * result.Trace.Estimate.StandardError);
        double integral = 0;
        for (int i = 1; i < result.Density!.Lambda.Count; i++)
        {
            integral += 0.5 * (result.Density.Density[i] + result.Density.Density[i - 1]) * (result.Density.Lambda[i] - result.Density.Lambda[i - 1]);
        }

        Close(1, integral, 1e-6);
        Assert.Equal(result.Top.Matvecs + result.Bottom.Matvecs + 30 + result.Density.Estimate.Matvecs, result.HessianProducts);
        Assert.Contains(reports, r => r.Task == "net spectrum/top" && r.Completed > 0);
        Assert.Contains(reports, r => r.Task == "net spectrum/trace" && r.Completed == 30 && r.Total == 30);
        Assert.Contains(reports, r => r.Task == "net spectrum/density" && r.Completed == 20 && r.Total == 20);
    }

    [Fact]
    public void TheSameOptionsGiveBitIdenticalNumbers()
    {
        SpectrumOptions options = Options("residual", LossFunction.HalfMeanSquaredError) with { Tolerance = 1e-6 };

        SpectrumResult first = SpectrumExperiment.Run(options);
        SpectrumResult second = SpectrumExperiment.Run(options);

        Assert.Equal(first.Top.Eigenvalues, second.Top.Eigenvalues);
        Assert.Equal(first.Trace!.Estimate.QuadraticForms, second.Trace!.Estimate.QuadraticForms);
        Assert.Equal(first.Density!.Density, second.Density!.Density);
    }

    [Fact]
    public void TheFilesHoldTheResultAndTheRunningTraceEndsAtTheEstimate()
    {
        SpectrumResult result = SpectrumExperiment.Run(Options("mlp", LossFunction.HalfSquaredError) with { GaussNewton = false });
        string folder = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N"));
        var directory = SpectrumWriter.Prepare(folder, result.Options);

        IReadOnlyList<string> written = SpectrumWriter.Write(directory, result);

        Assert.Equal(["eigenvalues.csv", "trace.csv", "density.csv", "density_nodes.csv", "density.png", "density.svg"], written);
        string[] eigen = File.ReadAllLines(Path.Combine(folder, "eigenvalues.csv"));
        Assert.Equal("matrix,end,rank,eigenvalue,residual", eigen[0]);
        Assert.Equal(4, eigen.Length);
        Assert.Equal(result.Top.Eigenvalues[1], double.Parse(eigen[2].Split(',')[3], CultureInfo.InvariantCulture));
        Assert.StartsWith("hessian,bottom,1,", eigen[3], StringComparison.Ordinal);
        string[] last = File.ReadAllLines(Path.Combine(folder, "trace.csv"))[^1].Split(',');
        Close(result.Trace!.Estimate.Estimate, double.Parse(last[2], CultureInfo.InvariantCulture), 1e-12);
        Close(result.Trace.Estimate.StandardError, double.Parse(last[3], CultureInfo.InvariantCulture), 1e-10);
        string[] nodes = File.ReadAllLines(Path.Combine(folder, "density_nodes.csv"));
        Assert.Equal(1 + result.Density!.Estimate.Rules.Sum(r => r.Nodes.Length), nodes.Length);
        JsonObject summary = SpectrumWriter.Summary(result);
        Assert.Equal(result.Top.Eigenvalues[0], summary["eigenvalues"]![0]!.GetValue<double>());
        Assert.Equal(result.Trace.Estimate.Probes, summary["trace"]!["probes"]!.GetValue<int>());
        Assert.Null(summary["gauss_newton"]);
        JsonObject configuration = SpectrumWriter.Configuration(result);
        Assert.Equal(result.ModelSha256, configuration["torchscript_sha256"]!.GetValue<string>());
        Assert.Equal(64, result.DataSha256!.Length);

        // The BLAS the products ran in, as every net command's manifest records it; checked against the libraries
        // mapped into this process (OpenBLAS is mapped exactly when it serves LibTorch's products here).
        string blas = configuration["blas"]!.GetValue<string>();
        Assert.Contains(blas, new[] { "libtorch", "openblas" });
        Assert.False(string.IsNullOrWhiteSpace(configuration["blas_reason"]!.GetValue<string>()));
        Assert.StartsWith(blas, configuration["blas_library"]!.GetValue<string>(), StringComparison.Ordinal);
        bool openBlasMapped = File.ReadLines("/proc/self/maps").Any(line => line.Contains("libopenblas", StringComparison.Ordinal));
        Assert.Equal(blas == "openblas", openBlasMapped);
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        Assert.Equal("net spectrum", manifest.RootElement.GetProperty("command").GetString());
        Assert.Equal(result.Top.Eigenvalues[0], manifest.RootElement.GetProperty("results").GetProperty("eigenvalues")[0].GetDouble());
    }

    [Fact]
    public void AModuleOnAToolkitDatasetAndANetworkInMemoryGiveTheSpectrumOfADirectLanczosRun()
    {
        var synthetic = new Sharpness.Nets.Data.SyntheticDataOptions { TrainCount = 40, InputDimension = 6, OutputDimension = 3, Classification = true, Seed = 5 };
        SpectrumResult fromDataset = SpectrumExperiment.Run(new SpectrumOptions
        {
            TorchScriptFile = Fixture("mlp.pt"), SyntheticDataset = synthetic, Loss = LossFunction.CrossEntropy, TopK = 2, Tolerance = 1e-10, GaussNewton = false,
        });

        using var splits = Sharpness.Nets.Data.SyntheticDatasets.Create(synthetic with { TestCount = 1, DType = TorchSharp.torch.ScalarType.Float64 });
        using var network = new Sharpness.Nets.Models.FullyConnectedNetwork(new Sharpness.Nets.Models.FullyConnectedConfig { InputDimension = 6, OutputDimension = 3, Depth = 2, Width = 5, Seed = 3 });
        SpectrumResult inMemory = SpectrumExperiment.Run(new SpectrumOptions
        {
            Model = network, Data = splits.Train, Loss = LossFunction.CrossEntropy, TopK = 2, Tolerance = 1e-10, MeasureSize = 25, GaussNewton = false,
        });

        Assert.Equal(40, fromDataset.Examples);
        Assert.Null(fromDataset.DataSha256);
        Assert.Equal(25, inMemory.Examples);
        Assert.Null(inMemory.ModelSha256);
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var op = new AutogradHessianOperator(network, LossFunction.CrossEntropy, splits.Train.Inputs.narrow(0, 0, 25), splits.Train.Labels!.narrow(0, 0, 25));
        var direct = Core.Eigen.Lanczos.Solve(op, new Core.Eigen.EigenSolverOptions { Count = 2, StopCriterion = Core.Eigen.StopCriteria.Default(1000, 1e-10), Seed = 9 });
        Close(direct.Eigenvalues[0], inMemory.Top.Eigenvalues[0], 1e-9);
        Close(direct.Eigenvalues[1], inMemory.Top.Eigenvalues[1], 1e-9);
    }

    [Fact]
    public void CancellationEndsTheRunWithAnException()
    {
        using var source = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Task == "net spectrum/top" && p.Completed >= 3)
            {
                source.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() => SpectrumExperiment.Run(Options("mlp", LossFunction.HalfSquaredError), progress, source.Token));
    }

    [Theory]
    [InlineData("not-torchscript", "--torchscript", "not a TorchScript module")]
    [InlineData("needs-gpu", "--torchscript", "needs a GPU")]
    [InlineData("not-twice-differentiable", "--torchscript", "cannot differentiate the module twice")]
    [InlineData("outputs-do-not-fit", "--torchscript", "output(s) per example")]
    [InlineData("missing-tensor", "--data", "has no tensor named 'images'")]
    [InlineData("real-targets-with-cross-entropy", "--loss", "needs class labels")]
    [InlineData("input-shape", "--input-shape", "has 5 values per example")]
    [InlineData("no-data", "--data", "data is required")]
    [InlineData("bad-top-k", "--top-k", "at least 1")]
    public void BadInputIsReportedAgainstTheOptionAtFault(string problem, string option, string words)
    {
        SpectrumOptions options = Options("mlp", LossFunction.HalfSquaredError);
        options = problem switch
        {
            "not-torchscript" => options with { TorchScriptFile = Fixture("mlp.safetensors") },
            "needs-gpu" => options with { TorchScriptFile = Fixture("needs_gpu.pt") },
            "not-twice-differentiable" => options with { TorchScriptFile = Fixture("cdist.pt") },
            "outputs-do-not-fit" => options with { DataFile = TwoTargetColumns() },
            "missing-tensor" => options with { InputsName = "images" },
            "real-targets-with-cross-entropy" => options with { TorchScriptFile = Fixture("residual.pt"), DataFile = Fixture("residual.safetensors"), Loss = LossFunction.CrossEntropy },
            "input-shape" => options with { InputShape = [5] },
            "no-data" => options with { DataFile = null },
            _ => options with { TopK = 0 },
        };
        var e = Assert.Throws<InvalidOptionException>(() => SpectrumExperiment.Run(options));

        Assert.Equal(option, e.Option);
        Assert.Contains(words, e.Message, StringComparison.Ordinal);
    }

    /// <summary>The MLP's inputs (6 features) with targets of 2 columns, where the MLP returns 3 outputs.</summary>
    private static string TwoTargetColumns()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var entries = Sharpness.Nets.Checkpoints.Safetensors.ReadEntries(File.ReadAllBytes(Fixture("mlp.safetensors")));
        var inputs = entries.Single(e => e.Name == "inputs").ToTensor();
        string path = Path.Combine(Path.GetTempPath(), "sharpness-tests", Guid.NewGuid().ToString("N") + ".safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Sharpness.Nets.Checkpoints.Safetensors.Serialise([("inputs", inputs), ("targets", TorchSharp.torch.zeros(24, 2))]));
        return path;
    }

    private sealed class SynchronousProgress(Action<ExperimentProgress> report) : IProgress<ExperimentProgress>
    {
        public void Report(ExperimentProgress value) => report(value);
    }
}
