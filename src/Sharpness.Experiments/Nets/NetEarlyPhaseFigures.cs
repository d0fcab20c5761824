using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;

namespace Sharpness.Experiments.Nets;

/// <summary>The figure of a <c>net early-phase</c> run, phase.png/.svg, from the manifest's per-group critical constants.</summary>
public static class NetEarlyPhaseFigures
{
    /// <summary>
    /// One column per variant; the top row c against λ_H(0), the bottom row c_NTK against the NTK; the
    /// bands of c_loss, c_sharp (when measured) and c_max with their spread over seeds, against depth/width:
    /// one column of bands per configuration, the curves joining the configurations of equal depth.
    /// </summary>
    /// <param name="run">The run (configuration: variants, c_min, c_max, c_sharp_measured; results: groups).</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        string[] variants = run.Configuration.Texts("variants");
        double cMin = run.Configuration.Number("c_min"), cMax = run.Configuration.Number("c_max");
        bool sharpness = run.Configuration.Flag("c_sharp_measured");
        var groups = run.Results.Array("groups").Select(g => new ManifestSection(g!.AsObject(), "results.groups[]", run.Folder)).ToArray();

        PhaseBandPanel Panel(string variant, bool ntk)
        {
            var g = groups.Where(x => x.Text("variant") == variant).ToArray();
            string against = ntk ? "against_ntk" : "against_lambda_h";
            CriticalSeries Series(string constant)
            {
                var spreads = g.Select(x => x.OptionalSection(against)!.OptionalSection(constant)!).ToArray();
                return new(spreads.Select(s => s.Number("mean")).ToArray(), spreads.Select(s => s.Number("min")).ToArray(), spreads.Select(s => s.Number("max")).ToArray());
            }

            return new PhaseBandPanel
            {
                Title = ntk ? $"{variant}: against the NTK, c_NTK = η λ_NTK(0)" : $"{variant}: against the Hessian, c = η λ_H(0)",
                YLabel = ntk ? "c_NTK = η λ_NTK(0)" : "c = η λ_H(0)",
                X = g.Select(x => (double)x.Integer("depth") / x.Integer("width")).ToArray(),
                Groups = g.Select(x => FormattableString.Invariant($"d={x.Integer("depth")}")).ToArray(),
                Loss = Series("c_loss"),
                Sharpness = sharpness ? Series("c_sharp") : null,
                Max = Series("c_max"),
            };
        }

        // The NTK row can reach below the grid (c_NTK = c λ_NTK/λ_H ≤ c).
        double lowest = groups.Select(g => g.OptionalSection("against_ntk")!.OptionalSection("c_loss")!.Number("min")).Where(double.IsFinite).DefaultIfEmpty(cMin).Min();
        var figure = PhaseBandFigure.Render(new PhaseBandFigureData
        {
            Rows = [variants.Select(v => Panel(v, false)).ToArray(), variants.Select(v => Panel(v, true)).ToArray()],
            CRange = (Math.Min(cMin, lowest), cMax),
        });
        return [new NamedFigure("phase", figure)];
    }
}
