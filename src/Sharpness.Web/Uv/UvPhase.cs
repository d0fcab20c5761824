using Sharpness.Uv.Dynamics;
using Sharpness.Uv.Simulation;

namespace Sharpness.Web.Uv;

/// <summary>
/// The scaled phase diagram, as <c>sharpness uv phase --mode scaled</c> computes it: for each
/// (c = ηλ₀ = x₀, r) the run from g₀ = (f₀/y)·r for a number of steps, and its category
/// (<see cref="RegimeCategory"/>); −1 marks a cell no weights can realise (x₀ &lt; 2|g₀|).
/// </summary>
/// <param name="C">Values of c (columns).</param>
/// <param name="R">Values of r (rows).</param>
/// <param name="OutputRatio">f₀/y = g₀/r.</param>
/// <param name="Steps">Steps per run.</param>
/// <param name="Categories">Category index per cell, row-major (row = r index), −1 unrealisable.</param>
/// <param name="Names">Category names, indexed by category.</param>
public sealed record UvPhase(double[] C, double[] R, double OutputRatio, int Steps, int[] Categories, IReadOnlyList<string> Names)
{
    /// <summary>Computes the diagram (in parallel over cells).</summary>
    /// <param name="cMin">Smallest c.</param>
    /// <param name="cMax">Largest c.</param>
    /// <param name="cPoints">Number of c values (≥ 2).</param>
    /// <param name="rMin">Smallest r.</param>
    /// <param name="rMax">Largest r.</param>
    /// <param name="rPoints">Number of r values (≥ 2).</param>
    /// <param name="outputRatio">f₀/y.</param>
    /// <param name="steps">Steps per run.</param>
    /// <param name="cancellationToken">Stops the computation (the client went away).</param>
    public static UvPhase Compute(double cMin, double cMax, int cPoints, double rMin, double rMax, int rPoints, double outputRatio, int steps, CancellationToken cancellationToken)
    {
        double[] cs = Linear(cMin, cMax, cPoints);
        double[] rs = Linear(rMin, rMax, rPoints);
        var cells = new int[rPoints * cPoints];
        Parallel.For(0, cells.Length, new ParallelOptions { CancellationToken = cancellationToken }, k =>
        {
            int i = k / cPoints, j = k % cPoints;
            double r = rs[i], c = cs[j], g0 = outputRatio * r;
            cells[k] = c < 2 * Math.Abs(g0)
                ? -1
                : RegimeCategory.Of(UvScaledRun.Run(new UvScaledState(g0, c), r, steps).Regimes);
        });
        return new UvPhase(cs, rs, outputRatio, steps, cells, RegimeCategory.Names);
    }

    private static double[] Linear(double min, double max, int points) =>
        Enumerable.Range(0, points).Select(i => min + ((max - min) * i / (points - 1))).ToArray();
}
