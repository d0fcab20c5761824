using System.Diagnostics;
using Sharpness.Core.Dynamics;
using Sharpness.Experiments.Uv;
using Sharpness.Uv.Dynamics;

namespace Sharpness.Web.Uv;

/// <summary>Which value of the kept states an orbit diagram shows.</summary>
public enum OrbitQuantity
{
    /// <summary>x = ηλ, the scaled NTK.</summary>
    X,

    /// <summary>ηλ_H, the scaled Hessian sharpness (width ≥ 2).</summary>
    LrSharpness,

    /// <summary>g = ηf/s, the scaled output.</summary>
    G,
}

/// <summary>
/// An orbit (bifurcation) diagram binned to a pixel grid: the kept states of every r value, computed by
/// <see cref="UvOrbitExperiment"/> (what <c>sharpness uv orbit</c> computes, with the SIMD kernel of
/// <see cref="OrbitDiagram"/>; every value started from (g₀, x₀)), counted per pixel row between
/// <see cref="VMin"/> and <see cref="VMax"/>. The page asks for one column per pixel of its canvas, so a
/// zoom is recomputed at full resolution rather than stretched.
/// </summary>
/// <param name="R">The r values, evenly spaced, ends included.</param>
/// <param name="Quantity">What the vertical axis shows.</param>
/// <param name="VMin">Value at the bottom edge of row 0.</param>
/// <param name="VMax">Value at the top edge of the last row.</param>
/// <param name="Rows">Pixel rows.</param>
/// <param name="Columns">For each r value, pairs (row, count) flattened: the rows hit by kept values and how often; row 0 is the bottom.</param>
/// <param name="Period">For each r value, the period of the kept states (up to 64; 1 = fixed point), or null.</param>
/// <param name="DivergedAtStep">For each r value, the step at which it diverged, or null.</param>
/// <param name="FlipPoints">The flip points of the period-doubling cascade (manifold map) inside [r_min, r_max].</param>
/// <param name="Transient">Steps discarded per value.</param>
/// <param name="Keep">Steps kept per value.</param>
/// <param name="Seconds">Wall time of the computation and binning.</param>
public sealed record OrbitRaster(
    double[] R,
    OrbitQuantity Quantity,
    double VMin,
    double VMax,
    int Rows,
    int[][] Columns,
    int?[] Period,
    int?[] DivergedAtStep,
    IReadOnlyList<double> FlipPoints,
    int Transient,
    int Keep,
    double Seconds)
{
    private const int MaxPeriod = 64;
    private const int PeriodTail = 512;

    /// <summary>Computes and bins the diagram.</summary>
    /// <param name="rMin">Smallest r.</param>
    /// <param name="rMax">Largest r (≥ rMin).</param>
    /// <param name="points">Number of r values (≥ 1).</param>
    /// <param name="transient">Steps discarded.</param>
    /// <param name="keep">Steps kept.</param>
    /// <param name="x0">Initial x.</param>
    /// <param name="g0">Initial g.</param>
    /// <param name="quantity">Vertical axis.</param>
    /// <param name="rows">Pixel rows.</param>
    /// <param name="vMin">Bottom of the vertical axis, or null for the data's range.</param>
    /// <param name="vMax">Top of the vertical axis, or null for the data's range.</param>
    /// <param name="cancellationToken">Stops the computation (the client went away or asked for another window).</param>
    public static OrbitRaster Compute(double rMin, double rMax, int points, int transient, int keep, double x0, double g0, OrbitQuantity quantity, int rows, double? vMin, double? vMax, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var result = UvOrbitExperiment.Run(
            new UvOrbitOptions { Axis = OrbitAxis.R, Min = rMin, Max = rMax, Points = points, Transient = transient, Keep = keep, X0 = x0, G0 = g0 },
            null,
            cancellationToken);
        double[] r = [.. result.Grid];
        var values = new double[points][];
        var period = new int?[points];
        var diverged = new int?[points];
        foreach (var samples in result.Samples)
        {
            int i = samples.Index;
            double ri = samples.Point.R;
            var v = quantity switch
            {
                OrbitQuantity.X => samples.X,
                OrbitQuantity.G => samples.G,
                _ => samples.G.Select((g, k) => OrbitDiagram.LrSharpness(g, samples.X[k], ri)).ToArray(),
            };
            values[i] = v;
            diverged[i] = samples.DivergedAtStep;
            period[i] = samples.DivergedAtStep is null && keep >= 2
                ? PeriodDetector.Detect([samples.G, samples.X], MaxPeriod, Math.Min(PeriodTail, keep), 1e-7)
                : null;
        }

        double low = vMin ?? double.PositiveInfinity;
        double high = vMax ?? double.NegativeInfinity;
        if (vMin is null || vMax is null)
        {
            foreach (var column in values)
            {
                foreach (double v in column)
                {
                    if (double.IsFinite(v))
                    {
                        if (vMin is null && v < low)
                        {
                            low = v;
                        }

                        if (vMax is null && v > high)
                        {
                            high = v;
                        }
                    }
                }
            }

            if (!double.IsFinite(low) || !double.IsFinite(high))
            {
                (low, high) = (0, 1);
            }

            if (high - low < 1e-12 * Math.Max(1, Math.Abs(high)))
            {
                double pad = Math.Max(1e-3, Math.Abs(high) * 1e-3);
                (low, high) = (low - pad, high + pad);
            }
        }

        var columns = new int[points][];
        var counts = new int[rows];
        double scale = rows / (high - low);
        for (int i = 0; i < points; i++)
        {
            Array.Clear(counts);
            foreach (double v in values[i])
            {
                if (v >= low && v <= high)
                {
                    int row = Math.Min(rows - 1, (int)((v - low) * scale));
                    counts[row]++;
                }
            }

            var pairs = new List<int>();
            for (int row = 0; row < rows; row++)
            {
                if (counts[row] > 0)
                {
                    pairs.Add(row);
                    pairs.Add(counts[row]);
                }
            }

            columns[i] = [.. pairs];
        }

        return new OrbitRaster(r, quantity, low, high, rows, columns, period, diverged, result.FlipPoints, transient, keep, clock.Elapsed.TotalSeconds);
    }
}
