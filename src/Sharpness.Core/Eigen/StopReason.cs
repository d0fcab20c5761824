namespace Sharpness.Core.Eigen;

/// <summary>Why an eigen-solver stopped, or (<see cref="None"/>) that a stop criterion lets it go on.</summary>
public enum StopReason
{
    /// <summary>Not stopped: a stop criterion returns this to let the iteration continue.</summary>
    None,

    /// <summary>The convergence test of the stop criterion was met for every wanted pair.</summary>
    Converged,

    /// <summary>The budget of operator applications (matrix-vector products) was used up before convergence.</summary>
    MaxMatvecs,

    /// <summary>A NaN or infinity appeared (in the operator's output, an eigenvalue or a residual).</summary>
    Diverged,

    /// <summary>Cancellation was requested through a <see cref="CancellationToken"/>.</summary>
    Cancelled,

    /// <summary>
    /// The search space grew to the whole space (dimension <c>Size</c>): the returned pairs are exact up to rounding.
    /// Counts as converged.
    /// </summary>
    InvariantSubspace,
}
