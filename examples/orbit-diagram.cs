#:project ../src/Sharpness.Experiments/Sharpness.Experiments.csproj

// An orbit (bifurcation) diagram of the UV model's scaled map, written as a run folder
// (orbit.csv, orbit.png, manifest.json) that `sharpness plot` can redraw.
//
//   dotnet run examples/orbit-diagram.cs [FOLDER]      (default FOLDER: runs/orbit-diagram)
using Sharpness.Experiments.Uv;

string folder = args.Length > 0 ? args[0] : Path.Combine("runs", "orbit-diagram");
var options = new UvOrbitOptions { Min = 0.8, Max = 1.8, Points = 400, Transient = 1000, Keep = 100 };
var output = UvOrbitWriter.Prepare(folder);          // checks the folder before the work starts
var result = UvOrbitExperiment.Run(options);
var files = UvOrbitWriter.Write(output, result);

Console.WriteLine(FormattableString.Invariant($"{options.Points} values of r in [{options.Min}, {options.Max}], {result.Rows} kept iterates, {result.DivergedValues} diverged"));
Console.WriteLine("period-doubling flip points in range: " + string.Join(", ", result.FlipPoints.Select(r => r.ToString("F6", System.Globalization.CultureInfo.InvariantCulture))));
Console.WriteLine($"wrote {string.Join(", ", files)} and manifest.json");
