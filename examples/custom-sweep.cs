#:project ../src/Sharpness.Experiments/Sharpness.Experiments.csproj

// A sweep written as a loop: the UV model under muP at four widths and four learning rates
// (c = eta*lambda_H(0)), one library call per point, summarised as a table of regimes.
// `sharpness sweep run` does the same from a specification file, with a run folder per point.
//
//   dotnet run examples/custom-sweep.cs
using Sharpness.Experiments.Uv;
using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

int[] widths = [16, 64, 256, 1024];
double[] constants = [1.0, 1.9, 3.0, 4.5];
Console.WriteLine("width " + string.Concat(constants.Select(c => FormattableString.Invariant($"| c = {c,-22:0.0#}"))));
foreach (int width in widths)
{
    var row = constants.Select(c =>
    {
        var options = new UvSimulateOptions { Model = new UvModelOptions { Width = width, Param = Parameterisation.MuP, Seed = 1 }, LrConstant = c, Steps = 300 };
        var regimes = UvSimulateExperiment.Run(options).Run.Regimes;
        return RegimeCategory.Names[RegimeCategory.Of(regimes)];
    });
    Console.WriteLine($"{width,5} " + string.Concat(row.Select(category => $"| {category,-26}")));
}
