using System.Globalization;
using Sharpness.Experiments.Figures;
using Sharpness.Experiments.Runs;
using Sharpness.Plots;

namespace Sharpness.Experiments.Spectrum;

/// <summary>
/// The figure of a <c>net spectrum</c> run, drawn from its files alone (so <c>sharpness plot</c> redraws it byte for
/// byte): density.png/.svg, the density of density.csv on a symmetric-log axis with the Lanczos eigenvalues of the
/// manifest's results marked. A run without a density has no figure.
/// </summary>
public static class SpectrumFigures
{
    /// <summary>Draws the figures of a saved run.</summary>
    /// <param name="run">The run (its configuration, results and density.csv).</param>
    public static IReadOnlyList<NamedFigure> Render(SavedRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Configuration.Values["density"]?.GetValue<bool>() != true)
        {
            return [];
        }

        double[][] columns = run.ReadNumbers(SpectrumWriter.DensityFile, "lambda", "density");
        double[] marked = [.. run.Results.Numbers("eigenvalues"), .. run.Results.Values.ContainsKey("bottom_eigenvalues") ? run.Results.Numbers("bottom_eigenvalues") : []];
        string title = string.Create(
            CultureInfo.InvariantCulture,
            $"Hessian spectral density ({run.Configuration.Text("loss")}, P = {run.Configuration.Integer("parameters")}, N = {run.Configuration.Integer("examples")})");
        return [new NamedFigure("density", SpectralDensityFigure.Render(new SpectralDensityFigureData
        {
            Title = title,
            Lambda = columns[0],
            Density = columns[1],
            Marked = marked,
            MarkedLabel = "Lanczos eigenvalues",
        }))];
    }
}
