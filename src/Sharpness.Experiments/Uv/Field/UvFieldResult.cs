using Sharpness.Uv.Dynamics;

namespace Sharpness.Experiments.Uv;

/// <summary>
/// The outcome of <see cref="UvFieldExperiment.Run"/>: the window and the overlaid trajectories. The
/// arrows, the growth wedge, the manifold and the fixed points are closed-form functions of r and the
/// window, drawn by <see cref="UvFieldFigures"/>.
/// </summary>
public sealed record UvFieldResult
{
    /// <summary>The options as given.</summary>
    public required UvFieldOptions Options { get; init; }

    /// <summary>Left end of the horizontal axis (default filled in).</summary>
    public required double HMin { get; init; }

    /// <summary>Right end of the horizontal axis (default filled in).</summary>
    public required double HMax { get; init; }

    /// <summary>Each trajectory's states from its start, up to <see cref="UvFieldOptions.TrajectorySteps"/> steps (fewer when it leaves |g|, |x| &lt; 10⁶).</summary>
    public required IReadOnlyList<IReadOnlyList<UvScaledState>> Trajectories { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }
}
