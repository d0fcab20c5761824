using ScottPlot;

namespace Sharpness.Plots;

/// <summary>What a spectral density figure shows.</summary>
public sealed record SpectralDensityFigureData
{
    /// <summary>Title.</summary>
    public required string Title { get; init; }

    /// <summary>Grid of eigenvalues λ.</summary>
    public required IReadOnlyList<double> Lambda { get; init; }

    /// <summary>The density ρ(λ) on the grid (integrating to 1).</summary>
    public required IReadOnlyList<double> Density { get; init; }

    /// <summary>Eigenvalues to mark with vertical lines (for example the top ones found by Lanczos).</summary>
    public IReadOnlyList<double> Marked { get; init; } = [];

    /// <summary>Legend text of the marked eigenvalues.</summary>
    public string MarkedLabel { get; init; } = string.Empty;

    /// <summary>Horizontal axis label.</summary>
    public string XLabel { get; init; } = "Hessian eigenvalue λ (symmetric log scale)";
}

/// <summary>
/// The eigenvalue density of a Hessian on a symmetric-log horizontal axis and a logarithmic vertical axis: the bulk
/// near zero, the negative eigenvalues and the outliers far above the bulk are all visible in one figure.
/// </summary>
/// <remarks>
/// The horizontal coordinate is s(λ) = sign(λ) log10(1 + |λ|/c), linear within about ±c of zero and logarithmic
/// beyond, with c = <see cref="LinearThreshold"/>; ticks are labelled with λ (0 and ± powers of ten, unlabelled minor
/// ticks at 2…9 times them). The vertical axis shows log10 ρ, ticked as every logarithmic axis of the toolkit
/// (<see cref="LogTickGenerator"/>), with ρ floored at 10⁻⁷ (as PyHessian's plots add 10⁻⁷) so that empty stretches
/// stay on the figure.
/// </remarks>
public static class SpectralDensityFigure
{
    /// <summary>Densities below this are drawn at this value on the logarithmic axis.</summary>
    public const double DensityFloor = 1e-7;

    /// <summary>
    /// The linear threshold c of the symmetric-log axis: 10⁻³ of the largest |λ| on the grid (at least 10⁻¹²), so
    /// three decades below the extreme eigenvalue are resolved logarithmically.
    /// </summary>
    /// <param name="lambda">The grid.</param>
    public static double LinearThreshold(IReadOnlyList<double> lambda)
    {
        ArgumentNullException.ThrowIfNull(lambda);
        double largest = lambda.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(1).Max();
        return Math.Max(1e-3 * largest, 1e-12);
    }

    /// <summary>s(λ) = sign(λ) log10(1 + |λ|/c).</summary>
    /// <param name="lambda">The value.</param>
    /// <param name="threshold">The linear threshold c &gt; 0.</param>
    public static double SymmetricLog(double lambda, double threshold) => Math.Sign(lambda) * Math.Log10(1 + (Math.Abs(lambda) / threshold));

    /// <summary>Builds the plot.</summary>
    /// <param name="data">What to draw.</param>
    public static Plot Build(SpectralDensityFigureData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        double c = LinearThreshold(data.Lambda);
        var plot = new Plot();
        FigureStyle.Apply(plot, data.Title, data.XLabel, "density ρ(λ) (log scale, integrates to 1)");
        var xs = new List<double>(data.Lambda.Count);
        var ys = new List<double>(data.Lambda.Count);
        for (int i = 0; i < Math.Min(data.Lambda.Count, data.Density.Count); i++)
        {
            if (double.IsFinite(data.Lambda[i]) && double.IsFinite(data.Density[i]))
            {
                xs.Add(SymmetricLog(data.Lambda[i], c));
                ys.Add(Math.Log10(Math.Max(data.Density[i], DensityFloor)));
            }
        }

        var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
        line.LineWidth = 1.5f;
        line.Color = FigureStyle.Palette[0];
        line.LegendText = "SLQ density";
        bool first = true;
        foreach (double lambda in data.Marked.Where(double.IsFinite))
        {
            var marker = plot.Add.VerticalLine(SymmetricLog(lambda, c));
            marker.Color = FigureStyle.Palette[3].WithAlpha(0.7);
            marker.LineWidth = 1;
            marker.LinePattern = LinePattern.Dashed;
            if (first && data.MarkedLabel.Length > 0)
            {
                marker.LegendText = data.MarkedLabel;
            }

            first = false;
        }

        double low = xs.Count > 0 ? xs.Min() : -1;
        double high = xs.Count > 0 ? xs.Max() : 1;
        plot.Axes.Bottom.TickGenerator = SymmetricLogTicks(low, high, c);
        FigureStyle.LogTicksY(plot);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Renders the figure (PNG, and SVG when the point count allows).</summary>
    /// <param name="data">What to draw.</param>
    public static RenderedFigure Render(SpectralDensityFigureData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FigureStyle.Render(Build(data), data.Lambda.Count);
    }

    /// <summary>
    /// Labelled ticks at 0 and ±(powers of ten from c up) and unlabelled minor ticks at 2…9 times those powers, all that
    /// fall inside [low, high] (in s coordinates).
    /// </summary>
    private static ScottPlot.TickGenerators.NumericManual SymmetricLogTicks(double low, double high, double c)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        ticks.AddMajor(0, "0");
        int first = (int)Math.Ceiling(Math.Log10(c));
        for (int k = first; k <= first + 30; k++)
        {
            double value = Math.Pow(10, k);
            double s = SymmetricLog(value, c);
            if (s > Math.Max(Math.Abs(low), Math.Abs(high)) + 0.05)
            {
                break;
            }

            if (s <= high + 1e-9)
            {
                ticks.AddMajor(s, FigureStyle.FormatNumber(value));
            }

            if (-s >= low - 1e-9)
            {
                ticks.AddMajor(-s, FigureStyle.FormatNumber(-value));
            }

            for (int digit = 2; digit <= 9; digit++)
            {
                double minor = SymmetricLog(digit * value, c);
                if (minor <= high + 1e-9)
                {
                    ticks.AddMinor(minor);
                }

                if (-minor >= low - 1e-9)
                {
                    ticks.AddMinor(-minor);
                }
            }
        }

        return ticks;
    }
}
