#:project ../src/Sharpness.Experiments/Sharpness.Experiments.csproj

// The UV model in its regimes: each run is one call of the library's `uv simulate` entry point,
// and the labels are the library's (docs/uv-model.md, "Regime labels").
//
//   dotnet run examples/uv-regimes.cs
using Sharpness.Experiments.Uv;
using Sharpness.Uv.Model;

var mup = new UvModelOptions { Width = 1000, Param = Parameterisation.MuP };
(string Name, UvSimulateOptions Options)[] runs =
[
    ("NTP, n = 100, eta = 0.5 (the defaults)", new UvSimulateOptions()),
    ("muP, n = 1000, eta = 1.8/lambda_H(0)", new UvSimulateOptions { Model = mup, LrConstant = 1.8, Steps = 500 }),
    ("NTP, n = 1000, eta = 2.5/lambda_H(0)", new UvSimulateOptions { Model = new UvModelOptions { Width = 1000 }, LrConstant = 2.5, Steps = 300 }),
    ("muP, n = 1000, eta = 5/lambda_H(0)", new UvSimulateOptions { Model = mup, LrConstant = 5, Steps = 300 }),
];

foreach (var (name, options) in runs)
{
    var run = UvSimulateExperiment.Run(options).Run;
    var (first, last) = (run.Records[0], run.Records[^1]);
    string labels = string.Join(", ", run.Regimes.Labels.DefaultIfEmpty("none"));
    Console.WriteLine(FormattableString.Invariant(
        $"{name}: eta*lambda_H {first.LrSharpness:G4} -> {last.LrSharpness:G4} after {run.StepsCompleted} steps; regimes: {labels}; outcome: {run.Regimes.Outcome.ToString().ToLowerInvariant()}"));
}
