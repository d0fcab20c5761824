using Sharpness.Uv.Model;
using Sharpness.Uv.Simulation;

namespace Sharpness.Experiments.Uv;

/// <summary>The outcome of <see cref="UvSimulateExperiment.Run"/>: the trajectory, its regime labels and what produced it.</summary>
public sealed record UvSimulateResult
{
    /// <summary>The options as given.</summary>
    public required UvSimulateOptions Options { get; init; }

    /// <summary>The model the options resolved to (init file read, width and input fixed).</summary>
    public required UvModelConfig Model { get; init; }

    /// <summary>The training settings the options resolved to.</summary>
    public required UvTrainingConfig Training { get; init; }

    /// <summary>
    /// The run: one record per step (loss, f, residual, NTK λ, Hessian sharpness λ_H, ηλ, ηλ_H, Q),
    /// the learning rate used, the regime labels and whether and where it diverged.
    /// </summary>
    public required UvRunResult Run { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset StartedUtc { get; init; }
}
