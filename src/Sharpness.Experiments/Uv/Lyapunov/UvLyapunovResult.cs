using Sharpness.Core.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>The outcome of <see cref="UvLyapunovExperiment.Run"/>: at every r the exponents (natural log per step), the period and the label.</summary>
public sealed record UvLyapunovResult
{
    /// <summary>The options as given.</summary>
    public required UvLyapunovOptions Options { get; init; }

    /// <summary>The values of r.</summary>
    public required IReadOnlyList<double> Grid { get; init; }

    /// <summary>The long-run class at each value of <see cref="Grid"/>: exponents (largest first), period and label.</summary>
    public required IReadOnlyList<LongRunClass> Classes { get; init; }

    /// <summary>Dimension of the map: 2 for the scaled map, 1 on the manifold.</summary>
    public int Dimension => Options.Manifold ? 1 : 2;

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }
}
