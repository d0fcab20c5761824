#:project ../src/Sharpness.Experiments/Sharpness.Experiments.csproj
#:property ConcurrentGarbageCollection=false

// The curvature of a model exported from PyTorch, as one library call: what PyHessian's
// hessian(model, criterion, data).eigenvalues(), .trace() and .density() give, plus the most negative
// eigenvalues, residuals, a standard error for the trace and the Gauss-Newton (NTK) top eigenvalue.
// By default the small MLP of the test fixtures (exported by tests/Fixtures/TorchScript/make_fixtures.py
// with PyTorch 1.13); any TorchScript file and safetensors data file can be given instead.
//
//   dotnet run examples/hessian-spectrum.cs [MODEL.pt DATA.safetensors]
using Sharpness.Core.Spectral;
using Sharpness.Experiments.Spectrum;
using Sharpness.Nets.Hessian;

string model = args.Length > 0 ? args[0] : Path.Combine("tests", "Fixtures", "TorchScript", "mlp.pt");
string data = args.Length > 1 ? args[1] : Path.Combine("tests", "Fixtures", "TorchScript", "mlp.safetensors");
var result = SpectrumExperiment.Run(new SpectrumOptions
{
    TorchScriptFile = model,
    DataFile = data,
    Loss = LossFunction.HalfSquaredError,
    TopK = 3,
    BottomK = 1,
    Tolerance = 1e-10,
    Trace = new HutchinsonOptions { RelativeTolerance = 0.05, MaxProbes = 400 },
    Density = new SlqOptions { Probes = 4, Steps = 30 },
});

string F(double x) => x.ToString("F5", System.Globalization.CultureInfo.InvariantCulture);
Console.WriteLine($"P = {result.Parameters} parameters, N = {result.Examples} examples, loss {F(result.LossValue)} ({result.Loss.Name}), gradient norm {F(result.GradientNorm)}");
Console.WriteLine($"Hessian top eigenvalues: {string.Join(", ", result.Top.Eigenvalues.Select(F))} ({result.Top.Matvecs} products)");
Console.WriteLine($"most negative eigenvalue: {F(result.Bottom!.Eigenvalues[0])}; Gauss-Newton top eigenvalue: {F(result.GaussNewton!.Eigenvalues[0])}");
var trace = result.Trace!.Estimate;
Console.WriteLine($"trace: {F(trace.Estimate)} +- {F(trace.StandardError)} ({trace.Probes} Rademacher probes)");
var density = result.Density!.Estimate;
Console.WriteLine($"density: {density.Rules.Count} x 30 Lanczos steps, second moment tr(H^2)/P = {F(density.Moment(2))}");
