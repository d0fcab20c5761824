#:project ../src/Sharpness.Experiments/Sharpness.Experiments.csproj

// A sweep written as a loop: the UV model under NTP at four widths and four learning rates
// c = eta*lambda_H(0), one library call per point, summarised as a table of regime categories.
// `sharpness sweep run` does the same from a specification file, with a run folder per point.
//
//   dotnet run examples/custom-sweep.cs
using Sharpness.Experiments.Uv;
using Sharpness.Uv.Simulation;

int[] widths = [4, 16, 64, 1024];
double[] constants = [1.0, 1.9, 2.5, 4.5];
const int Column = 33;
Console.WriteLine("width | " + string.Join(" | ", constants.Select(c => FormattableString.Invariant($"c = {c:0.0}").PadRight(Column))).TrimEnd());
foreach (int width in widths)
{
    var categories = constants.Select(c =>
    {
        var options = new UvSimulateOptions { Model = new UvModelOptions { Width = width, Seed = 1 }, LrConstant = c, Steps = 400 };
        var regimes = UvSimulateExperiment.Run(options).Run.Regimes;
        return RegimeCategory.Names[RegimeCategory.Of(regimes)].PadRight(Column);
    });
    Console.WriteLine($"{width,5} | " + string.Join(" | ", categories).TrimEnd());
}
