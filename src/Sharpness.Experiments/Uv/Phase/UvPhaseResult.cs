using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// The outcome of <see cref="UvPhaseExperiment.Run"/>: a grid of cells, rows bottom to top (r, or the
/// vertical values), columns left to right (c, or the horizontal values), each with a regime category.
/// </summary>
/// <remarks>The arrays are the result's own; do not modify them.</remarks>
public sealed record UvPhaseResult
{
    /// <summary>The options as given.</summary>
    public required UvPhaseOptions Options { get; init; }

    /// <summary>The horizontal values: c (scaled mode) or the η or c values (physical mode).</summary>
    public required IReadOnlyList<double> XValues { get; init; }

    /// <summary>Scaled mode: the values of r, one per row; null in physical mode (the rows are <see cref="UvPhaseOptions.YValues"/>).</summary>
    public IReadOnlyList<double>? RValues { get; init; }

    /// <summary>
    /// The category of each cell [row, column]: an index into <see cref="RegimeCategory.Names"/>, or −1 for
    /// a scaled cell that no weights realise (x₀ &lt; 2|g₀|). Physical mode: the majority over the seeds.
    /// </summary>
    public required int[,] Categories { get; init; }

    /// <summary>Scaled mode: the regime labels of each cell's run ("converged" when none); null in physical mode.</summary>
    public string[,]? Labels { get; init; }

    /// <summary>Physical mode: the fraction of seeds in the majority category of each cell; null in scaled mode.</summary>
    public double[,]? Fractions { get; init; }

    /// <summary>Physical mode: the model every row varies; null in scaled mode.</summary>
    public UvModelConfig? BaseModel { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>Cells per category name ("unrealisable" for −1), in category order.</summary>
    public IReadOnlyList<(string Category, int Cells)> CategoryCounts =>
        [.. Categories.Cast<int>().GroupBy(c => c).OrderBy(g => g.Key).Select(g => (g.Key < 0 ? UvPhaseFigures.Unrealisable : RegimeCategory.Names[g.Key], g.Count()))];
}
